import { createProgress } from './progress.js';
import { type StormFleet, startStormFleet } from './storm-fleet.js';
import { parseStormOptions, USAGE, UsageError } from './storm-options.js';
import { discardEarlierTelemetry, formatOtelSummary, OtelExportError, writeOtelFile } from './storm-otel.js';
import { runStorm } from './storm-run.js';
import { formatSummary, stormPassed } from './summary.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseStormOptions>;
  try {
    options = parseStormOptions(process.argv.slice(2));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message ? `${message}\n\n` : ''}${USAGE}\n`);
    return error instanceof UsageError && !message ? 0 : 2;
  }
  let fleet: StormFleet | undefined;
  if (options.servers) {
    const where = options.cluster ? 'a Redis Cluster of 3 masters + 3 replicas' : 'a redis-server';
    process.stderr.write(`storm: starting ${options.servers} demo server(s) on ${where}…\n`);
    fleet = await startStormFleet({
      servers: options.servers,
      cluster: options.cluster,
      otel: options.otelOut !== undefined,
    });
    process.stderr.write(`storm: ${fleet.description}\n`);
    options = { ...options, urls: fleet.urls };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void fleet!.stop().finally(() => process.exit(130)));
    }
  }
  try {
    const progress = createProgress(process.stderr, {
      requests: options.intents * options.duplicates,
      intents: options.intents,
    });
    // The OpenTelemetry SDK loads only for --otel-out.
    const trace =
      options.otelOut === undefined ? undefined : (await import('./storm-trace.js')).createStormTrace();
    if (trace) await discardEarlierTelemetry(options.urls);
    const result = await runStorm(options, (tally) => progress.update(tally), trace);
    progress.done(result.tally);
    // Before the servers stop: they hand over what they recorded when asked.
    const otel = trace && (await writeOtelFile(options.otelOut!, options.urls, trace));
    const report = {
      ...result,
      ...(fleet && { fleet: { description: fleet.description, redisPorts: fleet.redisPorts } }),
      ...(otel && { otel }),
    };
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `\n${formatSummary(result)}\n`);
    if (otel) process.stderr.write(`${formatOtelSummary(otel)}\n`);
    return stormPassed(result) ? 0 : 1;
  } finally {
    await fleet?.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    process.stderr.write(
      `storm failed: ${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ''}\n` +
        (error instanceof OtelExportError ? '' : 'Is a demo server running? Start one with `pnpm demo`.\n'),
    );
    process.exitCode = 1;
  },
);
