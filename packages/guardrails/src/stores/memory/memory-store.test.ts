import { describe, expect, it } from 'vitest';
import { fixedWindow } from '../../rate-limit/algorithms.js';
import { describeStore } from '../../store-contract/describe-store.js';
import { memoryStore } from './memory-store.js';

describe('memoryStore', () => {
  const shared = memoryStore();
  describeStore('memory', () => ({ store: shared, sibling: () => shared }));
  const limited = memoryStore({ maxResultBytes: 4096 });
  describeStore('memory with maxResultBytes', () => ({ store: limited, sibling: () => limited }));

  it('rejects bad options with a message that says what to pass', () => {
    expect(() => memoryStore({ sweepIntervalMs: -1 })).toThrow(
      /memoryStore\(\{ sweepIntervalMs \}\) must be a number of milliseconds >= 0, got -1/,
    );
    expect(() => memoryStore({ now: 5 as never })).toThrow(/memoryStore\(\{ now \}\) must be a function/);
  });

  it('drops expired counters and records, so memory stays bounded', async () => {
    let now = 1_000_000;
    const store = memoryStore({ now: () => now, sweepIntervalMs: 10 });
    for (let i = 0; i < 100; i++) {
      await store.check({
        limits: [{ prefix: 'p', identifier: `{${i}}`, limiter: fixedWindow(5, '1 s'), cost: 1 }],
        claim: {
          key: `p:idem:{${i}}`,
          fingerprint: 'f',
          claimId: `c${i}`,
          leaseMs: 500,
          ttlMs: 1_000,
          graceMs: 50,
          deadline: Date.now() + 1_000,
        },
      });
    }
    expect(store.size).toBe(200);
    now += 5_000;
    await store.check({ limits: [] });
    expect(store.size).toBe(0);
  });

  it('spreads a big sweep over calls, a few thousand entries each, and finishes it', async () => {
    let now = 1_000_000;
    const store = memoryStore({ now: () => now, sweepIntervalMs: 60_000 });
    const limits = Array.from({ length: 100 }, (_, i) => ({
      prefix: 'p',
      identifier: `{${i}}`,
      limiter: fixedWindow(5, '1 s'),
      cost: 1,
    }));
    await store.check({ limits: [] }); // the first sweep, of nothing: the next is a minute away
    for (let batch = 0; batch < 100; batch++) {
      await store.check({
        limits: limits.map((limit) => ({ ...limit, identifier: `{${batch}:${limit.identifier}}` })),
      });
    }
    expect(store.size).toBe(10_000);
    now += 61_000;
    await store.check({ limits: [] });
    const afterOne = store.size;
    expect(afterOne).toBeGreaterThan(0); // one call did not walk all 10,000
    expect(afterOne).toBeLessThan(10_000);
    for (let call = 0; call < 10; call++) await store.check({ limits: [] });
    expect(store.size).toBe(0);
  });
});
