import { type ChildProcess, spawn } from 'node:child_process';

/** A TCP proxy in front of one redis-server that adds latency and counts round trips. */
export interface DelayProxy {
  readonly port: number;
  readonly url: string;
  latencyMs: number;
  /** Round trips since start: a client writing after it last heard the server starts one. */
  roundTrips(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The proxy, in a process of its own (like the gateway), in plain JavaScript: every
 * client→server write is held `latencyMs` (in order) before it goes on.
 */
const CHILD = `
const { connect, createServer } = require('node:net');
const [targetPort, latencyMs] = process.argv.slice(1).map(Number);
let roundTrips = 0;
const server = createServer((client) => {
  client.setNoDelay(true);
  const upstream = connect(targetPort, '127.0.0.1');
  upstream.setNoDelay(true);
  let waiting = false;
  client.on('data', (chunk) => {
    if (!waiting) roundTrips++;
    waiting = true;
    if (latencyMs === 0) upstream.write(chunk);
    else setTimeout(() => upstream.write(chunk), latencyMs);
  });
  upstream.on('data', (chunk) => {
    waiting = false;
    client.write(chunk);
  });
  for (const [from, to] of [[client, upstream], [upstream, client]]) {
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  }
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => process.send({ id: message.id, roundTrips }));
process.on('disconnect', () => process.exit(0));
`;

/**
 * What upstash-local's `latencyMs` is for HTTP, for TCP clients: each round trip to
 * `127.0.0.1:targetPort` through the returned port costs `latencyMs` more.
 *
 * @example
 * const proxy = await startDelayProxy({ targetPort: redis.port, latencyMs: 5 });
 * const client = new Redis(proxy.port);
 */
export async function startDelayProxy(options: {
  targetPort: number;
  latencyMs: number;
}): Promise<DelayProxy> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', CHILD, String(options.targetPort), String(options.latencyMs)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { port: number }));
    child.once('exit', (code) => reject(new Error(`[bench] the TCP proxy exited with ${code}`)));
  });
  const waiting = new Map<number, (roundTrips: number) => void>();
  let nextId = 0;
  child.on('message', (message: { id?: number; roundTrips?: number }) => {
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.roundTrips ?? 0);
    waiting.delete(message.id);
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    latencyMs: options.latencyMs,
    roundTrips: () =>
      new Promise<number>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        child.send({ id });
      }),
    async close() {
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
