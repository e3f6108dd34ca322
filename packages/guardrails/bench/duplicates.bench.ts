/**
 * Table 5 — concurrent duplicates of one key: how soon they are answered once the owner has
 * finished, and what they cost the store, on one server instance and spread over three (three
 * guards with stores of their own on one Upstash backend).
 */
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { afterAll, beforeAll, it } from 'vitest';
import { z } from 'zod';
import { createGuardrails } from '../src/index.js';
import { upstashStore } from '../src/stores/upstash/index.js';
import { type Backend, startBackend } from './harness/backend.js';
import { BENCH_CONTEXT, type BenchContext } from './harness/bench-router.js';
import { benchTimer, publish } from './harness/publish.js';
import { median, ms, thousands } from './harness/stats.js';

const LATENCY_MS = 5;
const DUPLICATES = [1, 10, 100, 1000] as const;
const INSTANCES = [1, 3] as const;
/** How long the owner's handler runs after the last duplicate was sent. */
const HOLD_MS = 300;

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend([LATENCY_MS]);
}, 60_000);
afterAll(() => backend?.stop());

/** One server instance: its own client and store, the shared prefix, a handler held by a gate. */
function instance(prefix: string, gate: { started: () => void; open: Promise<void>; runs: number }) {
  const t = initTRPC.context<BenchContext>().create({ transformer: superjson });
  const guard = createGuardrails<BenchContext>()({
    store: upstashStore(backend.client(LATENCY_MS)),
    prefix,
    idempotency: { owner: ({ ctx }) => ctx.userId },
  });
  const router = t.router({
    held: guard
      .procedure(t.procedure)
      .idempotent()
      .input(z.object({ n: z.number() }))
      .mutation(async ({ input }) => {
        // n = 0: a warm-up call, not held.
        if (input.n === 0) return { n: 0, at: new Date() };
        gate.runs++;
        gate.started();
        await gate.open;
        return { n: input.n, at: new Date() };
      }),
  });
  return t.createCallerFactory(router)(BENCH_CONTEXT);
}

async function row(duplicates: number, instances: number) {
  const requests = backend.gateways.get(LATENCY_MS)!.requests;
  let started!: () => void;
  let open!: () => void;
  const handlerStarted = new Promise<void>((resolve) => (started = resolve));
  const gate = { started, open: new Promise<void>((resolve) => (open = resolve)), runs: 0 };
  const prefix = `dup${duplicates}x${instances}`;
  const callers = Array.from({ length: instances }, () => instance(prefix, gate));
  // Warm every instance's scripts, so the row measures steady state.
  await Promise.all(callers.map((caller, i) => caller.held({ n: 0, idempotencyKey: `warm-${i}` })));
  const key = `intent-${duplicates}-${instances}`;
  const first = await requests();
  const owner = callers[0]!.held({ n: 1, idempotencyKey: key });
  let ownerAnsweredAt = 0;
  void owner.then(() => (ownerAnsweredAt = performance.now()));
  await handlerStarted;
  const answeredAt: number[] = [];
  const waiting = Array.from({ length: duplicates }, (_, i) =>
    callers[i % instances]!.held({ n: 1, idempotencyKey: key }).then(() =>
      answeredAt.push(performance.now()),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
  const beforeOpen = await requests();
  const openedAt = performance.now();
  open();
  await owner;
  await Promise.all(waiting);
  await new Promise((resolve) => setTimeout(resolve, LATENCY_MS + 40));
  const last = Math.max(...answeredAt);
  return {
    runs: gate.runs,
    ownerMs: ownerAnsweredAt - openedAt,
    medianAfterOwner: median(answeredAt) - ownerAnsweredAt,
    lastAfterOwner: last - ownerAnsweredAt,
    requestsWhileRunning: beforeOpen - first,
    requestsAfter: (await requests()) - beforeOpen,
  };
}

it('concurrent duplicates of one key: time to answer after the owner completes, store requests', async () => {
  const elapsed = benchTimer();
  const rows: string[][] = [];
  for (const instances of INSTANCES) {
    for (const duplicates of DUPLICATES) {
      const r = await row(duplicates, instances);
      rows.push([
        String(instances),
        thousands(duplicates),
        String(r.runs),
        ms(r.ownerMs),
        ms(r.medianAfterOwner),
        ms(r.lastAfterOwner),
        thousands(r.requestsWhileRunning),
        thousands(r.requestsAfter),
      ]);
    }
  }
  await publish({
    id: 'duplicates',
    title: '5. Concurrent duplicates of one key',
    method:
      `Upstash store, ${LATENCY_MS} ms added per store request. An owner call (instance 1) starts the handler; then N duplicates of the same key and input are sent at once (round-robin over the instances, through \`createCaller\`), and the handler is released ${HOLD_MS} ms later. ` +
      "Times are from the owner's answer (its outcome stored): when the median and the last duplicate were answered. 3 instances = 3 guards, each with its own `@upstash/redis` client and `upstashStore`, on one backend (the same prefix). " +
      "Store requests are gateway HTTP requests from the owner's call until the release (claims and polls while it ran), and after it (the complete and whatever the duplicates still needed).",
    tables: [
      {
        table: {
          head: [
            'instances',
            'duplicates',
            'handler runs',
            'owner answered, ms after release',
            'median duplicate, ms after owner',
            'last duplicate, ms after owner',
            'store requests while running',
            'store requests after release',
          ],
          rows,
        },
      },
    ],
    notes: [
      `Goal: waiters in the owner's process are woken with no store request; across processes the last answer comes ≤ 1 round trip + 25 ms after completion (here ≤ ${LATENCY_MS + 25} ms plus the gateway's own time).`,
    ],
    ...elapsed(),
  });
}, 300_000);
