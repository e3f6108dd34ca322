import { type RedisServer, startRedisServer } from 'upstash-local';
import { afterAll, beforeAll } from 'vitest';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { redisStore } from '../stores/redis/redis-store.js';
import { type ClientKind, clusterClient, singleClient, type TestClient } from './redis-clients.js';
import { type RedisCluster, startRedisCluster } from './redis-cluster.js';

export type Topology = 'single' | 'cluster';

/** Per client kind, two connected clients: a store and a sibling (another server instance). */
type Clients = Record<ClientKind, [TestClient, TestClient]>;

/**
 * A real `redis-server` (or a real 3 + 3 Redis Cluster) for one test file, with connected ioredis
 * and node-redis clients, and store fixtures on them. Everything stops after the file.
 */
export function redisForThisFile(topology: Topology) {
  let server: RedisServer | undefined;
  let cluster: RedisCluster | undefined;
  let clients: Clients | undefined;
  beforeAll(async () => {
    const connect = async (kind: ClientKind): Promise<TestClient> => {
      if (topology === 'single') return singleClient(kind, server!.port);
      return clusterClient(kind, cluster!.seeds);
    };
    if (topology === 'single') server = await startRedisServer();
    else cluster = await startRedisCluster();
    const pair = async (kind: ClientKind) =>
      [await connect(kind), await connect(kind)] as [TestClient, TestClient];
    clients = { ioredis: await pair('ioredis'), 'node-redis': await pair('node-redis') };
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(clients ?? {}).flatMap((pair) => pair.map((client) => client.close())));
    await server?.stop();
    await cluster?.stop();
  });
  const started = () => {
    if (!clients) throw new Error('redis is not started yet; use it inside tests');
    return clients;
  };
  return {
    fixture: (kind: ClientKind) => (): StoreFixture => {
      const [first, second] = started()[kind];
      return { store: redisStore(first.client as never), sibling: () => redisStore(second.client as never) };
    },
    client: (kind: ClientKind) => started()[kind][0].client,
    cluster: () => cluster!,
  };
}
