import { setTimeout as sleep } from 'node:timers/promises';
import type { LedgerStats } from 'demo-server';
import { createIdempotencyKey } from 'trpc-guardrails/client';
import { createStormClient, type StormClient, sendPayment } from './storm-client.js';
import type { StormOptions } from './storm-options.js';
import type { IntentTrace, StormTrace } from './storm-trace.js';

/** What the storm saw from the client side. */
export interface StormTally {
  requests: number;
  /** Successful answers that ran the handler (no `Idempotent-Replayed`). */
  executions: number;
  /** Successful answers replayed from the store. */
  replays: number;
  /** 409 answers (a duplicate refused while the first was still running). */
  conflicts: number;
  /** 429 answers. */
  rateLimited: number;
  /** Requests that got no response (lost on purpose by the server), then retried. */
  lostResponses: number;
  /** 5xx answers (e.g. the server's store timed out), then retried. */
  serverErrors: number;
  /** Other failures. */
  errors: number;
  intentsDone: number;
  /** Intents whose duplicates came back with different charge ids. Must stay 0. */
  inconsistentIntents: number;
}

export type StormStats = Pick<
  LedgerStats,
  | 'charges'
  | 'doubleCharges'
  | 'executions'
  | 'replays'
  | 'conflicts'
  | 'limited'
  | 'droppedResponses'
  | 'storeErrors'
>;

export interface StormResult {
  options: StormOptions;
  tally: StormTally;
  /** What the servers' shared ledger counted during the storm. */
  ledger: StormStats;
  /** Whether the servers share one store ('memory' servers each keep their own ledger). */
  store: string;
  durationMs: number;
}

const MAX_ATTEMPTS = 12;

/**
 * Runs the storm and reads the ledger before and after. `onProgress` is called after every answer;
 * `trace`, when given, records every intent and request as spans.
 */
export async function runStorm(
  options: StormOptions,
  onProgress: (tally: StormTally) => void,
  trace?: StormTrace,
): Promise<StormResult> {
  const clients = options.urls.map(createStormClient);
  const runId = createIdempotencyKey().slice(0, 6);
  const before = await ledgerTotals(clients);
  const tally: StormTally = {
    requests: 0,
    executions: 0,
    replays: 0,
    conflicts: 0,
    rateLimited: 0,
    lostResponses: 0,
    serverErrors: 0,
    errors: 0,
    intentsDone: 0,
    inconsistentIntents: 0,
  };
  const startedAt = Date.now();
  let next = 0;
  async function worker() {
    while (next < options.intents) {
      const index = next++;
      await runIntent({ index, runId, clients, options, tally, onProgress, trace: trace?.intent(index) });
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.intents) }, worker));
  const durationMs = Date.now() - startedAt;
  const after = await ledgerTotals(clients);
  const ledger = Object.fromEntries(
    Object.entries(after.stats).map(([field, value]) => [
      field,
      value - before.stats[field as keyof StormStats],
    ]),
  ) as unknown as StormStats;
  return { options, tally, ledger, store: after.store, durationMs };
}

interface IntentRun {
  index: number;
  runId: string;
  clients: StormClient[];
  options: StormOptions;
  tally: StormTally;
  onProgress: (tally: StormTally) => void;
  trace: IntentTrace | undefined;
}

/** Sends all duplicates of one intent at once, spread over the servers, and retries until one succeeds. */
async function runIntent(run: IntentRun): Promise<void> {
  const { index, clients, options, tally } = run;
  const input = { amountCents: 100 + index, idempotencyKey: createIdempotencyKey() };
  // Every intent is its own shopper (user and IP), as many people paying at the same time.
  const headers = {
    'x-demo-user': `storm-${run.runId}-${index}`,
    'x-forwarded-for': `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
  };
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let finished = false;
  const chargeIds = new Set<string>();

  async function duplicate(copy: number): Promise<void> {
    const server = (index + copy) % clients.length;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loseIt = attempt === 1 && Math.random() < options.flaky;
      const call = run.trace?.request({ url: options.urls[server]!, copy, attempt, loseResponse: loseIt });
      tally.requests++;
      const answer = await sendPayment(clients[server]!, input, {
        ...headers,
        ...(loseIt && { 'x-demo-flaky': createIdempotencyKey() }),
        ...call?.headers,
      });
      call?.end(answer.outcome, answer.status);
      switch (answer.outcome) {
        case 'executed':
        case 'replayed':
          if (answer.outcome === 'replayed') tally.replays++;
          else tally.executions++;
          chargeIds.add(answer.chargeId);
          if (!finished) {
            finished = true;
            tally.intentsDone++;
            resolveDone();
          }
          run.onProgress(tally);
          return;
        case 'lost':
          // No response: the same key is safe to send again.
          tally.lostResponses++;
          run.onProgress(tally);
          await sleep(50 * attempt);
          continue;
        case 'limited': {
          tally.rateLimited++;
          run.onProgress(tally);
          // Wait for the limit, unless another duplicate completes the intent first.
          const wait = new AbortController();
          await Promise.race([
            sleep(answer.retryAfter * 1000, undefined, { signal: wait.signal }).catch(() => {}),
            done,
          ]);
          wait.abort();
          if (finished) return;
          continue;
        }
        case 'server-error':
          // The server could not decide (e.g. its store timed out): the same key is safe to send again.
          tally.serverErrors++;
          run.onProgress(tally);
          await sleep(100 * attempt + Math.random() * 200);
          continue;
        case 'conflict':
          tally.conflicts++;
          run.onProgress(tally);
          await sleep(answer.retryAfter * 1000);
          continue;
        case 'error':
          tally.errors++;
          run.onProgress(tally);
          return;
      }
    }
    tally.errors++;
  }

  await Promise.all(Array.from({ length: options.duplicates }, (_, copy) => duplicate(copy)));
  if (chargeIds.size > 1) tally.inconsistentIntents++;
  run.trace?.end({ completed: finished, chargeIds: chargeIds.size });
}

/** The ledger as the servers see it; memory-store servers keep one ledger each, so those add up. */
async function ledgerTotals(clients: StormClient[]): Promise<{ store: string; stats: StormStats }> {
  // Ask every server (each waits for its own pending counts), and use the last answer.
  const all: Awaited<ReturnType<StormClient['ledger']['stats']['query']>>[] = [];
  for (const client of clients) all.push(await client.ledger.stats.query());
  const shared = all.some((stats) => stats.store !== 'memory');
  const fields = [
    'charges',
    'doubleCharges',
    'executions',
    'replays',
    'conflicts',
    'limited',
    'droppedResponses',
    'storeErrors',
  ] as const;
  const stats = Object.fromEntries(
    fields.map((field) => [field, shared ? all.at(-1)![field] : all.reduce((sum, s) => sum + s[field], 0)]),
  ) as unknown as StormStats;
  return { store: shared ? all.at(-1)!.store : 'memory (one ledger per server)', stats };
}
