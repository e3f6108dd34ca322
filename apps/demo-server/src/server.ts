import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createDemoContext } from './context.js';
import { createEventLogger } from './event-log.js';
import { createFlakyDetector, loseResponse } from './flaky.js';
import { memoryLedger, redisLedger } from './ledger.js';
import { fakePaymentProvider } from './payment-provider.js';
import { createDemoRouter, DEFAULT_LIMITS, type DemoLimits } from './router.js';
import { createStaticHandler, DEFAULT_STATIC_DIR } from './static-files.js';
import { type SelectedStore, type StoreKind, selectStore } from './store-selection.js';

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
  /** Receives each structured log line. @default console.log */
  log?: (line: string) => void;
  /** The built web client. @default apps/demo-client/dist */
  staticDir?: string;
}

export interface DemoServer {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  store: Pick<SelectedStore, 'kind' | 'description'>;
  close(): Promise<void>;
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
  } = options;
  const requested = options.store ?? (env.DEMO_STORE as StoreKind | undefined) ?? 'auto';
  const selected = await selectStore(requested, env);
  const ledger = selected.redis ? redisLedger(selected.redis, prefix) : memoryLedger();
  const router = createDemoRouter({
    store: selected.store,
    storeKind: selected.kind,
    prefix,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ledger,
    provider: fakePaymentProvider({ ledger, delayMs: providerDelayMs }),
    onEvent: createEventLogger({ ledger, log }),
  });
  const trpc = createHTTPHandler({ router, basePath: '/trpc/', createContext: createDemoContext });
  const serveStatic = createStaticHandler(staticDir);
  const wantsLostResponse = createFlakyDetector();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/trpc/')) {
      serveStatic(req, res).catch((error) => {
        console.error('[demo-server] static file failed', error);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (wantsLostResponse(req)) {
      loseResponse(res, () => {
        ledger.countLater('droppedResponses');
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
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    store: { kind: selected.kind, description: selected.description },
    close() {
      closing ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await selected.close();
      })();
      return closing;
    },
  };
}
