import { detectStoreKind } from 'demo-server';
import { describe, expect, it } from 'vitest';
import { formatVerdict } from '../cli/nemesis/checker.js';
import { FAULTS, type NemesisOptions } from '../cli/nemesis/nemesis-options.js';
import { runNemesis } from '../cli/nemesis/run-nemesis.js';

const hasRedis = detectStoreKind({ PATH: process.env.PATH }) === 'local';

/** Short runs for CI; `pnpm nemesis -- --duration 600` is the long one. */
const base: Omit<NemesisOptions, 'seed' | 'faults'> = {
  durationS: 20,
  servers: 3,
  rate: 4,
  duplicates: 4,
  leaseS: 2,
  flaky: 0.1,
  json: false,
};

describe.skipIf(!hasRedis)('a seeded nemesis over three demo-server processes on one upstash-local', () => {
  it('store stalls longer than the lease (redis-server and the gateway SIGSTOPped): every intent runs once', async () => {
    const seed = 20261130;
    const verdict = await runNemesis({
      ...base,
      seed,
      faults: ['stall-redis', 'stall-gateway', 'outage'],
    });
    console.log(formatVerdict(verdict, seed));
    expect(verdict.unexplained).toEqual([]);
    expect(verdict.answered).toBe(verdict.intents);
    expect(verdict.faults['stall-redis'] ?? 0).toBeGreaterThan(0);
    // Nothing here lets an owner lose its lease: no takeover, no second execution, no second charge.
    expect(verdict.reported).toEqual({ outcomeLost: 0, takeovers: 0 });
    expect(verdict.executions).toBe(verdict.intents);
    expect(verdict.charges).toBe(verdict.intents);
  }, 120_000);

  it('every fault (stalls, pauses, kills, 503s, dropped links, lost responses): one answer and one charge per intent, or reported', async () => {
    const seed = 424242;
    const verdict = await runNemesis({
      ...base,
      seed,
      faults: [...FAULTS],
    });
    console.log(formatVerdict(verdict, seed));
    expect(verdict.unexplained).toEqual([]);
    expect(verdict.answered).toBe(verdict.intents);
  }, 120_000);
});
