import { ownerOfSlot, parseClusterNodes, viewSignature } from './clusterNodes.js';
import { parseInfo, pollUntil, redisCli, runRedisCli } from './redisCli.js';
import { startClusterNode } from './startClusterNode.js';

/** One redis-server of a {@link RedisCluster}. */
export interface RedisClusterNode {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Its role when the cluster was last seen healthy (a promoted replica says `master`). */
  role: 'master' | 'replica';
  /** pid of redis-server itself. */
  readonly pid: number;
  /** False once {@link RedisCluster.kill} ended it. */
  alive: boolean;
}

/** What {@link RedisCluster.killMasterOf} measured. */
export interface Failover {
  killed: RedisClusterNode;
  promoted: RedisClusterNode;
  slot: number;
  /** From the SIGKILL until every live node agrees on the new master and says `cluster_state:ok`. */
  ms: number;
}

/** A running Redis Cluster of this process's own redis-servers. */
export interface RedisCluster {
  readonly nodes: readonly RedisClusterNode[];
  /** Every node's address: startup nodes for a client. */
  readonly seeds: readonly { host: string; port: number }[];
  /** The master serving `key`'s slot now, as the live nodes see it. */
  masterForKey(key: string): Promise<RedisClusterNode>;
  /** Sends `signal` to the node on `port`; SIGKILL, SIGTERM and SIGINT mark it dead. */
  kill(port: number, signal?: NodeJS.Signals): void;
  /**
   * SIGKILLs the master of `key` and resolves once a replica took over and the cluster is ok
   * (its other replicas, if any, replicating the new master). `afterKill` runs right after the
   * SIGKILL, e.g. the `resume` of {@link RedisCluster.cutOffReplicasOf}.
   */
  killMasterOf(key: string, options?: { afterKill?: () => void }): Promise<Failover>;
  /**
   * Cuts the replicas of `key`'s master off from it, as a network partition would: SIGSTOPs
   * them and drops their replication links on the master (`CLIENT KILL TYPE replica`), so the
   * master goes on acknowledging writes no replica receives (and `WAIT` times out). `resume()`
   * SIGCONTs them: they reconnect and catch up, unless the master died meanwhile — and with it
   * every write since the cut.
   */
  cutOffReplicasOf(key: string): Promise<ReplicaCutOff>;
  /**
   * SIGKILLs the master of `key` and its replicas, so its slots have no one left: resolves once
   * every live node says `cluster_state:fail` (they answer CLUSTERDOWN from then on).
   */
  killShardOf(key: string): Promise<{ killed: RedisClusterNode[]; ms: number }>;
  /** Resolves once every live node says `cluster_state:ok` and they agree on who serves what. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and waits until all have exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** What {@link RedisCluster.cutOffReplicasOf} did, and how to undo it. */
export interface ReplicaCutOff {
  master: RedisClusterNode;
  replicas: RedisClusterNode[];
  /** SIGCONTs the replicas. Safe to call twice. */
  resume(): void;
}

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** @default 3 */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout`: how long a node may be silent before it is suspected. Failover takes
   * about twice this.
   * @default 1000
   */
  nodeTimeoutMs?: number;
}

/**
 * Starts a real Redis Cluster: `masters × (1 + replicasPerMaster)` in-memory redis-servers with
 * `--cluster-enabled yes` on free loopback ports, each in its own temp dir under the
 * upstash-local watchdog (so none outlives this process, however it ends), joined with
 * `redis-cli --cluster create`. Resolves once every node says `cluster_state:ok`, all 16384
 * slots are served and every replica is in sync with its master.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = new Cluster(cluster.seeds);
 * const failover = await cluster.killMasterOf('{user:1}');
 * await cluster.stop();
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const { masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 1000 } = options;
  const started = await Promise.allSettled(
    Array.from({ length: masters * (1 + replicasPerMaster) }, () => startClusterNode(nodeTimeoutMs)),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    // A SIGSTOPped redis-server would sit on its SIGTERM until the watchdog's SIGKILL.
    for (const server of servers) signal(server.pid, 'SIGCONT');
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await runRedisCli(
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'],
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const nodes: RedisClusterNode[] = servers.map((server) => ({
    host: '127.0.0.1',
    port: server.port,
    role: 'master',
    pid: server.pid,
    alive: true,
  }));
  const live = () => nodes.filter((node) => node.alive);
  const byPort = (port: number) => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no node of this cluster listens on ${port}`);
    return node;
  };
  const views = () =>
    Promise.all(live().map(async (node) => parseClusterNodes(await redisCli(node.port, 'CLUSTER', 'NODES'))));
  const slotOf = async (key: string) => Number(await redisCli(live()[0]!.port, 'CLUSTER', 'KEYSLOT', key));
  const replicasOf = async (master: RedisClusterNode) => {
    const view = (await views())[0]!;
    const masterId = view.find((node) => node.port === master.port)!.id;
    return view.filter((node) => node.masterId === masterId).map((node) => byPort(node.port));
  };

  async function isHealthy(): Promise<boolean> {
    for (const node of live()) {
      const info = parseInfo(await redisCli(node.port, 'CLUSTER', 'INFO'));
      if (info.cluster_state !== 'ok' || info.cluster_slots_ok !== '16384') return false;
    }
    const seen = await views();
    if (new Set(seen.map(viewSignature)).size !== 1) return false;
    for (const view of seen[0]!) {
      const node = nodes.find((candidate) => candidate.port === view.port);
      if (node?.alive) node.role = view.role;
    }
    // A replica that never synced cannot be promoted: wait for every link to be up.
    for (const node of live().filter((candidate) => candidate.role === 'replica')) {
      const replication = parseInfo(await redisCli(node.port, 'INFO', 'replication'));
      if (replication.master_link_status !== 'up') return false;
    }
    return true;
  }

  const cluster: RedisCluster = {
    nodes,
    seeds: nodes.map(({ host, port }) => ({ host, port })),
    async masterForKey(key) {
      const view = parseClusterNodes(await redisCli(live()[0]!.port, 'CLUSTER', 'NODES'));
      const owner = ownerOfSlot(view, await slotOf(key));
      if (!owner) throw new Error(`no live node serves the slot of "${key}"`);
      return byPort(owner.port);
    },
    kill(port, name = 'SIGKILL') {
      const node = byPort(port);
      signal(node.pid, name);
      if (name === 'SIGKILL' || name === 'SIGTERM' || name === 'SIGINT') node.alive = false;
    },
    async killMasterOf(key, { afterKill } = {}) {
      const slot = await slotOf(key);
      const killed = await cluster.masterForKey(key);
      const start = Date.now();
      cluster.kill(killed.port);
      afterKill?.();
      let promoted: number | undefined;
      await pollUntil(`a replica of ${killed.port} serves slot ${slot}`, async () => {
        const owners = (await views()).map((view) => ownerOfSlot(view, slot));
        promoted = owners[0]?.port;
        return owners.every((owner) => owner && owner.port !== killed.port && owner.port === promoted);
      });
      await cluster.waitUntilHealthy();
      return { killed, promoted: byPort(promoted!), slot, ms: Date.now() - start };
    },
    async cutOffReplicasOf(key) {
      const master = await cluster.masterForKey(key);
      const replicas = await replicasOf(master);
      for (const replica of replicas) cluster.kill(replica.port, 'SIGSTOP');
      await redisCli(master.port, 'CLIENT', 'KILL', 'TYPE', 'replica');
      let resumed = false;
      return {
        master,
        replicas,
        resume() {
          if (resumed) return;
          resumed = true;
          for (const replica of replicas) if (replica.alive) cluster.kill(replica.port, 'SIGCONT');
        },
      };
    },
    async killShardOf(key) {
      const master = await cluster.masterForKey(key);
      const replicas = await replicasOf(master);
      const start = Date.now();
      for (const node of [...replicas, master]) cluster.kill(node.port);
      await pollUntil('every live node says cluster_state:fail', async () => {
        const states = await Promise.all(
          live().map(async (node) => parseInfo(await redisCli(node.port, 'CLUSTER', 'INFO')).cluster_state),
        );
        return states.every((state) => state === 'fail');
      });
      return { killed: [master, ...replicas], ms: Date.now() - start };
    },
    waitUntilHealthy: (timeoutMs = 20_000) => pollUntil('the cluster is healthy', isHealthy, timeoutMs),
    stop,
  };
  try {
    await cluster.waitUntilHealthy(30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return cluster;
}

/** Sends `name` to `pid`; one that is gone already is fine. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
