import { Redis } from 'ioredis';
import { parseInfo, redisCli, startSlotMove } from 'upstash-local/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysByMaster, proxiedClusterForThisFile } from '../../testing/proxied-cluster.js';
import {
  CLIENT_KINDS,
  type ClientKind,
  clusterClient,
  type TestClient,
} from '../../testing/redis-clients.js';
import { counterOf, INCR_SCRIPT, incr } from '../../testing/test-scripts.js';
import { keySlot } from '../key-slot.js';
import { createScriptRunner, type ScriptRunner } from './script-runner.js';

const fixture = proxiedClusterForThisFile();
const { proxies, dialPorts } = fixture;

let prefixes = 0;
const prefix = () => `cl-${Date.now().toString(36)}-${prefixes++}:`;

/** The real port behind a node label of the runner (`host:port`, a proxy's for ioredis). */
function realPort(label: string): number {
  const port = Number(label.split(':').pop());
  for (const [real, dial] of dialPorts) if (dial === port) return real;
  return port;
}

it('keySlot() agrees with CLUSTER KEYSLOT, hash tags and their edge cases included', async () => {
  const keys = [
    'a',
    '{user:1}:x',
    '{user:1}:y',
    'foo{}{bar}',
    '{}',
    '{a',
    'a}',
    '}{a}',
    '{{a}}',
    'ü{ñ}é',
    '',
  ];
  for (let i = 0; i < 200; i++) keys.push(`k:${i}:${Math.random().toString(36)}`);
  const admin = new Redis({ host: '127.0.0.1', port: fixture.cluster.nodes[0]!.port });
  try {
    const pipeline = admin.pipeline();
    for (const key of keys) pipeline.call('CLUSTER', 'KEYSLOT', key);
    const slots = (await pipeline.exec())!.map(([, slot]) => Number(slot));
    expect(keys.map(keySlot)).toEqual(slots);
  } finally {
    admin.disconnect();
  }
});

describe.each(CLIENT_KINDS)('script runner on a Redis Cluster, %s', (kind: ClientKind) => {
  let client: TestClient;
  let runner: ScriptRunner;
  const trips: [string, number][] = [];

  beforeAll(async () => {
    client = await clusterClient(kind, fixture.cluster.seeds, 'fail-fast', dialPorts);
    runner = createScriptRunner(client.client, { onRoundTrip: (node, calls) => trips.push([node, calls]) });
  });
  afterAll(() => client?.close());

  function tripsByPort(): Record<number, number[]> {
    const byPort: Record<number, number[]> = {};
    for (const [node, calls] of trips) byPort[realPort(node)] = [...(byPort[realPort(node)] ?? []), calls];
    return byPort;
  }
  const wire = () => Object.fromEntries(Array.from(proxies, ([port, proxy]) => [port, proxy.roundTrips]));
  const reset = () => {
    trips.length = 0;
    for (const proxy of proxies.values()) proxy.reset();
  };

  it('sends one pipeline per master, all at once: one round trip on each master, none elsewhere', async () => {
    expect(runner.topology).toBe('cluster');
    const byMaster = await keysByMaster(fixture.cluster, prefix(), 3);
    // Interleaved, so grouping (not the caller's order) makes the pipelines.
    const keys = [0, 1, 2].flatMap((i) => [...byMaster.values()].map((list) => list[i]!));
    await runner.run(keys.map((key) => incr(key))); // loads the script on every master
    reset();

    const results = await runner.run(keys.map((key) => incr(key, 10)));

    expect(results.map(counterOf)).toEqual(keys.map(() => 11));
    const expected = Object.fromEntries([...byMaster.keys()].map((port) => [port, [3]]));
    expect(tripsByPort()).toEqual(expected);
    const expectedWire = Object.fromEntries(
      fixture.cluster.nodes.map((node) => [node.port, byMaster.has(node.port) ? 1 : 0]),
    );
    expect(wire()).toEqual(expectedWire);
  });

  it('during a slot migration follows ASK, after it MOVED; the rest of the pipeline is untouched', async () => {
    const [[from, [moving, staying]], [to]] = [...(await keysByMaster(fixture.cluster, prefix(), 2))] as [
      [number, string[]],
      [number, string[]],
    ];
    const fresh = `${moving}:fresh`; // same hash tag, so same slot; not on the old owner
    const run = async () => (await runner.run([incr(moving!), incr(fresh), incr(staying!)])).map(counterOf);
    await runner.run([incr(moving!), incr(staying!)]);

    const move = await startSlotMove(fixture.cluster, moving!, to);
    try {
      expect(move.from).toBe(from);
      // `moving` is still on the old owner, `fresh` is not: ASK sends it to the new one.
      expect(await run()).toEqual([2, 1, 2]);
      expect(await redisCli(to, 'CLUSTER', 'COUNTKEYSINSLOT', String(move.slot))).toBe('1\n');
    } finally {
      await move.finish();
    }
    expect(await run()).toEqual([3, 2, 3]); // MOVED: the client's slot table was stale
    expect(await fixture.cluster.masterForKey(moving!)).toMatchObject({ port: to });
    expect(await run()).toEqual([4, 3, 4]);
  });

  it('after SCRIPT FLUSH on every node: each master gets one EVAL pipeline, once', async () => {
    const byMaster = await keysByMaster(fixture.cluster, prefix(), 2);
    const keys = [...byMaster.values()].flat();
    await Promise.all(fixture.cluster.nodes.map((node) => redisCli(node.port, 'SCRIPT', 'FLUSH')));
    reset();

    expect((await runner.run(keys.map((key) => incr(key)))).map(counterOf)).toEqual(keys.map(() => 1));
    expect(tripsByPort()).toEqual(Object.fromEntries([...byMaster.keys()].map((port) => [port, [2, 2]])));
    expect(Object.values(wire()).reduce((sum, trips) => sum + trips, 0)).toBe(2 * byMaster.size);

    reset();
    expect((await runner.run(keys.map((key) => incr(key)))).map(counterOf)).toEqual(keys.map(() => 2));
    expect(Object.values(wire()).reduce((sum, trips) => sum + trips, 0)).toBe(byMaster.size);
  });
});

