import { describe, expect, it } from 'vitest';
import type { ClaimRequest, GuardrailsStore, LimitRequest } from '../index.js';
import { fixedWindow, slidingWindow, tokenBucket } from '../index.js';
import { describeAdmin } from './describe-admin.js';

export interface StoreFixture {
  store: GuardrailsStore;
  /** A second, independent instance on the same backend (another server process, in effect). */
  sibling(): GuardrailsStore;
}

let counter = 0;
/** A fresh namespace per test, so tests never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface DescribeStoreOptions {
  /**
   * Test the optional admin methods (`inspect`, `evict`, `peekLimit`, `resetLimit`); a store
   * without them passes `false`.
   * @default true
   */
  admin?: boolean;
}

/**
 * The store contract: every `GuardrailsStore` must pass it. It speaks only the public store
 * interface, so a third-party backend can run it too.
 */
export function describeStore(name: string, setup: () => StoreFixture, options: DescribeStoreOptions = {}) {
  describe(`store contract: ${name}`, () => {
    if (options.admin !== false) describeAdmin(setup);

    const limit = (
      prefix: string,
      limiter: LimitRequest['limiter'],
      cost = 1,
      identifier = '{id}',
    ): LimitRequest => ({
      prefix,
      identifier,
      limiter,
      cost,
    });
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
    const later = () => Date.now() + 10_000;
    /** A lapsed lease is taken over in two steps: the first claim marks it, one a grace later takes it. */
    const takeOver = async (target: GuardrailsStore, claim: ClaimRequest) => {
      const marked = await target.check({ limits: [], claim });
      expect(marked.claim?.status).toBe('in-progress');
      await sleep(claim.graceMs + 40);
      return target.check({ limits: [], claim: { ...claim, deadline: Date.now() + 10_000 } });
    };

    it.each([
      ['fixed window', fixedWindow(3, '1 h')],
      ['sliding window', slidingWindow(3, '1 h')],
      ['token bucket', tokenBucket(1, '60 s', 3)],
    ])('%s allows exactly its limit, then denies with a future reset', async (_, limiter) => {
      const { store } = setup();
      const prefix = uniquePrefix();
      const answers = [];
      for (let i = 0; i < 4; i++)
        answers.push((await store.check({ limits: [limit(prefix, limiter)] })).limits[0]!);
      expect(answers.map((a) => a.success)).toEqual([true, true, true, false]);
      expect(answers.map((a) => a.remaining)).toEqual([2, 1, 0, 0]);
      expect(answers.every((a) => a.limit === 3)).toBe(true);
      expect(answers[3]!.reset).toBeGreaterThan(Date.now());
    });

    it('consumes `cost` units at once', async () => {
      const { store } = setup();
      const prefix = uniquePrefix();
      const first = await store.check({ limits: [limit(prefix, tokenBucket(1, '60 s', 5), 3)] });
      expect(first.limits[0]).toMatchObject({ success: true, remaining: 2 });
    });

    it.each([
      ['fixed window', fixedWindow(5, '1 h')],
      ['sliding window', slidingWindow(5, '1 h')],
      ['token bucket', tokenBucket(1, '1 h', 5)],
    ])('%s: a cost above what is left is refused whole and takes nothing', async (_, limiter) => {
      const { store } = setup();
      const prefix = uniquePrefix();
      await store.check({ limits: [limit(prefix, limiter, 3)] });
      const refused = await store.check({ limits: [limit(prefix, limiter, 3)] });
      expect(refused.limits[0]).toMatchObject({ success: false, remaining: 2 });
      const fits = await store.check({ limits: [limit(prefix, limiter, 2)] });
      expect(fits.limits[0]).toMatchObject({ success: true, remaining: 0 });
    });

    it.each([
      ['one slot', '{id}', '{id}'],
      ['two slots', '{alice}', '{bob}'],
    ])('a call one limit refuses takes nothing from the others (%s)', async (_, first, second) => {
      const { store } = setup();
      const [wide, narrow, bucket] = [uniquePrefix(), uniquePrefix(), uniquePrefix()];
      const limits = [
        limit(wide, fixedWindow(5, '1 h'), 1, first),
        limit(bucket, tokenBucket(1, '1 h', 5), 1, first),
        limit(narrow, slidingWindow(1, '1 h'), 1, second),
      ];
      expect((await store.check({ limits })).limits.map((r) => r.success)).toEqual([true, true, true]);
      const refused = await store.check({ limits });
      expect(refused.limits.map((r) => [r.success, r.remaining])).toEqual([
        [true, 4],
        [true, 4],
        [false, 0],
      ]);
      const after = await store.check({ limits: limits.slice(0, 2) });
      expect(after.limits.map((r) => r.remaining)).toEqual([3, 3]);
    });

    it('a refused call does not claim its record', async () => {
      const { store } = setup();
      const prefix = uniquePrefix();
      const key = `${prefix}:idem:{k}`;
      const limits = [limit(prefix, fixedWindow(1, '1 h'), 1, '{k}')];
      await store.check({ limits });
      const claim = claimOf(key);
      const refused = await store.check({ limits, claim });
      expect(refused.limits[0]!.success).toBe(false);
      // A store may claim anyway (the guard then releases it); either way the key stays free.
      if (refused.claim?.status === 'acquired') {
        expect(await store.release({ key, claimId: claim.claimId })).toBe('ok');
      } else {
        expect(refused.claim?.status).toBe('skipped');
      }
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'acquired',
        takeover: false,
      });
    });

    it('a claim that lands after its deadline takes nothing from the limits', async () => {
      const { store } = setup();
      const prefix = uniquePrefix();
      const limits = [limit(prefix, fixedWindow(5, '1 h'), 2, '{k}')];
      const late = await store.check({
        limits,
        claim: claimOf(`${prefix}:idem:{k}`, { deadline: Date.now() - 1 }),
      });
      expect(late.claim?.status).toBe('expired');
      const next = await store.check({ limits });
      expect(next.limits[0]).toMatchObject({ success: true, remaining: 3 });
    });

    it('a limiter that changes between calls keeps what was used, where its state still means the same', async () => {
      const { store } = setup();
      const [fixed, sliding, bucket] = [uniquePrefix(), uniquePrefix(), uniquePrefix()];
      await store.check({ limits: [limit(fixed, fixedWindow(3, '1 h'), 2)] });
      // A bigger plan, same window: the two used units still count.
      const upgraded = await store.check({ limits: [limit(fixed, fixedWindow(10, '1 h'))] });
      expect(upgraded.limits[0]).toMatchObject({ success: true, remaining: 7, limit: 10 });
      await store.check({ limits: [limit(sliding, slidingWindow(3, '1 h'), 3)] });
      // Another window length: the old counts mean something else, so they are not carried over.
      const rewindowed = await store.check({ limits: [limit(sliding, slidingWindow(3, '2 h'))] });
      expect(rewindowed.limits[0]).toMatchObject({ success: true, remaining: 2 });
      await store.check({ limits: [limit(bucket, tokenBucket(1, '1 h', 10), 1)] });
      // A smaller bucket holds at most its size.
      const shrunk = await store.check({ limits: [limit(bucket, tokenBucket(1, '1 h', 4))] });
      expect(shrunk.limits[0]).toMatchObject({ success: true, remaining: 3, limit: 4 });
    });

    it('answers several limits in request order, each independent', async () => {
      const { store } = setup();
      const [a, b, c] = [uniquePrefix(), uniquePrefix(), uniquePrefix()];
      const limits = [
        limit(a, fixedWindow(1, '1 h')),
        limit(b, fixedWindow(5, '1 h')),
        limit(c, slidingWindow(2, '1 h')),
      ];
      const first = await store.check({ limits });
      expect(first.limits.map((r) => [r.success, r.remaining])).toEqual([
        [true, 0],
        [true, 4],
        [true, 1],
      ]);
      const second = await store.check({ limits });
      expect(second.limits.map((r) => r.success)).toEqual([false, true, true]);
    });

    it('keeps identifiers and prefixes apart', async () => {
      const { store } = setup();
      const prefix = uniquePrefix();
      await store.check({ limits: [limit(prefix, fixedWindow(1, '1 h'), 1, '{alice}')] });
      const bob = await store.check({ limits: [limit(prefix, fixedWindow(1, '1 h'), 1, '{bob}')] });
      const otherPrefix = await store.check({
        limits: [limit(uniquePrefix(), fixedWindow(1, '1 h'), 1, '{alice}')],
      });
      expect(bob.limits[0]!.success).toBe(true);
      expect(otherPrefix.limits[0]!.success).toBe(true);
    });

    it('shares counters between instances on the same backend', async () => {
      const { store, sibling } = setup();
      const prefix = uniquePrefix();
      await store.check({ limits: [limit(prefix, fixedWindow(1, '1 h'))] });
      const other = await sibling().check({ limits: [limit(prefix, fixedWindow(1, '1 h'))] });
      expect(other.limits[0]!.success).toBe(false);
    });

    it('claims a record once; duplicates see it in progress, then its outcome', async () => {
      const { store, sibling } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const first = await store.check({ limits: [], claim: claimOf(key) });
      expect(first.claim).toMatchObject({ status: 'acquired', takeover: false });
      const duplicate = await sibling().check({ limits: [], claim: claimOf(key) });
      expect(duplicate.claim?.status).toBe('in-progress');
      if (duplicate.claim?.status === 'in-progress')
        expect(duplicate.claim.leaseExpiresAt).toBeGreaterThan(Date.now());
    });

    it('stores an outcome only for the owning claim, and replays it', async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      const outcome = { kind: 'result', payload: '{"json":{"n":1}}' } as const;
      expect(await store.complete({ key, claimId: 'someone-else', outcome, ttlMs: 60_000 })).toBe('fenced');
      expect(await store.complete({ key, claimId: claim.claimId, outcome, ttlMs: 60_000 })).toBe('ok');
      const replay = await store.check({ limits: [], claim: claimOf(key) });
      expect(replay.claim).toMatchObject({ status: 'completed', outcome });
      // A store may say how long the record still lives (the replay cache needs it): never longer than its ttl.
      const expiresInMs = replay.claim?.status === 'completed' ? replay.claim.expiresInMs : undefined;
      if (expiresInMs !== undefined) {
        expect(expiresInMs).toBeLessThanOrEqual(60_000);
        expect(expiresInMs).toBeGreaterThan(50_000);
      }
    });

    it('keeps error outcomes exactly and lets them expire', async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      const outcome = {
        kind: 'error',
        code: 'PAYMENT_REQUIRED',
        message: 'déclinée "quoted" {json}',
      } as const;
      await store.complete({ key, claimId: claim.claimId, outcome, ttlMs: 150 });
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'completed',
        outcome,
      });
      await sleep(250);
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim?.status).toBe('acquired');
    });

    it('answers mismatch for the same key with another fingerprint, without touching the record', async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      await store.check({ limits: [], claim: claimOf(key) });
      expect((await store.check({ limits: [], claim: claimOf(key, { fingerprint: 'fp-2' }) })).claim).toEqual(
        {
          status: 'mismatch',
        },
      );
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim?.status).toBe('in-progress');
    });

    it('releases a claim for its owner only', async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      expect(await store.release({ key, claimId: 'intruder' })).toBe('fenced');
      expect(await store.release({ key, claimId: claim.claimId })).toBe('ok');
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim?.status).toBe('acquired');
    });

    it('lets a retry take over a lapsed lease with a larger token, and fences the old owner', async () => {
      const { store, sibling } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const stale = claimOf(key, { leaseMs: 100 });
      const first = await store.check({ limits: [], claim: stale });
      await sleep(180);
      const fresh = claimOf(key);
      const second = await takeOver(sibling(), fresh);
      expect(second.claim).toMatchObject({ status: 'acquired', takeover: true });
      if (first.claim?.status !== 'acquired' || second.claim?.status !== 'acquired')
        throw new Error('unreachable');
      expect(second.claim.token).toBeGreaterThan(first.claim.token);
      expect(await store.extend({ key, claimId: stale.claimId, leaseMs: 5_000, deadline: later() })).toBe(
        'fenced',
      );
      const staleOutcome = { kind: 'result', payload: '"stale"' } as const;
      expect(
        await store.complete({ key, claimId: stale.claimId, outcome: staleOutcome, ttlMs: 60_000 }),
      ).toBe('fenced');
      const freshOutcome = { kind: 'result', payload: '"fresh"' } as const;
      expect(
        await store.complete({ key, claimId: fresh.claimId, outcome: freshOutcome, ttlMs: 60_000 }),
      ).toBe('ok');
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'completed',
        outcome: freshOutcome,
      });
    });

    it('extends the lease of the owner so no takeover happens', async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key, { leaseMs: 150 });
      await store.check({ limits: [], claim });
      await sleep(100);
      expect(await store.extend({ key, claimId: claim.claimId, leaseMs: 150, deadline: later() })).toBe('ok');
      await sleep(100);
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim?.status).toBe('in-progress');
    });

    it('ignores a claim that arrives after its deadline: nothing is created', async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const late = await store.check({ limits: [], claim: claimOf(key, { deadline: Date.now() - 1 }) });
      expect(late.claim).toEqual({ status: 'expired' });
      const next = await store.check({ limits: [], claim: claimOf(key) });
      expect(next.claim).toMatchObject({ status: 'acquired', takeover: false });
    });

    it('ignores a takeover that arrives after its deadline: the lapsed owner can still complete', async () => {
      const { store, sibling } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const owner = claimOf(key, { leaseMs: 100 });
      await store.check({ limits: [], claim: owner });
      await sleep(180);
      const late = await sibling().check({ limits: [], claim: claimOf(key, { deadline: Date.now() - 1 }) });
      expect(late.claim).toEqual({ status: 'expired' });
      const outcome = { kind: 'result', payload: '"first"' } as const;
      expect(await store.complete({ key, claimId: owner.claimId, outcome, ttlMs: 60_000 })).toBe('ok');
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'completed',
        outcome,
      });
    });

    it("recognises a claim's own retry (same claim id) as the owner at once, with the same token", async () => {
      const { store, sibling } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      const first = await store.check({ limits: [], claim });
      const retried = await sibling().check({ limits: [], claim });
      expect(retried.claim).toEqual(first.claim);
      expect(first.claim).toMatchObject({ status: 'acquired', takeover: false });
      // Even past its deadline: the retry changes nothing, it only reports what the claim did.
      expect(
        (await store.check({ limits: [], claim: { ...claim, deadline: Date.now() - 1 } })).claim,
      ).toEqual(first.claim);
    });

    it("answers ok to its owner's extension after the complete landed (its answer lost), fenced to others", async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      const outcome = { kind: 'result', payload: '"kept"' } as const;
      expect(await store.complete({ key, claimId: claim.claimId, outcome, ttlMs: 60_000 })).toBe('ok');
      expect(await store.extend({ key, claimId: claim.claimId, leaseMs: 5_000, deadline: later() })).toBe(
        'ok',
      );
      expect(await store.extend({ key, claimId: 'other', leaseMs: 5_000, deadline: later() })).toBe('fenced');
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'completed',
        outcome,
      });
    });

    it("answers ok to the owner's repeated complete (a retry after a lost answer), fenced to others", async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      const outcome = { kind: 'result', payload: '"once"' } as const;
      expect(await store.complete({ key, claimId: claim.claimId, outcome, ttlMs: 60_000 })).toBe('ok');
      expect(await store.complete({ key, claimId: claim.claimId, outcome, ttlMs: 60_000 })).toBe('ok');
      expect(await store.complete({ key, claimId: 'other', outcome, ttlMs: 60_000 })).toBe('fenced');
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'completed',
        outcome,
      });
    });

    it('ignores an extension that arrives after its deadline: the lease lapses as if it never came', async () => {
      const { store, sibling } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key, { leaseMs: 150 });
      await store.check({ limits: [], claim });
      expect(
        await store.extend({ key, claimId: claim.claimId, leaseMs: 60_000, deadline: Date.now() - 1 }),
      ).toBe('expired');
      await sleep(220);
      expect((await takeOver(sibling(), claimOf(key))).claim).toMatchObject({
        status: 'acquired',
        takeover: true,
      });
    });

    it('only marks a lapsed lease at first: an extension within the grace keeps the owner (a stall)', async () => {
      const { store, sibling } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const owner = claimOf(key, { leaseMs: 100 });
      await store.check({ limits: [], claim: owner });
      await sleep(150);
      // After a stall, a duplicate's queued claim may run before the owner's queued extension.
      const duplicate = claimOf(key, { graceMs: 300 });
      const first = await sibling().check({ limits: [], claim: duplicate });
      expect(first.claim?.status).toBe('in-progress');
      if (first.claim?.status === 'in-progress')
        expect(first.claim.leaseExpiresAt).toBeGreaterThan(Date.now());
      expect(await store.extend({ key, claimId: owner.claimId, leaseMs: 5_000, deadline: later() })).toBe(
        'ok',
      );
      await sleep(350);
      expect((await sibling().check({ limits: [], claim: duplicate })).claim?.status).toBe('in-progress');
      const outcome = { kind: 'result', payload: '"kept"' } as const;
      expect(await store.complete({ key, claimId: owner.claimId, outcome, ttlMs: 60_000 })).toBe('ok');
    });

    it('starts the grace again when a claim arrives late: a stall can only postpone a takeover', async () => {
      const { store, sibling } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      await store.check({ limits: [], claim: claimOf(key, { leaseMs: 100 }) });
      await sleep(150);
      const duplicate = claimOf(key, { graceMs: 200 });
      expect((await sibling().check({ limits: [], claim: duplicate })).claim?.status).toBe('in-progress');
      await sleep(150);
      // A claim queued during a stall lands after its deadline: it changes no owner, but restarts the clock.
      const queued = claimOf(key, { graceMs: 200, deadline: Date.now() - 1 });
      expect((await sibling().check({ limits: [], claim: queued })).claim).toEqual({ status: 'expired' });
      await sleep(100); // 250 ms after the first mark, 100 ms after the late one
      expect((await sibling().check({ limits: [], claim: duplicate })).claim?.status).toBe('in-progress');
      await sleep(150);
      expect((await sibling().check({ limits: [], claim: duplicate })).claim).toMatchObject({
        status: 'acquired',
        takeover: true,
      });
    });

    it('keeps an unreplayable marker exactly', async () => {
      const { store } = setup();
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      const outcome = {
        kind: 'unreplayable',
        cause: 'too-large',
        bytes: 2_000_000,
        executedAt: 1_700_000_000_123,
      } as const;
      expect(await store.complete({ key, claimId: claim.claimId, outcome, ttlMs: 60_000 })).toBe('ok');
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim).toMatchObject({
        status: 'completed',
        outcome,
      });
    });

    it('answers too-large for an outcome over maxResultBytes and keeps the record claimed', async () => {
      const { store } = setup();
      const max = store.maxResultBytes;
      if (max === undefined) return; // a store without a size limit has nothing to refuse
      const key = `${uniquePrefix()}:idem:{k}`;
      const claim = claimOf(key);
      await store.check({ limits: [], claim });
      const big = { kind: 'result', payload: `"${'x'.repeat(max)}"` } as const;
      expect(await store.complete({ key, claimId: claim.claimId, outcome: big, ttlMs: 60_000 })).toBe(
        'too-large',
      );
      expect((await store.check({ limits: [], claim: claimOf(key) })).claim?.status).toBe('in-progress');
      const small = { kind: 'result', payload: '1' } as const;
      expect(await store.complete({ key, claimId: claim.claimId, outcome: small, ttlMs: 60_000 })).toBe('ok');
    });

    it('returns a claim answer next to denied limits (skipped, or acquired for the guard to release)', async () => {
      const { store } = setup();
      const prefix = uniquePrefix();
      const key = `${prefix}:idem:{k}`;
      const deny = limit(prefix, fixedWindow(1, '1 h'));
      await store.check({ limits: [deny] });
      const checked = await store.check({ limits: [deny], claim: claimOf(key) });
      expect(checked.limits[0]!.success).toBe(false);
      expect(['skipped', 'acquired']).toContain(checked.claim?.status);
    });
  });
}
