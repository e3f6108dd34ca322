/** How long the best offset sample is trusted before a fresh one replaces it (clocks drift). */
const SAMPLE_LIFETIME_MS = 60_000;

/**
 * Maps the caller's clock to a backend's clock (Redis `TIME`), so deadlines can be checked
 * where the work lands. Every reply that carries the backend's time is a sample: the backend
 * read its clock somewhere between sending and receiving, so `backendNow - receivedAt` is a
 * lower bound of the offset. Using the best recent lower bound keeps translated deadlines
 * conservative: a deadline may come up to one round trip early, never late.
 *
 * Until the first sample the offset is taken as 0; a claim refused as `expired` because of a
 * skewed clock carries a sample, so the guard's retry is translated correctly.
 *
 * @example
 * ```ts
 * const clock = createBackendClock();
 * const reply = await redis.evalsha(sha, [key], [clock.toBackend(request.deadline)]);
 * clock.observe(reply.now, Date.now());
 * ```
 */
export interface BackendClock {
  /** A time on the caller's clock (epoch ms) as the backend's clock would show it. */
  toBackend(localMs: number): number;
  /** A time on the backend's clock (a lease expiry) on the caller's clock. */
  toLocal(backendMs: number): number;
  /** Records the backend's time from a reply received at `receivedAt` (caller's clock). */
  observe(backendNow: number, receivedAt?: number): void;
}

export function createBackendClock(): BackendClock {
  let offset = 0;
  let sampledAt = Number.NEGATIVE_INFINITY;
  return {
    toBackend: (localMs) => localMs + offset,
    toLocal: (backendMs) => backendMs - offset,
    observe(backendNow, receivedAt = Date.now()) {
      if (!Number.isFinite(backendNow)) return;
      const lowerBound = backendNow - receivedAt;
      if (lowerBound > offset || receivedAt - sampledAt > SAMPLE_LIFETIME_MS) {
        offset = lowerBound;
        sampledAt = receivedAt;
      }
    },
  };
}