/** One runner under failure: its client, and what each of its batches answered, when. */
interface Subject {
  label: string;
  client: TestClient;
  runner: ScriptRunner;
}

describe('script runner through failures of a Redis Cluster (both clients, both settings)', () => {
  const subjects: Subject[] = [];
  let keys: string[];

  beforeAll(async () => {
    for (const kind of CLIENT_KINDS) {
      for (const settings of ['fail-fast', 'defaults'] as const) {
        const client = await clusterClient(kind, fixture.cluster.seeds, settings);
        subjects.push({ label: `${kind} (${settings})`, client, runner: createScriptRunner(client.client) });
      }
    }
    keys = [...(await keysByMaster(fixture.cluster, prefix(), 1)).values()].flat();
    for (const { runner } of subjects) {
      expect(
        (await runner.run(keys.map((key) => incr(key)))).every((reply) => !(reply instanceof Error)),
      ).toBe(true);
    }
  });
  afterAll(async () => {
    await Promise.all(subjects.map(({ client }) => client.close()));
  });

  it('after SIGKILL of a master, every runner recovers: MOVED followed, script reloaded on the promoted replica', async () => {
    const victim = keys[0]!;
    const replicas = fixture.cluster.nodes.filter((node) => node.role === 'replica');
    for (const replica of replicas) {
      // Scripts do not replicate: a promoted replica starts with an empty script cache.
      expect(await redisCli(replica.port, 'SCRIPT', 'EXISTS', INCR_SCRIPT.sha1)).toBe('0\n');
    }
    let failoverDone = false;
    const killedAt = Date.now();
    const loops = subjects.map((subject) => batchesUntilHealthy(subject, () => failoverDone, killedAt));
    const failover = await fixture.cluster.killMasterOf(victim);
    failoverDone = true;
    const timelines = await Promise.all(loops);

    console.info(`failover: ${failover.killed.port} → ${failover.promoted.port} in ${failover.ms} ms`);
    for (const timeline of timelines) console.info(timeline.summary);
    for (const timeline of timelines)
      expect(timeline.recoveredAfterMs, timeline.summary).toBeLessThan(20_000);
    const stats = parseInfo(await redisCli(failover.promoted.port, 'INFO', 'commandstats'));
    expect(stats.cmdstat_eval, 'EVAL ran on the promoted replica').toMatch(/^calls=\d+/);
  }, 40_000);

  it('with a whole shard gone (CLUSTERDOWN), every call answers with an Error within a bounded time', async () => {
    const down = await fixture.cluster.killShardOf(keys[1]!);
    console.info(
      `shard of ${down.killed.map((node) => node.port).join(' + ')} killed; cluster_state:fail after ${down.ms} ms`,
    );
    const outcomes = await Promise.all(
      subjects.map(async ({ label, runner }) => {
        const start = Date.now();
        const results = await runner.run(keys.map((key) => incr(key)));
        const messages = results.map((reply) => (reply instanceof Error ? reply.message : 'ok'));
        return { label, ms: Date.now() - start, messages };
      }),
    );
    for (const { label, ms, messages } of outcomes) {
      console.info(`CLUSTERDOWN, ${label}: ${ms} ms: ${[...new Set(messages)].join(' | ')}`);
      expect(
        messages.every((message) => message !== 'ok'),
        label,
      ).toBe(true);
      expect(ms, label).toBeLessThan(8_000);
    }
  }, 30_000);

  async function batchesUntilHealthy(subject: Subject, healthy: () => boolean, since: number) {
    const errors = new Map<string, number>();
    let firstErrorAt: number | undefined;
    let slowest = 0;
    for (;;) {
      const start = Date.now();
      const results = await subject.runner.run(keys.map((key) => incr(key)));
      slowest = Math.max(slowest, Date.now() - start);
      const failed = results.filter((reply): reply is Error => reply instanceof Error);
      for (const error of failed)
        errors.set(error.message.slice(0, 90), (errors.get(error.message.slice(0, 90)) ?? 0) + 1);
      if (failed.length > 0) firstErrorAt ??= Date.now() - since;
      const recoveredAfterMs = Date.now() - since;
      if ((failed.length === 0 && healthy()) || recoveredAfterMs > 20_000) {
        const kinds = [...errors].map(([message, count]) => `${count}× ${message}`).join('; ');
        const summary =
          `${subject.label}: recovered ${recoveredAfterMs} ms after the SIGKILL, first error at ` +
          `${firstErrorAt ?? '-'} ms, slowest batch ${slowest} ms; errors: ${kinds || 'none'}`;
        return { recoveredAfterMs, summary };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
