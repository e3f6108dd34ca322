/**
 * What a hostile request under 1 KB costs the server before the rate limit decides: each attack
 * is sent 200 times by a separate client process to a guarded standalone server (memory store,
 * the README's limits), while the server measures its own event-loop delay. Prints the table;
 * asserts nothing.
 *
 *   pnpm --filter trpc-guardrails bench -- hostile-input
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import superjson from 'superjson';
import { it } from 'vitest';
import { FingerprintError, fingerprintInput } from '../src/idempotency/fingerprint.js';
import { uniquePrefix } from '../src/store-contract/describe-store.js';
import { memoryStore } from '../src/stores/memory/memory-store.js';
import { circularEnvelope, deepBody, diamondEnvelope } from '../src/testing/hostile-inputs.js';
import { createTestApp, serve } from '../src/testing/test-app.js';
import { benchTimer, publish } from './harness/publish.js';

const SENDS = Number(process.env.SENDS ?? 200);

/** The client: plain JS in its own process, so its work never shows in the server's loop. */
const CLIENT = `
const [url, file, sends, user] = process.argv.slice(1);
const bodies = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
(async () => {
  const times = [];
  const statuses = {};
  for (let i = 0; i < Number(sends); i++) {
    const body = bodies[i % bodies.length];
    const start = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': user }, body });
    await response.text();
    times.push(performance.now() - start);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ median: times[times.length >> 1], max: times[times.length - 1], statuses }));
})();
`;

/** Our own share: the deserialized input through the fingerprint, as the guard runs it. */
function fingerprintMicros(body: string): string {
  const input = superjson.deserialize(JSON.parse(body) as never) as Record<string, unknown>;
  const { idempotencyKey: _key, ...rest } = input;
  const runs = 200;
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    try {
      fingerprintInput(rest);
    } catch (error) {
      if (!(error instanceof FingerprintError)) throw error;
    }
  }
  return ((performance.now() - start) * (1000 / runs)).toFixed(1);
}

function widest(levels: number, width: number): string {
  return JSON.stringify(diamondEnvelope(levels, width));
}

it('hostile requests under 1 KB: server event-loop delay and latency', async () => {
  const app = createTestApp({
    store: memoryStore(),
    prefix: uniquePrefix('bench'),
    limits: { ip: 1_000_000 },
  });
  const server = await serve(app.router, 'standalone', { maxBodySize: 1024 * 1024, maxBatchSize: 10 });
  const attacks: [string, string][] = [
    [
      'warm-up: honest charges',
      JSON.stringify({ json: { idempotencyKey: 'w', customerId: 'c1', amountCents: 5 } }),
    ],
    [
      'honest charge (baseline)',
      JSON.stringify({ json: { idempotencyKey: 'k', customerId: 'c1', amountCents: 500 } }),
    ],
    ['DAG 2^15 paths (referentialEqualities)', widest(15, 2)],
    ['DAG 4^8 paths', widest(8, 4)],
    ['DAG 8^5 paths', widest(5, 8)],
    ['circular (x.self = x)', JSON.stringify(circularEnvelope())],
    ['arrays nested 470 deep', deepBody(470)],
  ];
  const elapsed = benchTimer();
  const head = [
    'attack',
    'bytes',
    'answers',
    'fingerprint (µs)',
    'client latency median (ms)',
    'server busy per request (ms)',
    'server event-loop delay p99 / max (ms)',
  ];
  const rows: string[][] = [];
  for (const [name, body] of attacks) {
    const file = join(tmpdir(), `attack-${Math.random().toString(36).slice(2)}.json`);
    const bodies = name.startsWith('honest charge (baseline)')
      ? Array.from({ length: SENDS }, (_, i) => body.replace('"k"', `"k${i}"`))
      : [body];
    await writeFile(file, JSON.stringify(bodies));
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const busy = performance.eventLoopUtilization();
    const output = await new Promise<string>((resolve, reject) => {
      const user = `attacker-${rows.length + 2}`;
      const child = spawn(process.execPath, [
        '-e',
        CLIENT,
        `${server.url}/charge`,
        file,
        String(SENDS),
        user,
      ]);
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`client exited ${code}`))));
    });
    loop.disable();
    const activeMs = performance.eventLoopUtilization(busy).active;
    const result = JSON.parse(output) as { median: number; statuses: Record<string, number> };
    const answers = Object.entries(result.statuses)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    if (name.startsWith('warm-up')) continue;
    rows.push([
      name,
      String(body.length),
      answers,
      fingerprintMicros(body),
      result.median.toFixed(2),
      (activeMs / SENDS).toFixed(3),
      `${(loop.percentile(99) / 1e6).toFixed(1)} / ${(loop.max / 1e6).toFixed(1)}`,
    ]);
  }
  await server.close();
  await publish({
    id: 'hostile-input',
    title: '9. Hostile inputs under 1 KB',
    method:
      `Each attack is sent ${SENDS} times, one after another, by a client in its own process to a guarded standalone server (memory store, the README's limits), which measures its own event-loop delay and busy time. ` +
      'Fingerprint: the deserialized input through `fingerprintInput`, as the guard runs it, in this process.',
    tables: [{ table: { head, rows } }],
    ...elapsed(),
  });
}, 120_000);
