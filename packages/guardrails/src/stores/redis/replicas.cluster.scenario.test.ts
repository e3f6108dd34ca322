import { parseInfo, redisCli, startSlotMove } from 'upstash-local/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../store-contract/describe-store.js';
import { keysByMaster, proxiedClusterForThisFile } from '../../testing/proxied-cluster.js';
import {
  CLIENT_KINDS,
  type ClientKind,
  clusterClient,
  type TestClient,
} from '../../testing/redis-clients.js';
import { counterOf, incr } from '../../testing/test-scripts.js';
import { ReplicaShortfall } from '../lua/replica-shortfall.js';
import { createScriptRunner, type ScriptRunner } from './script-runner.js';

const fixture = proxiedClusterForThisFile();
const { proxies, dialPorts } = fixture;

const durable = <T extends object>(call: T) => ({ ...call, durable: true });
const waitCalls = async (port: number) =>
  Number(
    /calls=(\d+)/.exec(parseInfo(await redisCli(port, 'INFO', 'commandstats')).cmdstat_wait ?? '')?.[1] ?? 0,
  );

/** One key of a slot of its own on every master, by master port. */
async function keyPerMaster(k: string): Promise<Map<number, string>> {
  const byMaster = await keysByMaster(fixture.cluster, k, 1);
  return new Map([...byMaster].map(([port, [key]]) => [port, key!]));
}

describe.each(CLIENT_KINDS)('WAIT after durable calls on a Redis Cluster, %s', (kind: ClientKind) => {
  let client: TestClient;
  let runner: ScriptRunner;

  beforeAll(async () => {
    client = await clusterClient(kind, fixture.cluster.seeds, 'fail-fast', dialPorts);
    runner = createScriptRunner(client.client, { replicas: { count: 1, timeoutMs: 200 } });
  });
  afterAll(() => client?.close());

  it('each master gets its calls and WAIT in one pipeline: one round trip per master, one WAIT each', async () => {
    const byMaster = await keyPerMaster(uniquePrefix('cw'));
    const keys = [...byMaster.values()];
    await runner.run(keys.map((key) => durable(incr(key)))); // loads the script everywhere
    const before = await Promise.all([...byMaster.keys()].map(waitCalls));
    for (const proxy of proxies.values()) proxy.reset();

    const results = await runner.run(keys.flatMap((key) => [durable(incr(key)), incr(`${key}:plain`)]));

    expect(results.map(counterOf)).toEqual(keys.flatMap(() => [2, 1]));
    const after = await Promise.all([...byMaster.keys()].map(waitCalls));
    expect(after).toEqual(before.map((calls) => calls + 1));
    const wire = Object.fromEntries(Array.from(proxies, ([port, proxy]) => [port, proxy.roundTrips]));
    expect(wire).toEqual(
      Object.fromEntries(fixture.cluster.nodes.map(({ port }) => [port, byMaster.has(port) ? 1 : 0])),
    );
  });

  it('with the replicas of one master cut off, its durable calls fall short; the other masters are unaffected', async () => {
    const byMaster = await keyPerMaster(uniquePrefix('cut'));
    const [[cutPort, cutKey], ...others] = [...byMaster] as [[number, string], ...[number, string][]];
    const cut = await fixture.cluster.cutOffReplicasOf(cutKey);
    expect(cut.master.port).toBe(cutPort);
    let results: readonly unknown[];
    const start = Date.now();
    try {
      results = await runner.run([
        durable(incr(cutKey)),
        incr(`${cutKey}:plain`),
        ...others.map(([, key]) => durable(incr(key))),
      ]);
    } finally {
      cut.resume();
    }
    const elapsed = Date.now() - start;
    expect(results[0]).toBeInstanceOf(ReplicaShortfall);
    expect(counterOf((results[0] as ReplicaShortfall).reply)).toBe(1);
    expect(results.slice(1).map(counterOf)).toEqual([1, ...others.map(() => 1)]);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    console.info(`[${kind}] replicas cut off: shortfall after ${elapsed} ms (timeoutMs 200)`);

    await fixture.cluster.waitUntilHealthy();
    expect(counterOf((await runner.run([durable(incr(cutKey))]))[0])).toBe(2);
  });

  it('costs replication time, not a round trip: sequential calls with and without WAIT', async () => {
    const key = `{${uniquePrefix('lat')}}`;
    const plain = createScriptRunner(client.client);
    const time = async (target: ScriptRunner, call: ReturnType<typeof incr>) => {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const start = performance.now();
        const [reply] = await target.run([call]);
        if (reply instanceof Error) throw reply;
        if (i >= 50) times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
    };
    const without = await time(plain, durable(incr(key)));
    const waited = await time(runner, durable(incr(key)));
    const format = ({ p50, p99 }: { p50: number; p99: number }) =>
      `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`;
    console.info(
      `[${kind}] one durable call, cluster on loopback: no WAIT ${format(without)}; WAIT 1: ${format(waited)}`,
    );
    // The replica answered: nothing waited for the 200 ms timeout.
    expect(waited.p99).toBeLessThan(200);
  });

  it('a durable call redirected during a slot migration (ASK, then MOVED) gets its WAIT where it ran', async () => {
    const byMaster = await keyPerMaster(uniquePrefix('mv'));
    const [[, moving], [to]] = [...byMaster] as [[number, string], [number, string]];
    const fresh = `${moving}:fresh`; // same slot, not on the old owner yet: ASK
    await runner.run([durable(incr(moving))]);
    const move = await startSlotMove(fixture.cluster, moving, to);
    try {
      const before = await waitCalls(to);
      const [asked] = await runner.run([durable(incr(fresh))]);
      expect(counterOf(asked)).toBe(1);
      expect(await waitCalls(to)).toBeGreaterThan(before);
    } finally {
      await move.finish();
    }
    const before = await waitCalls(to);
    const [moved] = await runner.run([durable(incr(moving))]); // the slot table is stale: MOVED
    expect(counterOf(moved)).toBe(2);
    expect(await waitCalls(to)).toBeGreaterThan(before);
  });
});
