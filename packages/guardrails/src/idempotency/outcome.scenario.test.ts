import {
  type FaultProxy,
  startFaultProxy,
  startUpstashLocalProcess,
  type UpstashLocalProcess,
} from 'upstash-local/faults';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardrailsEvent } from '../events.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { type PayServerOptions, payUntilAnswered, startPayServer } from '../testing/pay-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let gateway: UpstashLocalProcess;
let small: UpstashLocalProcess;
const proxies: FaultProxy[] = [];
const closers: (() => Promise<unknown>)[] = [];
/** The issue's table, as measured: what happened, executions, what the callers saw. */
const table: string[] = [];
beforeAll(async () => {
  [gateway, small] = await Promise.all([
    startUpstashLocalProcess(),
    startUpstashLocalProcess({ bodyLimit: 1024 * 1024 }),
  ]);
}, 30_000);
afterAll(async () => {
  console.log(
    [
      '| what happened (5 s lease unless said) | executions | what the callers saw |',
      '|---|---|---|',
      ...table,
    ].join('\n'),
  );
  await Promise.all(closers.map((close) => close()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await Promise.all([gateway?.stop(), small?.stop()]);
});

async function proxyTo(target: UpstashLocalProcess) {
  const proxy = await startFaultProxy(target.url);
  proxies.push(proxy);
  return proxy;
}

async function server(
  options: Partial<PayServerOptions> & Pick<PayServerOptions, 'url' | 'prefix' | 'executions'>,
) {
  const started = await startPayServer({
    token: gateway.token,
    lease: '5 s',
    timeout: '500 ms',
    handlerMs: 100,
    ...options,
  });
  closers.push(started.close);
  return started;
}

const ofType = <T extends GuardrailsEvent['type']>(events: GuardrailsEvent[], type: T) =>
  events.filter((event): event is Extract<GuardrailsEvent, { type: T }> => event.type === type);

describe('the store unreachable when the handler finishes (5 s lease)', () => {
  it.concurrent.each([1_000, 4_000])(
    'an outage of %i ms: one execution, every retry replays the first result',
    async (outageMs) => {
      const proxy = await proxyTo(gateway);
      const executions = new Map<string, number>();
      const prefix = uniquePrefix('outage');
      const owner = await server({
        url: proxy.url,
        prefix,
        executions,
        onHandlerDone: () => {
          proxy.mode = 'unavailable';
          setTimeout(() => {
            proxy.mode = 'pass';
          }, outageMs);
        },
      });
      const other = await server({ url: gateway.url, prefix, executions });
      const key = `outage-${outageMs}`;
      const first = await payUntilAnswered(owner.url, { idempotencyKey: key, cents: 500 })(
        Date.now() + 2_000,
      );
      expect(first.ok).toBe(true); // answered at once, while the store is down
      expect(ofType(owner.events, 'executed')[0]).toMatchObject({ stored: false });
      await sleep(outageMs + 200);
      const right = await payUntilAnswered(other.url, { idempotencyKey: key, cents: 500 })(
        Date.now() + 10_000,
      );
      await sleep(5_500 - outageMs); // past the lease of the first execution
      const late = await payUntilAnswered(other.url, { idempotencyKey: key, cents: 500 })(
        Date.now() + 10_000,
      );
      table.push(
        `| the store unreachable for ${outageMs / 1000} s when the handler finished, retries right after it and after the lease | ${executions.get(key)} | ${[first, right, late].map((answer) => (answer.ok ? `ok ${answer.value.run}` : answer.error.message)).join(', ')} |`,
      );
      expect(executions.get(key)).toBe(1);
      for (const retry of [right, late]) {
        expect(retry.ok && first.ok && retry.value).toEqual(first.ok && first.value);
      }
      expect(ofType(owner.events, 'outcome-stored')).toHaveLength(1);
      expect(ofType(owner.events, 'outcome-lost')).toEqual([]);
      expect(proxy.seen.unavailable).toBeGreaterThan(1);
    },
    30_000,
  );
});

describe('an outage longer than the lease', () => {
  it('shared by every instance: the owner keeps its claim, lands its outcome when the store returns, one execution', async () => {
    const proxy = await proxyTo(gateway);
    const executions = new Map<string, number>();
    const prefix = uniquePrefix('long');
    const onHandlerDone = () => {
      proxy.mode = 'unavailable';
    };
    const owner = await server({ url: proxy.url, prefix, executions, lease: '2 s', onHandlerDone });
    const other = await server({ url: proxy.url, prefix, executions, lease: '2 s' });
    const first = await payUntilAnswered(owner.url, { idempotencyKey: 'k', cents: 1 })(Date.now() + 2_000);
    await sleep(3_500);
    proxy.mode = 'pass';
    await sleep(1_500);
    const retry = await payUntilAnswered(other.url, { idempotencyKey: 'k', cents: 1 })(Date.now() + 10_000);
    table.push(
      `| the store unreachable for everyone for 3.5 s (2 s lease), a retry after | ${executions.get('k')} | ${[first, retry].map((answer) => (answer.ok ? `ok ${answer.value.run}` : 'error')).join(', ')} |`,
    );
    expect(executions.get('k')).toBe(1);
    expect(retry.ok && first.ok && retry.value).toEqual(first.ok && first.value);
    expect(ofType(owner.events, 'outcome-lost')).toEqual([]);
  }, 30_000);

  it('cut off from the store while another instance reaches it: that one takes over, the owner reports outcome-lost', async () => {
    const proxy = await proxyTo(gateway);
    const executions = new Map<string, number>();
    const prefix = uniquePrefix('partition');
    const onHandlerDone = () => {
      proxy.mode = 'unavailable';
    };
    const owner = await server({ url: proxy.url, prefix, executions, lease: '2 s', onHandlerDone });
    const other = await server({ url: gateway.url, prefix, executions, lease: '2 s' });
    await payUntilAnswered(owner.url, { idempotencyKey: 'k', cents: 1 })(Date.now() + 2_000);
    await sleep(2_500);
    const taken = await payUntilAnswered(other.url, { idempotencyKey: 'k', cents: 1 })(Date.now() + 10_000);
    expect(ofType(other.events, 'executed')[0]).toMatchObject({ takeover: true, stored: true });
    proxy.mode = 'pass';
    await sleep(1_500);
    expect(ofType(owner.events, 'outcome-lost')).toEqual([
      expect.objectContaining({ key: 'k', reason: 'fenced', outcome: 'result' }),
    ]);
    table.push(
      `| the owner cut off from the store past its lease (2 s) while another instance reaches it | ${executions.get('k')} (outcome-lost reported) | ${taken.ok ? `ok ${taken.value.run}` : 'error'} to every caller |`,
    );
    expect(executions.get('k')).toBe(2); // the documented exception: an owner that lost its lease
    const again = await payUntilAnswered(owner.url, { idempotencyKey: 'k', cents: 1 })(Date.now() + 10_000);
    expect(again.ok && taken.ok && again.value).toEqual(taken.ok && taken.value);
  }, 30_000);
});

describe('a result larger than the store accepts (1 MiB request limit)', () => {
  it.each([
    ['the store knows its limit', undefined],
    ['the store is told 10 MB and the gateway answers 413', 10 * 1024 * 1024],
  ])(
    '%s: one execution, duplicates get a typed "too large to replay" error',
    async (_, maxRequestBytes) => {
      const executions = new Map<string, number>();
      const prefix = uniquePrefix('big');
      const pay = await server({ url: small.url, token: small.token, prefix, executions, maxRequestBytes });
      const input = { idempotencyKey: 'big', cents: 1, resultBytes: 2 * 1024 * 1024 };
      const first = await payUntilAnswered(pay.url, input)(Date.now() + 10_000);
      expect(first.ok && first.value.blob.length).toBe(2 * 1024 * 1024);
      for (let i = 0; i < 3; i++) {
        const retry = await payUntilAnswered(pay.url, input)(Date.now() + 10_000);
        expect(retry.ok).toBe(false);
        if (retry.ok) continue;
        expect(retry.error.data?.httpStatus).toBe(409);
        expect(retry.error.data?.guardrails).toMatchObject({
          kind: 'idempotency',
          reason: 'result-not-replayable',
          cause: 'too-large',
          path: 'pay',
          executedAt: expect.any(Number),
        });
        expect(retry.error.message).toMatch(
          /"pay" already ran for this idempotency key at .* too large to store/,
        );
      }
      table.push(
        `| a 2 MiB result, a 1 MiB store limit (${maxRequestBytes ? 'learnt from a 413' : 'known to the store'}); three retries | ${executions.get('big')} | ok, then 409 result-not-replayable ×3 |`,
      );
      expect(executions.get('big')).toBe(1);
    },
    30_000,
  );
});
