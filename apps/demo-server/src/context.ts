import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TrustProxy } from 'trpc-guardrails';

/** The users the demo page offers. Any other lowercase id works too (the storm CLI uses its own). */
export const DEMO_USERS = ['alice', 'bob', 'carol'] as const;

const USER_ID = /^[a-z][a-z0-9-]{0,39}$/;

/** What every procedure of the demo sees. */
export interface DemoContext {
  /**
   * The caller's address as the server resolved it: the socket's peer, unless proxies are
   * trusted (`DEMO_TRUST_PROXY`); never a header the client wrote itself.
   */
  ip: string | undefined;
  /**
   * Chosen by the `x-demo-user` header or the `demo_user` cookie; `alice` when neither is valid.
   * A demo shortcut: a real app takes the user from its authenticated session, never a header.
   */
  userId: string;
  /** Where the guard writes `RateLimit`, `Retry-After` and `Idempotent-Replayed`. */
  res: ServerResponse;
}

export function createDemoContext(
  { req, res }: { req: IncomingMessage; res: ServerResponse },
  callerAddress: (req: IncomingMessage) => string | undefined,
): DemoContext {
  return { ip: callerAddress(req), userId: demoUser(req), res };
}

/**
 * `DEMO_TRUST_PROXY`: which proxies in front of the demo may report the client's address in
 * `X-Forwarded-For`: a hop count (`1`) or a comma-separated list of addresses, CIDRs and presets
 * (`loopback`, `private`). Unset: none, the socket's address counts.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function demoUser(req: IncomingMessage): string {
  const fromHeader = req.headers['x-demo-user'];
  const candidate = (Array.isArray(fromHeader) ? fromHeader[0] : fromHeader) ?? cookie(req, 'demo_user');
  return candidate && USER_ID.test(candidate) ? candidate : 'alice';
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
