// The long failover run: `pnpm --filter trpc-guardrails failover -- --intents 2000`.
// Runs src/stores/redis/failover.scenario.test.ts with more intents and both scenarios (a plain
// SIGKILL of a master, then a master whose replicas were cut off first), printing one table each.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const usage = `Usage: pnpm --filter trpc-guardrails failover -- [--intents N] [--rate N] [--scenarios kill,partition]

  --intents    intents per client and configuration (ioredis, node-redis; without and with WAIT)  (default 2000)
  --rate       intents started per second per configuration                                       (default 20)
  --scenarios  kill (SIGKILL of a master) and/or partition (its replicas cut off 500 ms first)     (default kill,partition)`;

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      intents: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '20' },
      scenarios: { type: 'string', default: 'kill,partition' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
for (const name of ['intents', 'rate']) {
  if (!/^[1-9]\d*$/.test(values[name])) {
    console.error(`--${name} must be a positive integer, got ${values[name]}\n\n${usage}`);
    process.exit(2);
  }
}
const scenarios = values.scenarios.split(',').filter(Boolean);
if (scenarios.length === 0 || scenarios.some((scenario) => scenario !== 'kill' && scenario !== 'partition')) {
  console.error(`--scenarios takes kill and/or partition, got ${values.scenarios}\n\n${usage}`);
  process.exit(2);
}

const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const { status } = spawnSync(
  process.execPath,
  [vitest, 'run', 'src/stores/redis/failover.scenario.test.ts'],
  {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
    env: {
      ...process.env,
      FAILOVER_INTENTS: values.intents,
      FAILOVER_RATE: values.rate,
      FAILOVER_SCENARIOS: scenarios.join(','),
    },
  },
);
process.exit(status ?? 1);
