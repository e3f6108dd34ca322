import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy in front of one redis-server that counts round trips on the wire. */
export interface RoundTripProxy {
  readonly port: number;
  /**
   * Round trips since start or the last `reset()`: a client sending after it last heard the
   * server (or for the first time) starts one; what it sends before the answer belongs to it.
   */
  readonly roundTrips: number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on a free loopback port that forwards to `127.0.0.1:targetPort` and counts
 * round trips, so a test can see what a Redis client really puts on the wire rather than what
 * the code under test says it did.
 *
 * @example
 * const proxy = await startRoundTripProxy(redis.port);
 * const client = new Redis(proxy.port);
 * proxy.reset(); await runner.run(calls); expect(proxy.roundTrips).toBe(1);
 */
export async function startRoundTripProxy(targetPort: number): Promise<RoundTripProxy> {
  let roundTrips = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    let waiting = false;
    client.on('data', (chunk) => {
      if (!waiting) roundTrips++;
      waiting = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      waiting = false;
      client.write(chunk);
    });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get roundTrips() {
      return roundTrips;
    },
    reset() {
      roundTrips = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
