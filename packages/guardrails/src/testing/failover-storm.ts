import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import type { Failover, RedisCluster } from 'upstash-local/cluster';
import { keySlot } from '../stores/key-slot.js';
import { type AckedWrite, type FailoverFleet, probeLatency } from './failover-fleet.js';
import { payUntilAnswered } from './pay-server.js';

/**
 * `kill`: SIGKILL of a master mid-storm; its replica takes over. `partition`: the master's
 * replicas are cut off first (SIGSTOP, links dropped) for `cutMs` while it goes on
 * acknowledging writes, then it is SIGKILLed — the writes of that window die with it.
 */
export type FailoverScenario = 'kill' | 'partition';

export interface FailoverRoundOptions {
  cluster: RedisCluster;
  fleets: readonly FailoverFleet[];
  scenario: FailoverScenario;
  /** Intents per fleet. */
  intents: number;
  /** Requests per intent during the storm; one more retries every intent after it. */
  duplicates: number;
  /** Intents start evenly over this time; the failover starts a third into it. */
  stormMs: number;
  /** How long the replicas stay cut off before the master dies (`partition`). @default 500 */
  cutMs?: number;
  /** Masters not to kill (their shard already failed over once). */
  spareMasters?: ReadonlySet<number>;
}

/** One fleet's figures after a round. */
export interface FleetVerdict {
  label: string;
  intents: number;
  executions: number;
  /** Intents whose handler ran more than once. */
  doubles: string[];
  /** Intents with a request that got no answer before its deadline. */
  unanswered: string[];
  /** Intents with an outcome the store acknowledged that is no longer their record's. */
  lostOutcomes: string[];
  /** Intents whose owner's complete was fenced: its claim was lost (or taken over). */
  fencedOwners: string[];
  /** Intents the guard itself reported: an `outcome-lost` event, or an execution taking over a lapsed lease. */
  reported: string[];
  /** Doubles none of the above explains: what must never happen. */
  unexplained: string[];
  /**
   * `partition`: intents whose claim or outcome the victim master acknowledged while its replicas
   * were cut off — writes the failover must lose.
   */
  ackedWhileCut: string[];
  /** Why each double ran twice, e.g. `lost outcome, outcome-lost (expired)`. */
  why: Record<string, string>;
  /** Time to answer one new intent on a quiet cluster before the storm, ms. */
  p50: number;
  p99: number;
}

export interface FailoverRound {
  scenario: FailoverScenario;
  failover: Failover;
  /** Victim record the failover was aimed at. */
  victim: string;
  verdicts: FleetVerdict[];
}

interface Answer {
  ok: boolean;
  ms: number;
}

/**
 * A storm of duplicates over every fleet at once while the master of some records fails over,
 * then one more request per intent (a client retrying after the failover), then the verdict:
 * the ledger, the answers, and every acknowledged outcome read back from the cluster.
 */
export async function runFailoverRound(options: FailoverRoundOptions): Promise<FailoverRound> {
  const { cluster, fleets, scenario, intents, duplicates, stormMs, cutMs = 500 } = options;
  const keys = fleets.map(() => Array.from({ length: intents }, () => randomUUID()));
  const answers = fleets.map(() => new Map<string, Answer[]>());
  const quiet = await Promise.all(fleets.map((fleet) => probeLatency(fleet, 30)));
  const start = Date.now();
  const deadline = () => Date.now() + 45_000;
  let launched = 0;

  const send = async (fleetIndex: number, intent: number, copy: number) => {
    const fleet = fleets[fleetIndex]!;
    const key = keys[fleetIndex]![intent]!;
    const url = fleet.urls[(intent + copy) % fleet.urls.length]!;
    const startedAt = Date.now();
    const answer = await payUntilAnswered(url, { idempotencyKey: key, cents: intent })(deadline());
    const list = answers[fleetIndex]!.get(key) ?? [];
    list.push({ ok: answer.ok, ms: Date.now() - startedAt });
    answers[fleetIndex]!.set(key, list);
  };
  const launchIntent = (intent: number) =>
    fleets.flatMap((_, fleetIndex) =>
      Array.from({ length: duplicates }, async (_, copy) => {
        // Two at once, the others trailing: duplicates before, during and after the owner's run.
        if (copy > 1) await sleep((copy - 1) * 150);
        await send(fleetIndex, intent, copy);
      }),
    );

  const failing = (async () => {
    await sleep(stormMs / 3);
    const victim = await pickVictim(cluster, fleets[0]!, keys[0]!.slice(0, Math.max(1, launched)), options);
    if (scenario === 'kill') return { victim, failover: await cluster.killMasterOf(victim) };
    const cut = await cluster.cutOffReplicasOf(victim);
    // A margin for answers already on their way when the links were dropped.
    const cutAt = Date.now() + 50;
    await sleep(cutMs);
    let killedAt = Number.POSITIVE_INFINITY;
    const afterKill = () => {
      killedAt = Date.now();
      cut.resume();
    };
    const failover = await cluster.killMasterOf(victim, { afterKill });
    return { victim, failover, cutWindow: [cutAt, killedAt] as const };
  })();

  const storm: Promise<void>[] = [];
  for (let intent = 0; intent < intents; intent++) {
    await sleep(Math.max(0, start + (intent * stormMs) / intents - Date.now()));
    launched = intent + 1;
    storm.push(...launchIntent(intent));
  }
  await Promise.all(storm);
  const { victim, failover, cutWindow } = await failing;
  // Every intent once more, as a client retrying after the failover would.
  await Promise.all(
    Array.from({ length: intents }, (_, intent) =>
      fleets.map((_, fleetIndex) => send(fleetIndex, intent, duplicates)),
    ).flat(),
  );
  await Promise.all(fleets.map((fleet) => fleet.close()));

  const reader = new Cluster(cluster.seeds.filter((seed) => isAlive(cluster, seed.port)));
  reader.on('error', () => {});
  try {
    // The promoted replica serves what the killed master served.
    const victimSlots = (await reader.cluster('SLOTS')).filter(
      ([, , master]) => master?.[1] === failover.promoted.port,
    );
    const wasOnVictim = (key: string) => {
      const slot = keySlot(key);
      return victimSlots.some(([from, to]) => slot >= from && slot <= to);
    };
    const ackedWhileCut = (write: AckedWrite) =>
      cutWindow !== undefined && write.at > cutWindow[0] && write.at < cutWindow[1] && wasOnVictim(write.key);
    const verdicts = [];
    for (const [index, fleet] of fleets.entries())
      verdicts.push(await judge(fleet, keys[index]!, answers[index]!, quiet[index]!, reader, ackedWhileCut));
    return { scenario, failover, victim, verdicts };
  } finally {
    reader.disconnect();
  }
}

