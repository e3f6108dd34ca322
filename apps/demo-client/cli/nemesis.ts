import { formatVerdict } from './nemesis/checker.js';
import { NEMESIS_USAGE, parseNemesisOptions } from './nemesis/nemesis-options.js';
import { runNemesis } from './nemesis/run-nemesis.js';
import { UsageError } from './storm-options.js';

let options: ReturnType<typeof parseNemesisOptions>;
try {
  options = parseNemesisOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  if (error.message) console.error(error.message);
  console.error(NEMESIS_USAGE);
  process.exit(error.message ? 2 : 0);
}
const verdict = await runNemesis(options, (line) => console.error(line));
console.log(
  options.json
    ? JSON.stringify({ seed: options.seed, ...verdict }, null, 2)
    : formatVerdict(verdict, options.seed),
);
process.exit(verdict.ok ? 0 : 1);
