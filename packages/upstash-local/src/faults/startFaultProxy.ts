import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does with a request: forward it, answer 503 like a load balancer whose backend
 * is down, or drop the connection without an answer.
 */
export type FaultMode = 'pass' | 'unavailable' | 'drop';

/** A real HTTP proxy in front of the gateway whose behaviour a test switches at any moment. */
export interface FaultProxy {
  url: string;
  mode: FaultMode;
  /** Requests seen, by the mode they met. */
  readonly seen: Record<FaultMode, number>;
  /**
   * Forwards the next `count` requests whose body contains `marker`, then cuts the connection
   * instead of answering: the command ran, its caller never hears of it.
   */
  loseNextResponses(count: number, marker: string): void;
  /** Responses lost so far. */
  readonly lost: number;
  /**
   * Keeps forwarding until a request whose body contains `marker` has been answered, then
   * switches to `mode`: the store goes away at an exact point of the app's work (say, right
   * after a payment was written and before its outcome is stored).
   */
  switchAfter(marker: string, mode: FaultMode): void;
  close(): Promise<void>;
}

/**
 * Starts an HTTP proxy in front of `target` (a gateway's URL) whose behaviour can be switched at
 * any moment: what an app sees when Upstash is down, answers 503, or loses responses.
 *
 * @example
 * const proxy = await startFaultProxy(local.url);
 * const redis = new Redis({ url: proxy.url, token: local.token });
 * proxy.mode = 'unavailable'; // every request now gets 503
 * proxy.loseNextResponses(1, 'my-key'); // the next command naming my-key runs, its answer is lost
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const state: { mode: FaultMode } = { mode: 'pass' };
  const seen: Record<FaultMode, number> = { pass: 0, unavailable: 0, drop: 0 };
  const losses = { count: 0, marker: '', lost: 0 };
  const trigger: { marker?: string; mode?: FaultMode } = {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const mode = state.mode;
    seen[mode]++;
    if (mode === 'drop') {
      req.socket.destroy();
      return;
    }
    if (mode === 'unavailable') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"backend unavailable"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const lose = losses.count > 0 && body.includes(losses.marker);
      if (lose) losses.count--;
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          if (lose) {
            answer.resume();
            answer.once('end', () => {
              losses.lost++;
              req.socket.destroy();
            });
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          if (trigger.marker !== undefined && body.includes(trigger.marker)) {
            answer.once('end', () => {
              state.mode = trigger.mode!;
              trigger.marker = undefined;
            });
          }
        },
      );
      forwarded.on('error', () => req.socket.destroy());
      forwarded.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(mode: FaultMode) {
      state.mode = mode;
    },
    seen,
    loseNextResponses(count, marker) {
      losses.count = count;
      losses.marker = marker;
    },
    get lost() {
      return losses.lost;
    },
    switchAfter(marker, mode) {
      trigger.marker = marker;
      trigger.mode = mode;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
