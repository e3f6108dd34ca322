import { type RedisCluster, startRedisCluster } from 'upstash-local/cluster';
import { afterAll, beforeAll, expect } from 'vitest';
import { type RoundTripProxy, startRoundTripProxy } from './round-trip-proxy.js';

/** A Redis Cluster for one test file, with a round-trip counting proxy in front of every node. */
export interface ProxiedCluster {
  /** Set before the file's tests run. */
  cluster: RedisCluster;
  /** The proxy in front of each node, by the node's real port. */
  readonly proxies: Map<number, RoundTripProxy>;
  /** The port a client dials for each node (its proxy's), by the node's real port. */
  readonly dialPorts: Map<number, number>;
}

/**
 * Starts 3 masters with a replica each (real `redis-server`s joined by `redis-cli --cluster
 * create`) for the test file, and after it checks that stopping left no `redis-server` behind.
 */
export function proxiedClusterForThisFile(): ProxiedCluster {
  const fixture = { proxies: new Map(), dialPorts: new Map() } as ProxiedCluster;
  beforeAll(async () => {
    const start = Date.now();
    fixture.cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    console.info(`cluster of 3 masters + 3 replicas ready in ${Date.now() - start} ms`);
    for (const node of fixture.cluster.nodes) {
      const proxy = await startRoundTripProxy(node.port);
      fixture.proxies.set(node.port, proxy);
      fixture.dialPorts.set(node.port, proxy.port);
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Array.from(fixture.proxies.values(), (proxy) => proxy.close()));
    const { cluster } = fixture;
    if (!cluster) return;
    await cluster.stop();
    const running = cluster.nodes.filter(({ pid }) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(running, 'redis-servers left running after stop()').toEqual([]);
  });
  return fixture;
}

/** `perMaster` keys of distinct slots for every live master, each master found by the cluster itself. */
export async function keysByMaster(
  cluster: RedisCluster,
  k: string,
  perMaster: number,
): Promise<Map<number, string[]>> {
  const masters = cluster.nodes.filter((node) => node.alive && node.role === 'master');
  const byMaster = new Map<number, string[]>(masters.map((node) => [node.port, []]));
  for (let i = 0; [...byMaster.values()].some((keys) => keys.length < perMaster); i++) {
    if (i > 1000) throw new Error(`no keys for some of the masters ${[...byMaster.keys()].join(', ')}`);
    const key = `{${k}${i}}`;
    const keys = byMaster.get((await cluster.masterForKey(key)).port)!;
    if (keys.length < perMaster) keys.push(key);
  }
  return byMaster;
}
