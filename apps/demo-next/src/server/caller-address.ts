import type { ClientAddressSource, Guardrails } from 'trpc-guardrails';
import type { DemoEnv } from './demo-env';

/**
 * How the app learns who is calling. The App Router exposes no socket, and `next start` keeps an
 * `X-Forwarded-For` the client sent (it only fills the header in when it is missing), so no header
 * is trusted by default:
 * - `DEMO_PLATFORM` set (`vercel`, `header:x-real-ip` behind your own proxy…): that header;
 * - the launcher bound `next start` to loopback (`DEMO_LOOPBACK_ONLY=1`): every caller is this
 *   machine, `127.0.0.1`;
 * - otherwise unknown: every caller shares one `ip` bucket (the `user` scope still separates
 *   users), and the guard reports `no-remote-address` once.
 */
export function createCallerAddress(
  guard: Pick<Guardrails<unknown, string>, 'clientAddress'>,
  env: Pick<DemoEnv, 'platform' | 'loopbackOnly'>,
): (source: ClientAddressSource) => string | undefined {
  if (env.platform) return guard.clientAddress({ platform: env.platform });
  if (env.loopbackOnly) return guard.clientAddress({ remoteAddress: '127.0.0.1' });
  return guard.clientAddress();
}

/** One line for the page: where the `ip` scope's identifier comes from. */
export function describeAddressSource(env: Pick<DemoEnv, 'platform' | 'loopbackOnly'>): string {
  if (typeof env.platform === 'string') return `the ${env.platform} platform header`;
  if (env.platform) return `the ${env.platform.header} header your proxy sets`;
  if (env.loopbackOnly) return 'loopback (next start listens on 127.0.0.1 only)';
  return 'unknown: no trusted source, one shared bucket (set DEMO_PLATFORM)';
}