async function pickVictim(
  cluster: RedisCluster,
  fleet: FailoverFleet,
  launchedKeys: readonly string[],
  { spareMasters }: FailoverRoundOptions,
): Promise<string> {
  for (const key of [...launchedKeys].reverse()) {
    const record = fleet.recordKey(key);
    if (!spareMasters?.has((await cluster.masterForKey(record)).port)) return record;
  }
  throw new Error('no launched intent lives on a master that may be killed');
}

async function judge(
  fleet: FailoverFleet,
  keys: readonly string[],
  answers: Map<string, Answer[]>,
  quiet: readonly number[],
  reader: Cluster,
  ackedWhileCut: (write: AckedWrite) => boolean,
): Promise<FleetVerdict> {
  const { record } = fleet;
  const intentOf = (recordKey: string) => recordKey.slice(recordKey.lastIndexOf(':') + 1, -1);
  const stored = await Promise.all(
    record.stored.map(async (write) => {
      const [state, claimId] = await reader.hmget(write.key, 's', 'c');
      return { write, kept: state === 'd' && claimId === write.claimId };
    }),
  );
  const lostOutcomes = unique(stored.filter(({ kept }) => !kept).map(({ write }) => intentOf(write.key)));
  const fencedOwners = unique(record.fenced.map((write) => intentOf(write.key)));
  const reported = unique(
    record.events.flatMap((event) =>
      event.type === 'outcome-lost' || (event.type === 'executed' && event.takeover) ? [event.key] : [],
    ),
  );
  const doubles = keys.filter((key) => (record.executions.get(key) ?? 0) > 1);
  const explained = new Set([...lostOutcomes, ...fencedOwners, ...reported]);
  const notes = (key: string) => [
    ...(lostOutcomes.includes(key) ? ['an acknowledged outcome the failover lost'] : []),
    ...(fencedOwners.includes(key) ? ["the owner's complete fenced (its claim was lost)"] : []),
    ...record.events.flatMap((event) => {
      if (event.type === 'outcome-lost' && event.key === key) return [`outcome-lost (${event.reason})`];
      if (event.type === 'executed' && event.key === key && event.takeover)
        return ['takeover of a lapsed lease'];
      return [];
    }),
  ];
  return {
    label: fleet.label,
    intents: keys.length,
    executions: keys.reduce((sum, key) => sum + (record.executions.get(key) ?? 0), 0),
    doubles,
    unanswered: keys.filter((key) => !(answers.get(key) ?? []).every((answer) => answer.ok)),
    lostOutcomes,
    fencedOwners,
    reported,
    unexplained: doubles.filter((key) => !explained.has(key)),
    ackedWhileCut: unique(
      [...record.claims, ...record.stored].filter(ackedWhileCut).map((write) => intentOf(write.key)),
    ),
    why: Object.fromEntries(doubles.map((key) => [key, notes(key).join(', ') || 'nothing: unexplained'])),
    p50: percentile(quiet, 0.5),
    p99: percentile(quiet, 0.99),
  };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function isAlive(cluster: RedisCluster, port: number): boolean {
  return cluster.nodes.some((node) => node.port === port && node.alive);
}
