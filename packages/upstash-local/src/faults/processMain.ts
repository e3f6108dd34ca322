import { startUpstashLocal } from '../startUpstashLocal.js';
import type { UpstashLocalOptions } from '../UpstashLocalOptions.js';

/**
 * Entry point of the child that `startUpstashLocalProcess` spawns: starts a gateway, reports
 * where it is as one JSON line on stdout, and stops when stdin closes, which the kernel does when
 * the parent exits however it exits — so a gateway started by a test never outlives it.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as UpstashLocalOptions;
const local = await startUpstashLocal(options);
process.stdout.write(`${JSON.stringify({ url: local.url, token: local.token, redisPid: local.redisPid })}\n`);
process.stdin.on('end', () => {
  void local.stop().then(() => process.exit(0));
});
process.stdin.resume();
