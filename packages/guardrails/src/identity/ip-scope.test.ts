import { initTRPC, TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { GuardrailsConfigError } from '../errors.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { IdentityWarning } from './identity-warning.js';
import { ipScope, UNKNOWN_ADDRESS_KEY } from './ip-scope.js';

type Context = { ip?: string | undefined };

/** A guarded router whose `ping` allows `limit` calls per hour per `ip` scope bucket. */
function app(scope: Partial<Parameters<typeof ipScope<Context>>[0]> = {}, limit = 2) {
  const warnings: IdentityWarning[] = [];
  const t = initTRPC.context<Context>().create();
  const guard = createGuardrails<Context>()({
    store: memoryStore(),
    scopes: {
      ip: ipScope({
        limiter: fixedWindow(limit, '1 h'),
        address: ({ ctx }) => ctx.ip,
        onWarning: (warning) => warnings.push(warning),
        ...scope,
      }),
    },
  });
  const router = t.router({
    ping: guard
      .procedure(t.procedure)
      .rateLimited('ip')
      .query(() => 'pong'),
  });
  const call = t.createCallerFactory(router);
  /** Whether a call from `ip` passes (false: rate limited). */
  async function passes(ip: string | undefined): Promise<boolean> {
    try {
      await call({ ip }).ping();
      return true;
    } catch (error) {
      if (error instanceof TRPCError && error.code === 'TOO_MANY_REQUESTS') return false;
      throw error;
    }
  }
  return { passes, warnings };
}

describe('ipScope', () => {
  it('identifies callers by addressKey', () => {
    const scope = ipScope<Context>({ limiter: fixedWindow(1, '1 s'), address: ({ ctx }) => ctx.ip });
    const identify = (ip: string | undefined) => scope.identify({ ctx: { ip }, path: 'p', type: 'query' });
    expect(identify('2001:db8:0:1ff::9')).toBe('2001:db8:0:100::/56');
    expect(identify('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(scope.limiter).toBeDefined();
    expect(identify.name).toBeDefined();
  });

  it('puts rotating IPv6 addresses of one /56 in one bucket', async () => {
    const { passes } = app();
    expect(await passes('2001:db8:0:100::1')).toBe(true);
    expect(await passes('2001:db8:0:1ff:ffff::2')).toBe(true);
    expect(await passes('2001:db8:0:1a0::3')).toBe(false);
    // The neighbouring /56 is another customer.
    expect(await passes('2001:db8:0:200::1')).toBe(true);
  });

  it('counts every spelling of an address alike', async () => {
    const { passes } = app();
    expect(await passes('192.0.2.1')).toBe(true);
    expect(await passes('::ffff:192.0.2.1')).toBe(true);
    expect(await passes('::FFFF:c000:0201')).toBe(false);
  });

  it('takes exact IPv6 addresses with ipv6Prefix: false', async () => {
    const { passes } = app({ ipv6Prefix: false }, 1);
    expect(await passes('2001:db8::1')).toBe(true);
    expect(await passes('2001:db8::2')).toBe(true);
    expect(await passes('2001:DB8:0::2')).toBe(false);
  });

  it('puts missing and unparseable addresses in one shared bucket by default, and warns once', async () => {
    const { passes, warnings } = app();
    expect(await passes(undefined)).toBe(true);
    expect(await passes('not-an-ip')).toBe(true);
    expect(await passes('1.2.3.256')).toBe(false);
    expect(await passes('192.0.2.1')).toBe(true);
    expect(warnings.map((warning) => warning.cause)).toEqual(['unparseable-address']);
    expect(warnings[0]!.message).toContain(`"${UNKNOWN_ADDRESS_KEY}" bucket`);
  });

  it("leaves them unlimited with unknown: 'skip'", async () => {
    const { passes } = app({ unknown: 'skip' }, 1);
    for (let i = 0; i < 3; i++) expect(await passes('garbage')).toBe(true);
  });

  it('refuses bad options with what to write instead', () => {
    const limiter = fixedWindow(1, '1 s');
    expect(() => ipScope({ limiter } as never)).toThrow(/ipScope needs \{ limiter, address \}/);
    expect(() => ipScope({ limiter, address: () => '', ipv6Prefix: 200 })).toThrow(GuardrailsConfigError);
    expect(() => ipScope({ limiter, address: () => '', unknown: 'drop' as never })).toThrow(
      /'shared' or 'skip'/,
    );
  });
});
