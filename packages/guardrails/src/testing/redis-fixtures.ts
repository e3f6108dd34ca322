import { type RedisServer, startRedisServer } from 'upstash-local';
import { type RedisCluster, startRedisCluster } from 'upstash-local/cluster';
import { afterAll, beforeAll } from 'vitest';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { type RedisStoreOptions, redisStore } from '../stores/redis/redis-store.js';
import { type ClientKind, clusterClient, singleClient, type TestClient } from './redis-clients.js';
import { startReplica } from './redis-replica.js';

/** `replicated`: one redis-server with one replica of it (for `WAIT`). */
export type Topology = 'single' | 'replicated' | 'cluster';

/** Per client kind, two connected clients: a store and a sibling (another server instance). */
type Clients = Record<ClientKind, [TestClient, TestClient]>;

/**
 * A real `redis-server` (with a replica, or a real 3 + 3 Redis Cluster) for one test file, with
 * connected ioredis and node-redis clients, and store fixtures on them. Everything stops after
 * the file.
 */
export function redisForThisFile(topology: Topology) {
  const servers: RedisServer[] = [];
  let cluster: RedisCluster | undefined;
  let clients: Clients | undefined;
  beforeAll(async () => {
    if (topology === 'cluster') cluster = await startRedisCluster();
    else servers.push(await startRedisServer());
    if (topology === 'replicated') servers.push(await startReplica(servers[0]!.port));
    const connect = async (kind: ClientKind): Promise<TestClient> => {
      if (cluster) return clusterClient(kind, cluster.seeds);
      return singleClient(kind, servers[0]!.port);
    };
    const pair = async (kind: ClientKind) =>
      [await connect(kind), await connect(kind)] as [TestClient, TestClient];
    clients = { ioredis: await pair('ioredis'), 'node-redis': await pair('node-redis') };
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(clients ?? {}).flatMap((pair) => pair.map((client) => client.close())));
    await Promise.all(servers.map((server) => server.stop()));
    await cluster?.stop();
  });
  const started = () => {
    if (!clients) throw new Error('redis is not started yet; use it inside tests');
    return clients;
  };
  return {
    fixture: (kind: ClientKind, options?: RedisStoreOptions) => (): StoreFixture => {
      const [first, second] = started()[kind];
      return {
        store: redisStore(first.client as never, options),
        sibling: () => redisStore(second.client as never, options),
      };
    },
    client: (kind: ClientKind) => started()[kind][0].client,
    cluster: () => cluster!,
    /** The master's port (single and replicated). */
    port: () => servers[0]!.port,
  };
}
