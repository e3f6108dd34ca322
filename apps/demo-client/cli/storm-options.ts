import { parseArgs } from 'node:util';

export interface StormOptions {
  /** Demo servers to spread the duplicates of every intent over (those it started, with `servers`). */
  urls: string[];
  /** Start this many demo servers on a private Redis instead of using `urls`. */
  servers: number | undefined;
  /** With `servers`: a Redis Cluster of 3 masters + 3 replicas instead of one redis-server. */
  cluster: boolean;
  /** Payments to make. Each gets its own idempotency key, shopper and IP. */
  intents: number;
  /** Requests sent at once for every intent: double clicks, resubmits, retries from other tabs. */
  duplicates: number;
  /** Intents in flight at once. */
  concurrency: number;
  /** Share of requests whose response the server is asked to lose after running them (then retried). */
  flaky: number;
  /** Print the summary as JSON instead of a table. */
  json: boolean;
  /**
   * Write the run's spans and metrics, the storm's and the servers', to this file as OTLP/JSON
   * (relative to where `pnpm` was started). The servers must record them (`DEMO_OTEL=1`).
   */
  otelOut: string | undefined;
}

export const USAGE = `Usage: pnpm storm -- [--urls URL[,URL...] | --servers N [--cluster]] [--intents N] [--duplicates N]
                    [--concurrency N] [--flaky 0..1] [--json] [--otel-out FILE]

Fires N intents at one or more demo servers, each as several concurrent duplicate requests with the same
idempotency key (spread over the URLs), loses some responses on purpose and retries them, retries 429s after
their retryAfter, then checks the shared ledger: charges must equal intents.

  --urls         comma-separated demo-server URLs        (default http://127.0.0.1:3000)
  --servers      start N demo servers on a private redis-server (redisStore, ioredis) and storm them
  --cluster      with --servers (default 3): on a private Redis Cluster of 3 masters + 3 replicas instead
  --intents      payments to make                        (default 50)
  --duplicates   concurrent requests per payment         (default 20)
  --concurrency  payments in flight at once              (default 10)
  --flaky        share of requests whose response is lost (default 0.1)
  --json         print the summary as JSON
  --otel-out     write the run's OpenTelemetry spans and metrics (storm and servers) to FILE as OTLP/JSON;
                 the servers must run with DEMO_OTEL=1 (those of --servers do)`;

export function parseStormOptions(argv: string[]): StormOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      urls: { type: 'string' },
      servers: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      intents: { type: 'string', default: '50' },
      duplicates: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '10' },
      flaky: { type: 'string', default: '0.1' },
      json: { type: 'boolean', default: false },
      'otel-out': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  if (values.urls !== undefined && (values.servers !== undefined || values.cluster)) {
    throw new UsageError('--urls names servers that run already; --servers and --cluster start their own');
  }
  const servers =
    values.servers !== undefined ? positive('servers', values.servers) : values.cluster ? 3 : undefined;
  const urls = (values.urls ?? (servers ? '' : 'http://127.0.0.1:3000'))
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const url of urls) {
    if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--urls: "${url}" is not an http(s) URL`);
  }
  if (values['otel-out'] === '') throw new UsageError('--otel-out needs a file name, e.g. storm-otel.json');
  const flaky = Number(values.flaky);
  if (!(flaky >= 0 && flaky <= 1))
    throw new UsageError(`--flaky must be between 0 and 1, got ${values.flaky}`);
  return {
    urls,
    servers,
    cluster: values.cluster,
    intents: positive('intents', values.intents),
    duplicates: positive('duplicates', values.duplicates),
    concurrency: positive('concurrency', values.concurrency),
    flaky,
    json: values.json,
    otelOut: values['otel-out'],
  };
}

export class UsageError extends Error {}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`--${name} must be a positive integer, got ${text}`);
  return value;
}
