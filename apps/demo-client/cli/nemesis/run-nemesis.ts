import { setTimeout as sleep } from 'node:timers/promises';
import type { Charge } from 'demo-server';
import { createStormClient } from '../storm-client.js';
import { checkRun, type Verdict } from './checker.js';
import { runFaultSchedule } from './faults.js';
import { startFleet } from './fleet.js';
import type { NemesisOptions } from './nemesis-options.js';
import { seededRandom } from './prng.js';
import { runShoppers } from './shoppers.js';

/** How long after the last fault requests may keep retrying, and outcomes keep landing. */
const SETTLE_MS = 45_000;

/**
 * One nemesis run: a fleet of demo servers on one store, shoppers for `durationS` seconds, a
 * seeded fault schedule over the same time, then every fault repaired and the run checked.
 */
export async function runNemesis(
  options: NemesisOptions,
  log: (line: string) => void = () => {},
): Promise<Verdict> {
  const runId = options.seed.toString(36);
  const fleet = await startFleet({
    count: options.servers,
    prefix: `nemesis-${runId}-${Date.now().toString(36)}`,
    leaseS: options.leaseS,
  });
  try {
    const startedAt = Date.now();
    const until = startedAt + options.durationS * 1000;
    log(
      `[nemesis] seed ${options.seed}: ${options.servers} servers, ${options.durationS} s of faults (${options.faults.join(', ')})`,
    );
    const [shopped, faults] = await Promise.all([
      runShoppers({
        urls: fleet.servers.map((server) => server.url),
        random: seededRandom(options.seed ^ 0x9e3779b9),
        runId,
        rate: options.rate,
        duplicates: options.duplicates,
        flaky: options.flaky,
        until,
        deadline: until + SETTLE_MS,
      }),
      runFaultSchedule({
        fleet,
        kinds: options.faults,
        random: seededRandom(options.seed),
        leaseMs: options.leaseS * 1000,
        startedAt,
        until,
      }),
    ]);
    // Outcomes still retried in the background land within a few seconds once nothing fails.
    await sleep(3_000);
    const reader = createStormClient(fleet.servers[0]!.url);
    const charges = new Map<string, Charge[]>();
    for (const intent of shopped.intents) {
      charges.set(
        intent.idempotencyKey,
        await reader.ledger.lookup.query({ owner: intent.owner, idempotencyKey: intent.idempotencyKey }),
      );
    }
    const stats = await reader.ledger.stats.query();
    return checkRun({
      intents: shopped.intents,
      chargesOf: (intent) => charges.get(intent.idempotencyKey) ?? [],
      staleAttempts: stats.staleAttempts,
      log: fleet.log,
      faults,
      shoppers: shopped.tally,
    });
  } finally {
    await fleet.stop();
  }
}
