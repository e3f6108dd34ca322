import { initTRPC } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../duration.js';
import { fixedWindow, slidingWindow, tokenBucket } from '../rate-limit/algorithms.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { createGuardrails } from './create-guardrails.js';

const t = initTRPC.context<{ ip: string }>().create();
const scopes = {
  ip: { limiter: slidingWindow(5, '10 s'), identify: ({ ctx }: { ctx: { ip: string } }) => ctx.ip },
};

describe('bad configuration fails at startup with a message that says what to do', () => {
  it.each([
    [
      () => createGuardrails({} as never),
      /store is required: pass upstashStore\(Redis.fromEnv\(\)\) or memoryStore\(\)/,
    ],
    [
      () => createGuardrails({ store: { check() {} } } as never),
      /store is missing complete, extend, release/,
    ],
    [
      () => createGuardrails({ store: memoryStore(), prefix: 'has space' }),
      /prefix "has space" is not valid/,
    ],
    [
      () =>
        createGuardrails({
          store: memoryStore(),
          scopes: { ip: { limiter: {}, identify: () => 'x' } },
        } as never),
      /scopes.ip.limiter must come from slidingWindow\(\), fixedWindow\(\) or tokenBucket\(\)/,
    ],
    [
      () =>
        createGuardrails({
          store: memoryStore(),
          scopes: { ip: { limiter: fixedWindow(1, '1 s') } },
        } as never),
      /scopes.ip.identify must be a function/,
    ],
    [
      () => createGuardrails({ store: memoryStore(), idempotency: { concurrent: 'queue' } } as never),
      /idempotency.concurrent must be 'wait' or 'reject', got "queue"/,
    ],
    [
      () => createGuardrails({ store: memoryStore(), idempotency: { ttl: '1 s', lease: '1 m' } }),
      /ttl must be at least/,
    ],
    [() => slidingWindow(0, '1 s'), /slidingWindow\(limit\) must be a positive integer, got number 0/],
    [
      () => tokenBucket(1, '10 parsecs' as never, 5),
      /tokenBucket\(interval\) "10 parsecs" is not a duration/,
    ],
    [() => parseDuration('0.1 ms', 'lease'), /shorter than 1 ms/],
  ])('%#', (build, message) => {
    expect(build).toThrow(message);
  });

  it('names the configured scopes when a procedure asks for an unknown one', () => {
    const guard = createGuardrails<{ ip: string }>({ store: memoryStore(), scopes });
    const procedure = guard.procedure(t.procedure);
    expect(() => procedure.rateLimited('usr')).toThrow(
      '[trpc-guardrails] scope "usr" is not configured; configured scopes: ip',
    );
    expect(() => procedure.rateLimited('ip', { cost: 6 })).toThrow(
      /cost 6 exceeds the capacity 5 of scope "ip"/,
    );
    expect(() => procedure.rateLimited('ip', { cost: 1.5 })).toThrow(/cost must be a positive integer/);
    expect(() => procedure.idempotent().idempotent()).toThrow(/already on this procedure/);
    expect(() => procedure.idempotent({ key: 'eventId' } as never)).toThrow(/must be a function/);
    expect(() => guard.procedure({} as never)).toThrow(/needs a tRPC procedure builder/);
  });

  it('checks required and fingerprint.select of .idempotent(), and the budget beside select', () => {
    const procedure = createGuardrails<{ ip: string }>({ store: memoryStore() }).procedure(t.procedure);
    expect(() => procedure.idempotent({ required: 'no' } as never)).toThrow(
      '[trpc-guardrails] .idempotent({ required }) must be true or false, got "no"',
    );
    expect(() => procedure.idempotent({ fingerprint: { select: 'amountCents' } } as never)).toThrow(
      '.idempotent({ fingerprint: { select } }) must be a function such as (input) => ',
    );
    expect(() => procedure.idempotent({ fingerprint: { select: (input) => input, maxDepth: 0 } })).toThrow(
      /\.idempotent\(\)\.fingerprint\.maxDepth must be a positive integer, got number 0/,
    );
    expect(() => procedure.idempotent(null as never)).toThrow(/takes an options object, got null/);
  });

  it('parses every duration unit like @upstash/ratelimit', () => {
    expect(['500 ms', '10 s', '1 m', '24 h', '7 d', '1.5s'].map((d) => parseDuration(d, 'x'))).toEqual([
      500, 10_000, 60_000, 86_400_000, 604_800_000, 1_500,
    ]);
  });
});
