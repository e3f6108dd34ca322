import { findFreePort, type RedisServer, startRedisServer } from 'upstash-local';
import { type ClusterNodeView, ownerOfSlot, parseClusterNodes } from './cluster-nodes.js';
import { parseInfo, pollUntil, redisCli, runRedisCli } from './redis-cli.js';

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
  /** SIGKILLs the master of `key` and resolves once its replica took over and the cluster is ok. */
  killMasterOf(key: string): Promise<Failover>;
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
    Array.from({ length: masters * (1 + replicasPerMaster) }, () => startNode(nodeTimeoutMs)),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
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

  async function isHealthy(): Promise<boolean> {
    for (const node of live()) {
      const info = parseInfo(await redisCli(node.port, 'CLUSTER', 'INFO'));
      if (info.cluster_state !== 'ok' || info.cluster_slots_ok !== '16384') return false;
    }
    const seen = await views();
    if (new Set(seen.map(signature)).size !== 1) return false;
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
    kill(port, signal = 'SIGKILL') {
      const node = byPort(port);
      try {
        process.kill(node.pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
      if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') node.alive = false;
    },
    async killMasterOf(key) {
      const slot = await slotOf(key);
      const killed = await cluster.masterForKey(key);
      const start = Date.now();
      cluster.kill(killed.port);
      let promoted: number | undefined;
      await pollUntil(`a replica of ${killed.port} serves slot ${slot}`, async () => {
        const owners = (await views()).map((view) => ownerOfSlot(view, slot));
        promoted = owners[0]?.port;
        return owners.every((owner) => owner && owner.port !== killed.port && owner.port === promoted);
      });
      await cluster.waitUntilHealthy();
      return { killed, promoted: byPort(promoted!), slot, ms: Date.now() - start };
    },
    async killShardOf(key) {
      const master = await cluster.masterForKey(key);
      const view = (await views())[0]!;
      const masterId = view.find((node) => node.port === master.port)!.id;
      const replicas = view.filter((node) => node.masterId === masterId).map((node) => byPort(node.port));
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

/**
 * Who is who, as one node sees it: every node not failing, its role, and what it serves (a
 * master's slots, a replica's master). Equal on nodes that agree on the whole topology; a
 * replica still shown as an empty master during the join keeps them apart.
 */
function signature(view: readonly ClusterNodeView[]): string {
  const portOf = new Map(view.map((node) => [node.id, node.port]));
  return view
    .filter((node) => !node.failing)
    .map((node) =>
      node.role === 'master'
        ? `${node.port}:master:${node.slots.map((range) => range.join('-')).join(',')}`
        : `${node.port}:replica-of:${portOf.get(node.masterId ?? '') ?? '?'}`,
    )
    .sort()
    .join(' ');
}

async function startNode(nodeTimeoutMs: number): Promise<RedisServer> {
  let lastError: unknown;
  // The bus port is probed separately from the client port; a clash is rare and worth a retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const busPort = await findFreePort('127.0.0.1');
    try {
      return await startRedisServer({
        args: [
          ...['--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
          ...['--cluster-node-timeout', String(nodeTimeoutMs)],
          // Promote a replica however long it was cut off, and start replicating at once.
          ...['--cluster-replica-validity-factor', '0', '--repl-diskless-sync-delay', '0'],
          ...['--appendonly', 'no', '--save', ''],
        ],
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
