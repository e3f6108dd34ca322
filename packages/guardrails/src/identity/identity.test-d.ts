/**
 * Type tests: checked by `tsc` (`pnpm typecheck`). A line that must not compile carries
 * `@ts-expect-error`, so it fails the check the day it starts compiling.
 */
import type { IncomingMessage } from 'node:http';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { expectTypeOf } from 'vitest';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import type { ScopeConfig } from '../rate-limit/options.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { addressKey } from './address-key.js';
import { canonicalAddress } from './canonical-address.js';
import { clientAddress, createClientAddress } from './client-address.js';
import type { IdentityWarning, IdentityWarningCause } from './identity-warning.js';
import { ipScope } from './ip-scope.js';

type Context = { ip: string | undefined; session?: { userId: string } };
const limiter = fixedWindow(10, '1 m');

// ipScope infers the context from where it is used: `ctx` is the guard's Context.
const guard = createGuardrails<Context>()({
  store: memoryStore(),
  scopes: {
    ip: ipScope({
      limiter,
      address: ({ ctx, path, type }) => {
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        expectTypeOf(path).toBeString();
        expectTypeOf(type).toEqualTypeOf<'query' | 'mutation' | 'subscription'>();
        return ctx.ip;
      },
      ipv6Prefix: 48,
      onStoreError: 'allow',
      timeout: '500 ms',
    }),
    user: { limiter, identify: ({ ctx }) => ctx.session?.userId },
  },
});
expectTypeOf(guard.scopes).toEqualTypeOf<readonly ('ip' | 'user')[]>();

// Standalone: it returns the scope type the guard takes.
expectTypeOf(ipScope<Context>({ limiter, address: ({ ctx }) => ctx.ip })).toEqualTypeOf<
  ScopeConfig<Context>
>();
// @ts-expect-error `address` must return an address string, not a number
ipScope<Context>({ limiter, address: () => 42 });
// @ts-expect-error the context has no `ipAddress`
ipScope<Context>({ limiter, address: ({ ctx }) => ctx.ipAddress });
// @ts-expect-error `identify` is replaced by `address`
ipScope<Context>({ limiter, identify: ({ ctx }) => ctx.ip });
// @ts-expect-error `unknown` is 'shared' | 'skip'
ipScope<Context>({ limiter, address: ({ ctx }) => ctx.ip, unknown: 'drop' });
// @ts-expect-error a prefix is a number or false
ipScope<Context>({ limiter, address: ({ ctx }) => ctx.ip, ipv6Prefix: true });
// @ts-expect-error `limiter` is required
ipScope<Context>({ address: ({ ctx }) => ctx.ip });

// clientAddress reads every request shape, and answers string | undefined.
declare const nodeRequest: IncomingMessage;
expectTypeOf(clientAddress(nodeRequest)).toEqualTypeOf<string | undefined>();
expectTypeOf(clientAddress(new Request('http://x'), { remoteAddress: '127.0.0.1' })).toEqualTypeOf<
  string | undefined
>();
expectTypeOf(clientAddress(new Headers(), { platform: 'vercel' })).toEqualTypeOf<string | undefined>();
clientAddress({ headers: { 'x-forwarded-for': '1.1.1.1' }, remoteAddress: '::1' }, { trustProxy: 1 });
clientAddress(nodeRequest, { trustProxy: ['loopback', 'private', '10.0.0.0/8', 'fd00::/8'] });
clientAddress(nodeRequest, { trustProxy: 'uniquelocal', header: 'forwarded' });
clientAddress(nodeRequest, { platform: { header: 'x-real-ip' } });
// @ts-expect-error trusting every hop is refused
clientAddress(nodeRequest, { trustProxy: true });
// @ts-expect-error `header` is a forwarding header; single-address headers go in `platform`
clientAddress(nodeRequest, { header: 'x-real-ip' });
// @ts-expect-error unknown platform
clientAddress(nodeRequest, { platform: 'heroku' });
// @ts-expect-error a source needs headers
clientAddress({ remoteAddress: '127.0.0.1' });

// In the standalone adapter's createContext, `req` fits as is.
const t = initTRPC.context<Context>().create();
const resolveCaller = createClientAddress({ trustProxy: 1, onWarning: (warning) => warning.cause });
expectTypeOf(resolveCaller).toEqualTypeOf<
  (source: Parameters<typeof clientAddress>[0]) => string | undefined
>();
createHTTPHandler({ router: t.router({}), createContext: ({ req }) => ({ ip: resolveCaller(req) }) });

// Warnings are plain data with a closed set of causes.
expectTypeOf<IdentityWarning>().toEqualTypeOf<{ cause: IdentityWarningCause; message: string }>();
expectTypeOf<IdentityWarningCause>().toEqualTypeOf<
  | 'forwarded-header-untrusted'
  | 'forwarded-header-missing'
  | 'forwarded-chain-too-long'
  | 'platform-header-missing'
  | 'unparseable-address'
  | 'no-remote-address'
>();

expectTypeOf(addressKey('::1', { ipv6Prefix: false, ipv4Prefix: 24 })).toEqualTypeOf<string | undefined>();
// @ts-expect-error prefixes are numbers or false
addressKey('::1', { ipv4Prefix: '24' });
expectTypeOf(canonicalAddress('::1')).toEqualTypeOf<string | undefined>();
