import { type RedisCluster, startRedisCluster } from 'upstash-local/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../store-contract/describe-store.js';
import { type FailoverFleet, startFailoverFleet } from '../../testing/failover-fleet.js';
import { type FailoverScenario, runFailoverRound } from '../../testing/failover-storm.js';
import { formatFailoverRound } from '../../testing/failover-table.js';
import { CLIENT_KINDS } from '../../testing/redis-clients.js';
import type { ReplicaWait } from './script-runner.js';

/**
 * A storm of duplicates over three guard instances per client while the master owning some of
 * the records dies and a replica takes over. Short here; the long run is
 * `pnpm --filter trpc-guardrails failover -- --intents 2000` (scripts/failover.mjs sets these).
 */
const INTENTS = Number(process.env.FAILOVER_INTENTS ?? 60);
const SCENARIOS = (process.env.FAILOVER_SCENARIOS ?? 'partition').split(',') as FailoverScenario[];
/** Launches per second per fleet: the storm lasts intents / rate seconds. */
const RATE = Number(process.env.FAILOVER_RATE ?? 20);
const WAIT_ONE: ReplicaWait = { count: 1, timeoutMs: 50 };

let cluster: RedisCluster;
/** Masters promoted by an earlier round: their shard has one replica left, so they are spared. */
const promoted = new Set<number>();

beforeAll(async () => {
  // Two replicas per master: after a failover the new master still has one, so WAIT 1 can succeed.
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 2 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('failover of a Redis Cluster master during a storm of duplicates (3 instances per client, real HTTP)', () => {
  it.each(SCENARIOS)(
    '%s: every intent is answered; an intent runs twice only where the failover lost its record',
    async (scenario) => {
      const started = Date.now();
      const fleets: FailoverFleet[] = [];
      for (const kind of CLIENT_KINDS) {
        for (const replicas of [undefined, WAIT_ONE]) {
          fleets.push(
            await startFailoverFleet({ kind, seeds: cluster.seeds, prefix: uniquePrefix('fo'), replicas }),
          );
        }
      }
      const round = await runFailoverRound({
        cluster,
        fleets,
        scenario,
        intents: INTENTS,
        duplicates: 3,
        stormMs: (INTENTS / RATE) * 1000,
        spareMasters: promoted,
      });
      promoted.add(round.failover.promoted.port);
      console.log(formatFailoverRound(round, Date.now() - started));

      for (const verdict of round.verdicts) {
        const detail = JSON.stringify(verdict);
        expect(verdict.unanswered, `unanswered intents, ${detail}`).toEqual([]);
        expect(verdict.executions, detail).toBeGreaterThanOrEqual(verdict.intents);
        // The promise: a second execution only where the failover lost the first one's record.
        expect(verdict.unexplained, `doubles no lost record explains, ${detail}`).toEqual([]);
        if (verdict.label.includes('WAIT')) {
          // What WAIT promises: nothing counts as stored before a replica has it, so no claim or
          // outcome was acknowledged while the replicas were cut off, none was lost, and no double
          // goes unreported.
          expect(verdict.ackedWhileCut, detail).toEqual([]);
          expect(verdict.lostOutcomes, detail).toEqual([]);
          expect(
            verdict.doubles.filter((key) => !verdict.reported.includes(key)),
            detail,
          ).toEqual([]);
        } else {
          // Every write the victim acknowledged with its replicas cut off died with it, and the
          // harness sees each loss: a lost outcome, or an owner fenced because its claim was lost.
          const seen = new Set([...verdict.lostOutcomes, ...verdict.fencedOwners]);
          expect(
            verdict.ackedWhileCut.filter((key) => !seen.has(key)),
            detail,
          ).toEqual([]);
        }
      }
    },
    Math.max(90_000, (INTENTS / RATE) * 1000 * 4),
  );
});
