import {
  type FaultProxy,
  startFaultProxy,
  startUpstashLocalProcess,
  type UpstashLocalProcess,
} from 'upstash-local/faults';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { payUntilAnswered, startPayServer } from '../testing/pay-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let gateway: UpstashLocalProcess;
beforeAll(async () => {
  gateway = await startUpstashLocalProcess();
}, 30_000);
afterAll(() => gateway?.stop());

/** Three server instances, each with its own Redis client, on one gateway. */
async function fleet(options: { lease: `${number} s`; handlerMs: number; url?: string }) {
  const executions = new Map<string, number>();
  const trace: string[] = [];
  const prefix = uniquePrefix('stall');
  const servers = await Promise.all(
    [0, 1, 2].map((n) =>
      startPayServer({
        url: options.url ?? gateway.url,
        token: gateway.token,
        prefix,
        lease: options.lease,
        timeout: '500 ms',
        handlerMs: options.handlerMs,
        executions,
        trace,
        name: `s${n}`,
      }),
    ),
  );
  return { servers, executions, trace, close: () => Promise.all(servers.map((server) => server.close())) };
}

/**
 * A storm of duplicates: every intent is sent to every server, a little apart, and each sender
 * retries on 503, 409 or a lost connection until it gets an answer.
 */
async function storm(urls: string[], intents: number) {
  const deadline = Date.now() + 45_000;
  const keys = Array.from(
    { length: intents },
    (_, i) => `intent-${i}-${Math.random().toString(36).slice(2)}`,
  );
  const answers = await Promise.all(
    keys.flatMap((key, i) =>
      urls.map(async (url, n) => {
        await sleep((i * 17 + n * 131) % 400);
        return {
          key,
          answer: await payUntilAnswered(url, { idempotencyKey: key, cents: 100 + i })(deadline),
        };
      }),
    ),
  );
  return { keys, answers };
}

function expectOneExecutionAndOneAnswerPerIntent(
  run: Awaited<ReturnType<typeof storm>> & { trace: string[] },
  executions: Map<string, number>,
) {
  const counts = run.keys.map((key) => executions.get(key) ?? 0);
  for (const key of run.keys.filter((key) => executions.get(key) !== 1)) {
    console.log(key, run.trace.filter((line) => line.includes(key) || line.includes('SIG')).join('\n'));
  }
  expect(
    counts.filter((count) => count !== 1),
    `executions per intent: ${counts.join(',')}`,
  ).toEqual([]);
  for (const key of run.keys) {
    const values = run.answers.filter((entry) => entry.key === key).map((entry) => entry.answer);
    for (const value of values) expect(value.ok ? 'ok' : value.error.message, `intent ${key}`).toBe('ok');
    const [first, ...rest] = values.map((value) => (value.ok ? value.value : undefined));
    for (const other of rest) expect(other).toEqual(first);
  }
}

describe('a store stall longer than the lease, in the middle of a storm of duplicates', () => {
  it.each([
    ['redis-server', 'redis'],
    ['the gateway process', 'gateway'],
  ] as const)(
    'SIGSTOP of %s for 3.5 s with a 3 s lease runs every intent once',
    async (_, target) => {
      const { servers, executions, trace, close } = await fleet({ lease: '3 s', handlerMs: 1_000 });
      try {
        const running = storm(
          servers.map((server) => server.url),
          20,
        );
        await sleep(600); // owners are inside their handlers, duplicates are arriving
        gateway.signal(target, 'SIGSTOP');
        trace.push(`${Date.now() % 100_000} SIGSTOP`);
        await sleep(3_500);
        gateway.signal(target, 'SIGCONT');
        trace.push(`${Date.now() % 100_000} SIGCONT`);
        const run = await running;
        expectOneExecutionAndOneAnswerPerIntent({ ...run, trace }, executions);
        const lost = servers.flatMap((server) =>
          server.events.filter((event) => event.type === 'outcome-lost'),
        );
        for (const event of lost) {
          const key = (event as { key: string }).key;
          console.log(key, trace.filter((line) => line.includes(key) || line.includes('SIG')).join('\n'));
        }
        expect(lost).toEqual([]);
      } finally {
        gateway.signal(target, 'SIGCONT');
        await close();
      }
    },
    60_000,
  );
});

describe('a claim whose answer is lost', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(gateway.url);
  });
  afterAll(() => proxy?.close());

  it("is retried by @upstash/redis and recognised as the caller's own at once, not after a lease", async () => {
    const { servers, executions, close } = await fleet({ lease: '60 s', handlerMs: 10, url: proxy.url });
    try {
      const key = `lost-claim-${Math.random()}`;
      // The claim runs in Redis; its answer never arrives; the client library sends it again.
      proxy.loseNextResponses(1, key);
      const answer = await payUntilAnswered(servers[0]!.url, { idempotencyKey: key, cents: 1 })(
        Date.now() + 20_000,
      );
      expect(proxy.lost).toBe(1);
      expect(answer.ok).toBe(true);
      expect(executions.get(key)).toBe(1);
      // Taken as a takeover, it would have waited the whole 60 s lease first.
      expect(servers[0]!.events.find((event) => event.type === 'executed')).toMatchObject({
        takeover: false,
      });
    } finally {
      await close();
    }
  }, 30_000);
});
