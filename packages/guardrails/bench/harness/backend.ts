import { Redis } from '@upstash/redis';
import { type RedisServer, startRedisServer } from 'upstash-local';
import { type GatewayProcess, startGatewayProcess } from './gateway-process.js';

/**
 * One real redis-server and, per added latency, an upstash-local gateway in front of it (each in
 * a process of its own): the store every HTTP row of a table shares.
 */
export interface Backend {
  redis: RedisServer;
  gateways: ReadonlyMap<number, GatewayProcess>;
  /** A new `@upstash/redis` client on the gateway with this latency, as an app would make one. */
  client(latencyMs: number): Redis;
  stop(): Promise<void>;
}

export async function startBackend(latenciesMs: readonly number[]): Promise<Backend> {
  const redis = await startRedisServer();
  const gateways = new Map<number, GatewayProcess>();
  for (const latencyMs of latenciesMs) {
    gateways.set(latencyMs, await startGatewayProcess({ redisUrl: redis.url, latencyMs }));
  }
  return {
    redis,
    gateways,
    client(latencyMs) {
      const gateway = gateways.get(latencyMs);
      if (!gateway) throw new Error(`[bench] no gateway with ${latencyMs} ms`);
      return new Redis({ url: gateway.url, token: gateway.token });
    },
    async stop() {
      await Promise.all([...gateways.values()].map((gateway) => gateway.stop()));
      await redis.stop();
    },
  };
}
