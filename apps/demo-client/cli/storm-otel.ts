import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { OtlpJson } from 'demo-server/telemetry';
import type { StormTrace } from './storm-trace.js';

/** What `--otel-out` wrote: where, and what is in it. */
export interface OtelFileSummary {
  file: string;
  /** Spans by `service.name` (`storm`, `demo-server`). */
  spans: Record<string, number>;
  /** Each metric's total over every server and attribute set: a counter's sum, a histogram's count. */
  metrics: Record<string, number>;
}

/**
 * Asks every server to hand over what it recorded so far, and drops it, so that the file holds
 * this run only. Fails, saying how to fix it, when a server records nothing (no `DEMO_OTEL=1`).
 */
export async function discardEarlierTelemetry(urls: string[]): Promise<void> {
  await Promise.all(urls.map(exportFrom));
}

/**
 * Collects the servers' spans and metrics (`POST /otel/export`), adds the storm's own spans and
 * writes them as one OTLP/JSON document: `{ resourceSpans, resourceMetrics }`, one resource per
 * server and one for the storm. `file` is relative to where `pnpm` was started.
 */
export async function writeOtelFile(
  file: string,
  urls: string[],
  trace: StormTrace,
): Promise<OtelFileSummary> {
  const parts = [await trace.drain(), ...(await Promise.all(urls.map(exportFrom)))];
  const otlp: OtlpJson = {
    resourceSpans: parts.flatMap((part) => part.resourceSpans),
    resourceMetrics: parts.flatMap((part) => part.resourceMetrics),
  };
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  await writeFile(path, `${JSON.stringify(otlp)}\n`);
  return { file: path, ...summarizeOtlp(otlp) };
}

/** One line: where the file is, its spans by service and its metrics' totals. */
export function formatOtelSummary({ file, spans, metrics }: OtelFileSummary): string {
  const total = Object.values(spans).reduce((sum, count) => sum + count, 0);
  const byService = Object.entries(spans).map(([service, count]) => `${service} ${count}`);
  const points = Object.entries(metrics).map(([name, value]) => `${name} ${value}`);
  return `storm: OpenTelemetry written to ${file}: ${total} spans (${byService.join(', ')}); metrics: ${points.join(', ') || 'none'}`;
}

/** The OTLP/JSON fields the summary reads. */
interface Attribute {
  key: string;
  value: { stringValue?: string };
}
interface ResourceSpans {
  resource?: { attributes?: Attribute[] };
  scopeSpans?: { spans?: unknown[] }[];
}
interface ResourceMetrics {
  scopeMetrics?: {
    metrics?: {
      name: string;
      sum?: { dataPoints?: { asInt?: number | string; asDouble?: number }[] };
      histogram?: { dataPoints?: { count?: number | string }[] };
    }[];
  }[];
}

/** Counts spans by service and adds up each metric's points. */
export function summarizeOtlp(otlp: OtlpJson): Omit<OtelFileSummary, 'file'> {
  const spans: Record<string, number> = {};
  for (const resource of otlp.resourceSpans as ResourceSpans[]) {
    const service =
      resource.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value
        .stringValue ?? 'unknown';
    const count = (resource.scopeSpans ?? []).reduce((sum, scope) => sum + (scope.spans?.length ?? 0), 0);
    spans[service] = (spans[service] ?? 0) + count;
  }
  const metrics: Record<string, number> = {};
  for (const resource of otlp.resourceMetrics as ResourceMetrics[]) {
    for (const metric of (resource.scopeMetrics ?? []).flatMap((scope) => scope.metrics ?? [])) {
      const values = [
        ...(metric.sum?.dataPoints ?? []).map((point) => Number(point.asInt ?? point.asDouble ?? 0)),
        ...(metric.histogram?.dataPoints ?? []).map((point) => Number(point.count ?? 0)),
      ];
      metrics[metric.name] = (metrics[metric.name] ?? 0) + values.reduce((sum, value) => sum + value, 0);
    }
  }
  return {
    spans,
    metrics: Object.fromEntries(Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** A server that answers, but hands over no telemetry: the message says how to fix it. */
export class OtelExportError extends Error {}

async function exportFrom(url: string): Promise<OtlpJson> {
  let response: Response;
  try {
    response = await fetch(`${url}/otel/export`, { method: 'POST' });
  } catch (cause) {
    throw new Error(`--otel-out: ${url} did not answer POST /otel/export`, { cause });
  }
  if (response.status === 404) {
    throw new OtelExportError(
      `--otel-out: ${url} records no OpenTelemetry; start it with DEMO_OTEL=1 (the servers of --servers do)`,
    );
  }
  if (!response.ok) throw new OtelExportError(`--otel-out: ${url}/otel/export answered ${response.status}`);
  return (await response.json()) as OtlpJson;
}
