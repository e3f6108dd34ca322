import { parseArgs } from 'node:util';
import type { UpstashLocalOptions } from '../UpstashLocalOptions.js';

export const USAGE = `Usage: upstash-local [options]

Runs redis-server behind the Upstash REST protocol and prints the .env lines to reach it.

Options:
  --port N             HTTP port (default: a free port)
  --host H             interface to bind (default: 127.0.0.1)
  --token T            bearer token (default: random)
  --redis-url URL      use this Redis instead of starting redis-server (e.g. redis://127.0.0.1:6379)
  --redis-server PATH  redis-server binary (default: redis-server on PATH)
  --latency-ms N       delay added to every request, to mimic a remote Redis (default: 0)
  --help               show this help
`;

/** What the command line asks for. */
export type CliCommand = { help: true } | { help: false; options: UpstashLocalOptions };

/**
 * Parses the CLI arguments; throws an `[upstash-local]` error naming the bad flag.
 *
 * @example
 * parseCliArgs(['--port', '8079']); // { help: false, options: { port: 8079 } }
 */
export function parseCliArgs(args: string[]): CliCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new Error(`[upstash-local] ${(error as Error).message}. Run upstash-local --help for the options.`);
  }
  if (values.help) return { help: true };
  const options: UpstashLocalOptions = {};
  if (values.port !== undefined) options.port = integer('--port', values.port, 0, 65535);
  if (values['latency-ms'] !== undefined)
    options.latencyMs = integer('--latency-ms', values['latency-ms'], 0, 60_000);
  if (values.host !== undefined) options.host = values.host;
  if (values.token !== undefined) options.token = values.token;
  if (values['redis-url'] !== undefined) options.redisUrl = values['redis-url'];
  if (values['redis-server'] !== undefined) options.redisServer = values['redis-server'];
  return { help: false, options };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      'redis-url': { type: 'string' },
      'redis-server': { type: 'string' },
      'latency-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`[upstash-local] ${flag} must be a whole number from ${min} to ${max}, got "${text}".`);
  }
  return value;
}
