import { monitorEventLoopDelay } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { deepBody, hostileInputs } from '../testing/hostile-inputs.js';
import { type Adapter, createTestApp, serve } from '../testing/test-app.js';

/** Cases per property; `FUZZ_RUNS=5000 pnpm test` for a long run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

/** The limits the README recommends for a production tRPC server. */
const LIMITS = { maxBodySize: 1024 * 1024, maxBatchSize: 10 };

describe.each<Adapter>(['standalone', 'fetch'])('hostile input over the %s adapter', (adapter) => {
  let url: string;
  let close: () => Promise<void>;
  const statuses = new Map<number, number>();
  const loop = monitorEventLoopDelay({ resolution: 1 });

  beforeAll(async () => {
    const app = createTestApp({
      store: memoryStore(),
      prefix: uniquePrefix('fuzz'),
      limits: { ip: 1_000_000 },
    });
    ({ url, close } = await serve(app.router, adapter, LIMITS));
    loop.enable();
  });
  afterAll(async () => {
    loop.disable();
    const counts = [...statuses].map(([status, count]) => `${status}×${count}`).join(' ');
    console.log(
      `${adapter}: answers ${counts}; event loop delay max ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`,
    );
    await close();
  });

  /** Sends a raw request; the answer must be a tRPC answer below 500. */
  async function send(path: string, body: string | Uint8Array, query = ''): Promise<number> {
    const response = await fetch(`${url}/${path}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'fuzzer' },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });
    const text = await response.text();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    expect(
      response.status,
      `${path}${query} ${String(body).slice(0, 200)} → ${text.slice(0, 300)}`,
    ).toBeLessThan(500);
    return response.status;
  }

  const paths = fc.constantFrom('charge', 'unkeyed', 'webhook', 'limitedOnly', 'nope', 'charge.x');

  it('answers arbitrary bytes and arbitrary JSON with a 4xx or a result, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        paths,
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array({ maxLength: 2048 }),
          fc.integer({ min: 1_000, max: 20_000 }).map(deepBody),
        ),
        async (path, body) => {
          await send(path, body);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers tampered superjson envelopes, bad keys, deep, shared and circular inputs, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(paths, hostileInputs(), async (path, input) => {
        await send(path, JSON.stringify(input));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('answers batches with too many calls or odd inputs, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(paths, { minLength: 1, maxLength: 40 }),
        fc.array(hostileInputs(), { maxLength: 40 }),
        async (batch, inputs) => {
          const body = Object.fromEntries(inputs.map((input, index) => [index, input]));
          const status = await send(batch.join(','), JSON.stringify(body), '?batch=1');
          if (batch.length > LIMITS.maxBatchSize) expect(status).toBe(400);
        },
      ),
      { numRuns: RUNS },
    );
  });

  // The fetch adapter has no maxBodySize: there the platform bounds the body.
  if (adapter === 'standalone') {
    it('refuses bodies over maxBodySize with 413', async () => {
      for (const size of [2 * 1024 * 1024, 20 * 1024 * 1024]) {
        expect(await send('charge', `{"json":{"s":"${'x'.repeat(size)}"}}`)).toBe(413);
      }
    });
  }

  it('still serves an honest call afterwards', async () => {
    const body = JSON.stringify({ json: { idempotencyKey: 'honest', customerId: 'c1', amountCents: 500 } });
    expect(await send('charge', body)).toBe(200);
  });
});
