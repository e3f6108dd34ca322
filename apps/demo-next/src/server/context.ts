/** The users the demo offers; a real app takes the user from its authenticated session. */
export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

/** The cookie that holds the chosen demo user (set by the `chooseUser` Server Action). */
export const USER_COOKIE = 'demo_user';

/** What every guarded procedure sees, whichever transport called it. */
export interface CheckoutContext {
  /** The caller's address as the server resolved it (see `caller-address.ts`); never a client header. */
  ip: string | undefined;
  /** From the `demo_user` cookie: the rate-limit `user` scope and the idempotency owner. */
  userId: string;
  /**
   * Where the guard writes `RateLimit`, `Retry-After` and `Idempotent-Replayed`: the fetch
   * adapter's response headers, or a per-call sink for a Server Action (which has none).
   */
  resHeaders: Headers;
}

export type DemoUser = (typeof DEMO_USERS)[number];

/** The cookie's user when it is one of the demo's, else `alice`. */
export function demoUser(cookieValue: string | undefined): DemoUser {
  return DEMO_USERS.find((user) => user === cookieValue) ?? 'alice';
}
