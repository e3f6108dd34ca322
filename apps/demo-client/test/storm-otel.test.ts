import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectStoreKind } from 'demo-server';
import { startUpstashLocal, type UpstashLocal } from 'upstash-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServerProcess, spawnDemoServer } from '../cli/demo-server-process.js';
import { runStorm, stormServerEnv } from './storm-cli.js';

const hasRedis = detectStoreKind({ PATH: process.env.PATH }) === 'local';

/** OTLP/JSON as the file holds it (the fields this test reads). */
interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number; doubleValue?: number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events: { name: string; attributes: OtlpAttribute[] }[];
}
interface OtlpFile {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
  resourceMetrics: {
    scopeMetrics: {
      metrics: { name: string; sum?: { dataPoints: { attributes: OtlpAttribute[]; asDouble: number }[] } }[];
    }[];
  }[];
}

const SPAN_KIND = { server: 2, client: 3 };
const attributes = (list: OtlpAttribute[]) =>
  Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));

describe.skipIf(!hasRedis)('storm --otel-out: the run as OpenTelemetry, in one OTLP/JSON file', () => {
  let gateway: UpstashLocal;
  let dir: string;
  const servers: DemoServerProcess[] = [];
  /** Every guardrails log line of the servers: they carry the raw keys and owners. */
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storm-otel-'));
    gateway = await startUpstashLocal();
    const env = stormServerEnv(gateway, 'storm-otel');
    servers.push(
      ...(await Promise.all(
        [1, 2].map(() => spawnDemoServer({ ...env, DEMO_OTEL: '1' }, (line) => logs.push(line))),
      )),
      await spawnDemoServer(env),
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await gateway?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds spans and metrics of storm and servers, one trace per intent, and no key or owner', async () => {
    const file = join(dir, 'storm-otel.json');
    const urls = servers.slice(0, 2).map((server) => server.url);
    const run = await runStorm([
      '--urls',
      urls.join(','),
      '--intents',
      '8',
      '--duplicates',
      '6',
      '--flaky',
      '0.2',
      '--otel-out',
      file,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.otel.file).toBe(file);
    expect(run.stderr).toContain(`storm: OpenTelemetry written to ${file}: `);

    const text = await readFile(file, 'utf8');
    const otlp = JSON.parse(text) as OtlpFile;
    const byService = (service: string) =>
      otlp.resourceSpans
        .filter((resource) => attributes(resource.resource.attributes)['service.name'] === service)
        .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    const storm = byService('storm');
    const server = byService('demo-server');
    for (const span of [...storm, ...server]) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(span.startTimeUnixNano).toMatch(/^\d{19}$/);
    }
    expect(report.otel.spans).toEqual({ storm: storm.length, 'demo-server': server.length });

    // One storm.intent root per intent; every request a CLIENT span under it.
    const intents = storm.filter((span) => span.name === 'storm.intent');
    expect(intents.map((span) => attributes(span.attributes)['storm.intent']).sort()).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    const requests = storm.filter((span) => span.kind === SPAN_KIND.client);
    expect(requests).toHaveLength(report.tally.requests);
    // The server continued each request's trace: its span's parent is the storm's request span.
    const clientSpans = new Map(requests.map((span) => [span.spanId, span]));
    const payments = server.filter(
      (span) =>
        span.kind === SPAN_KIND.server && attributes(span.attributes)['trpc.procedure'] === 'checkout.pay',
    );
    expect(payments.length).toBeGreaterThan(0);
    for (const span of payments) expect(clientSpans.get(span.parentSpanId!)?.traceId).toBe(span.traceId);

    // The guard's decisions: span events on the request spans, store round trips as child spans.
    const events = payments.flatMap((span) => span.events);
    const executed = events.filter((event) => event.name === 'guardrails.executed');
    expect(executed).toHaveLength(8);
    expect(attributes(executed[0]!.attributes)).toMatchObject({
      'trpc.procedure': 'checkout.pay',
      'guardrails.outcome': 'result',
    });
    expect(events.some((event) => event.name === 'guardrails.replayed')).toBe(true);
    const limited = events.find((event) => event.name === 'guardrails.limited');
    expect(attributes(limited!.attributes)).toMatchObject({ 'trpc.procedure': 'checkout.pay' });
    expect(['ip', 'user']).toContain(attributes(limited!.attributes)['guardrails.scope']);
    expect(server.some((span) => span.name === 'guardrails.store.check')).toBe(true);

    // Counters, summed over both servers, agree with what the ledger counted during the run.
    const points = (name: string) =>
      otlp.resourceMetrics
        .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
        .filter((metric) => metric.name === name)
        .flatMap((metric) => metric.sum?.dataPoints ?? []);
    const total = (name: string) => points(name).reduce((sum, point) => sum + point.asDouble, 0);
    expect(total('guardrails.executed')).toBe(8);
    expect(report.ledger.executions).toBe(8);
    expect(total('guardrails.replayed')).toBe(report.ledger.replays);
    expect(total('guardrails.limited')).toBe(report.ledger.limited);
    for (const point of points('guardrails.limited')) {
      expect(Object.keys(attributes(point.attributes)).sort()).toEqual([
        'guardrails.scope',
        'trpc.procedure',
      ]);
    }
    expect(report.otel.metrics).toMatchObject({
      'guardrails.executed': 8,
      'guardrails.replayed': report.ledger.replays,
    });

    // No raw idempotency key and no owner anywhere in the file.
    const keys = new Set(logs.filter((line) => line.msg === 'guardrails').map((line) => line.key));
    const owners = new Set(logs.filter((line) => line.msg === 'guardrails').map((line) => line.owner));
    keys.delete(undefined);
    owners.delete(undefined);
    expect(keys.size).toBeGreaterThanOrEqual(8);
    expect(owners.size).toBeGreaterThanOrEqual(8);
    for (const secret of [...keys, ...owners]) expect(text).not.toContain(String(secret));
  });

  it('refuses, saying what to do, when a server records nothing', async () => {
    const run = await runStorm([
      '--urls',
      servers[2]!.url,
      '--intents',
      '1',
      '--otel-out',
      join(dir, 'x.json'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${servers[2]!.url} records no OpenTelemetry; start it with DEMO_OTEL=1`);
    expect(run.stderr).not.toContain('Is a demo server running');
    const empty = await runStorm(['--otel-out', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--otel-out needs a file name');
  });
});
