import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** What one autocannon run reports (the fields the benches read). */
export interface LoadResult {
  /** Completed requests per second, averaged over the run. */
  requestsPerSecond: number;
  /** Completed requests. */
  requests: number;
  /** Responses that were not 2xx, plus errors and timeouts. */
  failures: number;
  latencyP50: number;
  latencyP99: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/**
 * Runs the `autocannon` CLI in a process of its own (so its work never shows in the server's)
 * against a tRPC mutation: POSTs `body`, with `[<id>]` in it replaced by a fresh id per request.
 *
 * @example
 * await loadTest({ url: `${server.url}/guarded`, body: { json: { n: 1, idempotencyKey: '[<id>]' } }, connections: 8, seconds: 3 });
 */
export async function loadTest(options: {
  url: string;
  body: unknown;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}): Promise<LoadResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const headers = Object.entries({ 'content-type': 'application/json', ...options.headers }).flatMap(
    ([name, value]) => ['-H', `${name}=${value}`],
  );
  const args = [
    cli,
    '-c',
    String(options.connections),
    '-d',
    String(options.seconds),
    '-m',
    'POST',
    ...headers,
    '-b',
    JSON.stringify(options.body),
    '-I',
    '-j',
    options.url,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`[bench] autocannon exited ${code}: ${stderr}`)),
    );
  });
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as AutocannonJson;
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  };
}
