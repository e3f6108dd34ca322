import { createProgress } from './progress.js';
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
  const progress = createProgress(process.stderr, {
    requests: options.intents * options.duplicates,
    intents: options.intents,
  });
  const result = await runStorm(options, (tally) => progress.update(tally));
  progress.done(result.tally);
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `\n${formatSummary(result)}\n`);
  return stormPassed(result) ? 0 : 1;
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
