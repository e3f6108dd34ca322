import { describe, expect, it } from 'vitest';
import { fixedWindow, slidingWindow, tokenBucket } from '../rate-limit/algorithms.js';
import type { ClaimRequest, GuardrailsStore, LimitRequest } from '../stores/types.js';
import { type StoreFixture, uniquePrefix } from './describe-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The admin methods must exist to be tested; a store that leaves them out opts out explicitly. */
function admin(store: GuardrailsStore) {
  const { inspect, evict, peekLimit, resetLimit } = store;
  if (!inspect || !evict || !peekLimit || !resetLimit) {
    throw new Error('this store lacks the admin methods; pass { admin: false } to describeStore');
  }
  return {
    inspect: inspect.bind(store),
    evict: evict.bind(store),
    peekLimit: peekLimit.bind(store),
    resetLimit: resetLimit.bind(store),
  };
}

/** The optional admin methods (`inspect`, `evict`, `peekLimit`, `resetLimit`) of the contract. */
export function describeAdmin(setup: () => StoreFixture) {
  describe('admin', () => {
    const claimOf = (key: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
      key,
      fingerprint: 'fp-1',
      claimId: crypto.randomUUID(),
      leaseMs: 5_000,
      ttlMs: 60_000,
      graceMs: 60,
      deadline: Date.now() + 10_000,
      ...overrides,
    });
    const limit = (prefix: string, limiter: LimitRequest['limiter'], cost = 1): LimitRequest => ({
      prefix,
      identifier: '{id}',
      limiter,
      cost,
    });
    /** Clocks of the store and the test may differ by a round trip or two. */
    const near = (value: number | undefined, expected: number) => {
      expect(value).toBeGreaterThan(expected - 1_000);
      expect(value).toBeLessThan(expected + 1_000);
    };

    it('inspects a record through its life: absent, in progress, done', async () => {
      const { store } = setup();
      const { inspect } = admin(store);
      const key = `${uniquePrefix()}:idem:{k}`;
      expect(await inspect(key)).toEqual({ state: 'absent' });

      const claim = claimOf(key);
      const claimed = await store.check({ limits: [], claim });
      const token = claimed.claim?.status === 'acquired' ? claimed.claim.token : Number.NaN;
      const running = await inspect(key);
      expect(running).toMatchObject({ state: 'in-progress', fingerprint: 'fp-1', token, takeover: false });
      if (running.state !== 'in-progress') return;
      near(running.leaseExpiresAt, Date.now() + 5_000);
      near(running.expiresAt, Date.now() + 60_000);

      const outcome = { kind: 'result', payload: '{"json":{"ok":true}}' } as const;
      await store.complete({ key, claimId: claim.claimId, outcome, ttlMs: 120_000 });
      const done = await inspect(key);
      expect(done).toMatchObject({ state: 'done', fingerprint: 'fp-1', token, outcome });
      if (done.state !== 'done') return;
      near(done.completedAt, Date.now());
      near(done.expiresAt, Date.now() + 120_000);
      // Reading changes nothing: the record still replays.
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'completed',
        outcome,
      });
    });

    it('evicts a finished record, so its key runs again', async () => {
      const { store } = setup();
      const { evict, inspect } = admin(store);
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      await store.complete({
        key,
        claimId: claim.claimId,
        outcome: { kind: 'error', code: 'CONFLICT', message: 'x' },
        ttlMs: 60_000,
      });
      expect(await evict({ key })).toBe('evicted');
      expect(await inspect(key)).toEqual({ state: 'absent' });
      expect(await evict({ key })).toBe('absent');
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'acquired',
        takeover: false,
      });
    });

    it('keeps a record whose owner holds a live lease unless forced; a lapsed lease needs no force', async () => {
      const { store } = setup();
      const { evict, inspect } = admin(store);
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      expect(await evict({ key })).toBe('in-progress');
      expect((await inspect(key)).state).toBe('in-progress');
      // The owner, fenced by the eviction, can no longer complete.
      expect(await evict({ key, force: true })).toBe('evicted');
      expect(
        await store.complete({
          key,
          claimId: claim.claimId,
          outcome: { kind: 'result', payload: '1' },
          ttlMs: 60_000,
        }),
      ).toBe('fenced');

      const lapsed = `${uniquePrefix()}:idem:{k}`;
      await store.check({ limits: [], claim: claimOf(lapsed, { leaseMs: 50 }) });
      await sleep(120);
      expect(await evict({ key: lapsed })).toBe('evicted');
    });

    it.each([
      ['fixed window', fixedWindow(5, '1 h')],
      ['sliding window', slidingWindow(5, '1 h')],
      ['token bucket', tokenBucket(1, '1 h', 5)],
    ])('%s: peekLimit says what a call would get and takes nothing', async (_, limiter) => {
      const { store } = setup();
      const { peekLimit } = admin(store);
      const prefix = uniquePrefix();
      await store.check({ limits: [limit(prefix, limiter, 2)] });
      const left = await peekLimit(limit(prefix, limiter, 0));
      expect(left).toMatchObject({ success: true, remaining: 3, limit: 5 });
      expect(left.reset).toBeGreaterThan(Date.now());
      expect(await peekLimit(limit(prefix, limiter, 0))).toMatchObject({ remaining: 3 });
      expect(await peekLimit(limit(prefix, limiter, 4))).toMatchObject({ success: false, remaining: 3 });
      expect((await store.check({ limits: [limit(prefix, limiter, 3)] })).limits[0]).toMatchObject({
        success: true,
        remaining: 0,
      });
    });

    it('resetLimit forgets an identifier under every algorithm', async () => {
      const { store, sibling } = setup();
      const { resetLimit } = admin(store);
      const prefix = uniquePrefix();
      const limits = [limit(prefix, fixedWindow(1, '1 h')), limit(prefix, tokenBucket(1, '1 h', 1))];
      await store.check({ limits });
      expect((await sibling().check({ limits })).limits.map((r) => r.success)).toEqual([false, false]);
      expect(await resetLimit({ prefix, identifier: '{id}' })).toBe('reset');
      expect((await store.check({ limits })).limits.map((r) => r.success)).toEqual([true, true]);
      expect(await resetLimit({ prefix: uniquePrefix(), identifier: '{id}' })).toBe('absent');
    });
  });
}
