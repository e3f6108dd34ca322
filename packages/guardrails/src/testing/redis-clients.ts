import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';

export type ClientKind = 'ioredis' | 'node-redis';
export const CLIENT_KINDS: readonly ClientKind[] = ['ioredis', 'node-redis'];

/**
 * `defaults`: the client as its users get it out of the box. `fail-fast`: what our docs advise,
 * so a dead Redis answers with errors at once instead of queueing (ioredis: one reconnect
 * attempt, and a timeout on every command; node-redis: no offline queue — it has no timeout for
 * a command already written, so a hung Redis is bounded only by the store's own timeout).
 */
export type ClientSettings = 'defaults' | 'fail-fast';

/** A connected client of either kind, for the runner under test. */
export interface TestClient {
  readonly client: unknown;
  close(): Promise<void>;
}

/** What ioredis' fail-fast settings allow a command before it is abandoned (`commandTimeout`), in ms. */
export const COMMAND_TIMEOUT_MS = 1000;

/** A connected client of `kind` to the Redis on `127.0.0.1:port`. */
export async function singleClient(
  kind: ClientKind,
  port: number,
  settings: ClientSettings = 'fail-fast',
): Promise<TestClient> {
  const failFast = settings === 'fail-fast';
  if (kind === 'ioredis') {
    const client = new Redis({
      host: '127.0.0.1',
      port,
      ...(failFast && { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS }),
    });
    client.on('error', () => {});
    await client.ping();
    return { client, close: async () => client.disconnect() };
  }
  const client = createClient({
    socket: { host: '127.0.0.1', port },
    ...(failFast && { disableOfflineQueue: true }),
  });
  // node-redis throws an unhandled 'error' event at the process otherwise.
  client.on('error', () => {});
  await client.connect();
  return { client, close: async () => client.destroy() };
}

/**
 * A connected cluster client of `kind`. `addressMap` (real port → port to dial) puts a proxy in
 * front of every node.
 */
export async function clusterClient(
  kind: ClientKind,
  seeds: readonly { host: string; port: number }[],
  settings: ClientSettings = 'fail-fast',
  addressMap?: ReadonlyMap<number, number>,
): Promise<TestClient> {
  const failFast = settings === 'fail-fast';
  const mapped = (port: number) => addressMap?.get(port) ?? port;
  if (kind === 'ioredis') {
    const natMap = addressMap
      ? Object.fromEntries(
          Array.from(addressMap, ([real, dial]) => [`127.0.0.1:${real}`, { host: '127.0.0.1', port: dial }]),
        )
      : undefined;
    const client = new Cluster(
      seeds.map(({ host, port }) => ({ host, port: mapped(port) })),
      {
        ...(natMap && { natMap }),
        ...(failFast && { redisOptions: { commandTimeout: COMMAND_TIMEOUT_MS } }),
      },
    );
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('end', () => reject(new Error('the ioredis cluster client ended before it was ready')));
    });
    return { client, close: async () => client.disconnect() };
  }
  const nodeAddressMap = addressMap
    ? Object.fromEntries(
        Array.from(addressMap, ([real, dial]) => [`127.0.0.1:${real}`, { host: '127.0.0.1', port: dial }]),
      )
    : undefined;
  const client = createCluster({
    rootNodes: seeds.map(({ host, port }) => ({ socket: { host, port: mapped(port) } })),
    ...(nodeAddressMap && { nodeAddressMap }),
    ...(failFast && {
      defaults: { disableOfflineQueue: true },
      // Rediscover the slots 1 s (not 5 s) after a node starts reconnecting: a failover's pace.
      topologyRefreshOnReconnectionAttemptStrategy: 1000,
    }),
  });
  client.on('error', () => {});
  await client.connect();
  return { client, close: async () => client.destroy() };
}
