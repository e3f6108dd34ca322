import { setTimeout as sleep } from 'node:timers/promises';
import { createIdempotencyKey, getGuardrailsError } from 'trpc-guardrails/client';
import { createStormClient, type StormClient } from '../storm-client.js';
import type { Random } from './prng.js';

/** One payment: its owner and key, and every answer its requests got. */
export interface Intent {
  owner: string;
  idempotencyKey: string;
  amountCents: number;
  /** Charge ids the requests of this intent were answered with (one per request that succeeded). */
  answers: string[];
  /** Requests that gave up before an answer (past the run's deadline, or a final error). */
  unanswered: number;
  /** Final errors other than the retryable ones, by message. */
  failures: string[];
}

export interface ShopperTally {
  requests: number;
  /** No response (lost on purpose, a killed server, a dropped connection): sent again. */
  noResponse: number;
  serverErrors: number;
  inProgress: number;
}

/**
 * Starts `rate` intents a second until `until`; each sends `duplicates` requests to random
 * servers, a little apart, and every request retries (no response, 5xx, 409 in progress) until
 * it gets an answer or `deadline` passes. Resolves when every intent is done.
 */
export async function runShoppers(options: {
  urls: string[];
  random: Random;
  runId: string;
  rate: number;
  duplicates: number;
  flaky: number;
  until: number;
  deadline: number;
}): Promise<{ intents: Intent[]; tally: ShopperTally }> {
  const { urls, random, runId, rate, duplicates, flaky, until, deadline } = options;
  const clients = urls.map(createStormClient);
  const tally: ShopperTally = { requests: 0, noResponse: 0, serverErrors: 0, inProgress: 0 };
  const intents: Intent[] = [];
  const running: Promise<void>[] = [];
  while (Date.now() < until) {
    const intent: Intent = {
      owner: `nemesis-${runId}-${intents.length}`,
      idempotencyKey: createIdempotencyKey(),
      amountCents: 100 + (intents.length % 900),
      answers: [],
      unanswered: 0,
      failures: [],
    };
    intents.push(intent);
    for (let copy = 0; copy < duplicates; copy++) {
      const delay = random.int(0, 400);
      running.push(sleep(delay).then(() => request(intent, clients, random, flaky, deadline, tally)));
    }
    await sleep(1000 / rate);
  }
  await Promise.all(running);
  return { intents, tally };
}

async function request(
  intent: Intent,
  clients: StormClient[],
  random: Random,
  flaky: number,
  deadline: number,
  tally: ShopperTally,
): Promise<void> {
  const input = { amountCents: intent.amountCents, idempotencyKey: intent.idempotencyKey };
  for (;;) {
    const client = random.pick(clients);
    const headers: Record<string, string> = { 'x-demo-user': intent.owner };
    if (random.next() < flaky) headers['x-demo-flaky'] = createIdempotencyKey();
    tally.requests++;
    try {
      const payment = await client.checkout.pay.mutate(input, { context: { headers } });
      intent.answers.push(payment.chargeId);
      return;
    } catch (error) {
      const status = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
      const guardrails = getGuardrailsError(error);
      if (status === undefined) tally.noResponse++;
      else if (status >= 500) tally.serverErrors++;
      else if (status === 409 && guardrails?.kind === 'idempotency' && guardrails.reason === 'in-progress') {
        tally.inProgress++;
      } else {
        intent.failures.push(`${status}: ${(error as Error).message}`);
        return;
      }
      if (Date.now() > deadline) {
        intent.unanswered++;
        return;
      }
      await sleep(100 + random.int(0, 300));
    }
  }
}
