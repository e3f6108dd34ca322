import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Duration, TrustProxy } from 'trpc-guardrails';
import { createDemoContext, parseTrustProxy } from './context.js';
import { createEventLogger } from './event-log.js';
import { createFlakyDetector, loseResponse } from './flaky.js';
import { memoryLedger } from './memory-ledger.js';
import { fakePaymentProvider } from './payment-provider.js';
import { redisLedger } from './redis-ledger.js';
import { createDemoApp, DEFAULT_LIMITS, type DemoLimits } from './router.js';
import { createStaticHandler, DEFAULT_STATIC_DIR } from './static-files.js';
import { type SelectedStore, type StoreKind, selectStore } from './store-selection.js';
import type { DemoTelemetry } from './telemetry/demo-telemetry.js';

/**
 * The limits a production tRPC server should set: the demo's inputs are a few hundred bytes, so
 * 100 KB is generous, and a batch of 10 calls is what a page sends at most.
 */
export const REQUEST_LIMITS = { maxBodySize: 100 * 1024, maxBatchSize: 10 } as const;

/** tRPC serves queries over GET and mutations over POST; anything else is answered before it. */
const TRPC_METHODS = new Set(['GET', 'POST', 'HEAD']);

export interface DemoServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default process.env.DEMO_STORE, else 'auto' (see `selectStore`) */
  store?: StoreKind | 'auto';
  /** Where `UPSTASH_REDIS_REST_URL`/`TOKEN`, `DEMO_STORE` and `PATH` are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Namespace of every key in the store; give each test its own. @default 'demo' */
  prefix?: string;
  limits?: Partial<DemoLimits>;
  /** How long the fake provider takes to charge. @default 300 */
  providerDelayMs?: number;
  /** The idempotency lease (fault tests shorten it). @default '30 s' */
  lease?: Duration;
  /** Proxies allowed to report the client's address. @default env.DEMO_TRUST_PROXY, else none */
  trustProxy?: TrustProxy;
  /** Receives each structured log line. @default console.log */
  log?: (line: string) => void;
  /** The built web client. @default apps/demo-client/dist */
  staticDir?: string;
  /**
   * Records the guard's decisions as OpenTelemetry, served at `POST /otel/export`
   * (`startDemoTelemetry()`; `main.ts` starts it when `DEMO_OTEL=1`). @default none
   */
  telemetry?: DemoTelemetry;
}

export interface DemoServer {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  store: Pick<SelectedStore, 'kind' | 'description'>;
  /**
   * Graceful stop: no new connections, requests in flight finish (up to `timeoutMs`), every
   * outcome the guard still holds lands, then the store is released.
   */
  close(options?: { timeoutMs?: number }): Promise<{ outcomesGivenUp: number }>;
}

/** Starts the demo: the tRPC API at `/trpc` and the web client at `/`. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const {
    port = 0,
    host = '127.0.0.1',
    env = process.env,
    prefix = 'demo',
    providerDelayMs = 300,
    log = (line: string) => console.log(line),
    staticDir = DEFAULT_STATIC_DIR,
    lease = '30 s',
    telemetry,
  } = options;
  const requested = options.store ?? (env.DEMO_STORE as StoreKind | undefined) ?? 'auto';
  const selected = await selectStore(requested, env);
  const ledger = selected.redis ? redisLedger(selected.redis, prefix) : memoryLedger();
  const logEvent = createEventLogger({ ledger, log });
  const { router, guard } = createDemoApp({
    store: telemetry ? telemetry.instrument(selected.store) : selected.store,
    storeKind: selected.kind,
    prefix,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ledger,
    provider: fakePaymentProvider({ ledger, delayMs: providerDelayMs }),
    onEvent: telemetry
      ? (event) => {
          logEvent(event);
          telemetry.onEvent(event);
        }
      : logEvent,
    lease,
  });
  const callerAddress = guard.clientAddress({
    trustProxy: options.trustProxy ?? parseTrustProxy(env.DEMO_TRUST_PROXY) ?? false,
  });
  const trpcHandler = createHTTPHandler({
    router,
    basePath: '/trpc/',
    ...REQUEST_LIMITS,
    createContext: (opts) => createDemoContext(opts, callerAddress),
  });
  const trpc = telemetry ? telemetry.traceRequests(trpcHandler) : trpcHandler;
  const serveStatic = createStaticHandler(staticDir);
  const wantsLostResponse = createFlakyDetector();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/otel/export') {
      if (telemetry) return void telemetry.handleExport(req, res).catch((error) => fail(res, error));
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ error: 'this demo server records no OpenTelemetry; start it with DEMO_OTEL=1' }),
      );
      return;
    }
    if (!req.url?.startsWith('/trpc/')) {
      serveStatic(req, res).catch((error) => fail(res, error));
      return;
    }
    if (!TRPC_METHODS.has(req.method ?? '')) {
      // tRPC's Node adapter turns methods the fetch API refuses (TRACE, CONNECT) into a 500.
      res.writeHead(405, { Allow: 'GET, POST, HEAD', 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ error: `${req.method} is not allowed; use GET for queries and POST for mutations` }),
      );
      return;
    }
    if (wantsLostResponse(req)) {
      loseResponse(res, () => {
        ledger.countLater('droppedResponses');
        telemetry?.responseLost();
        log(
          JSON.stringify({
            time: new Date().toISOString(),
            msg: 'flaky network: response lost',
            url: req.url,
          }),
        );
      });
    }
    trpc(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    await selected.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  let closing: Promise<{ outcomesGivenUp: number }> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    store: { kind: selected.kind, description: selected.description },
    close({ timeoutMs = 10_000 } = {}) {
      closing ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const drained = await Promise.race([
          stopped.then(() => true),
          sleep(timeoutMs / 2).then(() => false),
        ]);
        if (!drained) server.closeAllConnections();
        const { givenUp } = await guard.close({ timeout: `${Math.max(1, deadline - Date.now())} ms` });
        await selected.close();
        return { outcomesGivenUp: givenUp };
      })();
      return closing;
    },
  };
}

function fail(res: ServerResponse, error: unknown): void {
  console.error(`[demo-server] ${res.req.url} failed`, error);
  if (!res.headersSent) res.writeHead(500).end();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
