import type { IncomingMessage, ServerResponse } from 'node:http';

/** The users the demo page offers. Any other lowercase id works too (the storm CLI uses its own). */
export const DEMO_USERS = ['alice', 'bob', 'carol'] as const;

const USER_ID = /^[a-z][a-z0-9-]{0,39}$/;

/** What every procedure of the demo sees. */
export interface DemoContext {
  /** The caller's address: the first `X-Forwarded-For` hop (as behind a proxy), else the socket's. */
  ip: string;
  /** Chosen by the `x-demo-user` header or the `demo_user` cookie; `alice` when neither is valid. */
  userId: string;
  /** Where the guard writes `RateLimit`, `Retry-After` and `Idempotent-Replayed`. */
  res: ServerResponse;
}

export function createDemoContext({ req, res }: { req: IncomingMessage; res: ServerResponse }): DemoContext {
  return { ip: clientIp(req), userId: demoUser(req), res };
}

function demoUser(req: IncomingMessage): string {
  const fromHeader = req.headers['x-demo-user'];
  const candidate = (Array.isArray(fromHeader) ? fromHeader[0] : fromHeader) ?? cookie(req, 'demo_user');
  return candidate && USER_ID.test(candidate) ? candidate : 'alice';
}

function clientIp(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || 'unknown';
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
