import { createProgress } from './progress.js';
import { type StormFleet, startStormFleet } from './storm-fleet.js';
import { parseStormOptions, USAGE, UsageError } from './storm-options.js';
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
    fleet = await startStormFleet({ servers: options.servers, cluster: options.cluster });
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
    const result = await runStorm(options, (tally) => progress.update(tally));
    progress.done(result.tally);
    const report = fleet
      ? { ...result, fleet: { description: fleet.description, redisPorts: fleet.redisPorts } }
      : result;
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `\n${formatSummary(result)}\n`);
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
        'Is a demo server running? Start one with `pnpm demo`.\n',
    );
    process.exitCode = 1;
  },
);
