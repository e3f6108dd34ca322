import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedisPrefix } from './createTestRedisPrefix.js';
import { parseRedisUrl } from './resp/parseRedisUrl.js';
import { RedisConnection } from './resp/RedisConnection.js';
import { startUpstashLocal } from './startUpstashLocal.js';
import { waitUntil } from './testing/waitUntil.js';
import type { UpstashLocal } from './UpstashLocal.js';

let local: UpstashLocal;
/** The gateway's log: one line per answered request, in the order answers were sent. */
const answered: string[] = [];
const prefix = createTestRedisPrefix('pipeline');
const N = 100_000;

beforeAll(async () => {
  local = await startUpstashLocal({ log: (line) => answered.push(line) });
});
afterAll(() => local.stop());

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

describe('a 100,000-command pipeline', () => {
  it('answers every command in order while other clients keep being served', async () => {
    const big = new Redis({ url: local.url, token: local.token, enableAutoPipelining: false });
    const small = new Redis({ url: local.url, token: local.token, enableAutoPipelining: false });
    const counter = `${prefix}counter`;

    // Another client reads the counter over and over while the pipeline increments it.
    let pipelineDone = false;
    const seen: number[] = [];
    const latencies: number[] = [];
    const reader = (async () => {
      while (!pipelineDone) {
        const started = performance.now();
        seen.push(Number((await small.get<number>(counter)) ?? 0));
        latencies.push(performance.now() - started);
      }
    })();

    const pipeline = big.pipeline();
    for (let i = 0; i < N; i++) pipeline.incr(counter);
    const started = performance.now();
    const running = pipeline.exec<number[]>();

    // Once Redis has run part of the pipeline (seen over a connection of our own), one more
    // request through the gateway must be answered before the pipeline is. Before the fix the
    // gateway spent seconds matching replies in one go, and answered nothing else meanwhile.
    const direct = await RedisConnection.open(parseRedisUrl(local.redisUrl));
    await waitUntil(
      'the pipeline runs',
      async () => Number((await direct.send([['GET', counter]]))[0]) > 0,
      30_000,
    );
    direct.close();
    await small.get(counter);
    const pipelineAnsweredFirst = answered.some((line) => line.startsWith('POST /pipeline'));

    const results = await running;
    const elapsed = performance.now() - started;
    pipelineDone = true;
    await reader;

    // INCR answers 1, 2, 3, ...: any lost, duplicated or reordered reply shows.
    expect(results).toHaveLength(N);
    expect(results.every((value, i) => value === i + 1)).toBe(true);
    expect(pipelineAnsweredFirst, 'a small request waited for the whole pipeline').toBe(false);
    // The reader was answered throughout, with values that only grow.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((value, i) => value >= 0 && value <= N && value >= (seen[i - 1] ?? 0))).toBe(true);
    const midway = seen.filter((value) => value > 0 && value < N).length;

    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `[upstash-local] ${N}-command pipeline: ${elapsed.toFixed(0)} ms. Meanwhile ${seen.length} small GETs ` +
        `(${midway} saw the counter mid-pipeline): p50 ${percentile(sorted, 0.5)!.toFixed(1)} ms, ` +
        `p99 ${percentile(sorted, 0.99)!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms.`,
    );
  });
});
