import { parseCliArgs, USAGE } from './cli/parseCliArgs.js';
import { startUpstashLocal } from './startUpstashLocal.js';

async function main(): Promise<void> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (command.help) {
    process.stdout.write(USAGE);
    return;
  }

  const local = await startUpstashLocal(command.options);
  // stdout carries only the .env lines, so `upstash-local > .env.local` works.
  process.stdout.write(`UPSTASH_REDIS_REST_URL=${local.url}\nUPSTASH_REDIS_REST_TOKEN=${local.token}\n`);
  const backend =
    local.redisPid === undefined
      ? `the Redis at ${local.redisUrl}`
      : `redis-server (pid ${local.redisPid}, in memory, gone on exit) at ${local.redisUrl}`;
  process.stderr.write(
    `[upstash-local] Upstash REST API at ${local.url} in front of ${backend}. Ctrl-C to stop.\n`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[upstash-local] ${signal}: stopping.\n`);
    local.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[upstash-local] Stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
