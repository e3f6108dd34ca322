import { randomUUID } from 'node:crypto';
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import { guardrailsErrorFormatter } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { idempotencyRecordKey } from '../guard/keys.js';
import { redisStore } from '../stores/redis/redis-store.js';
import type { ReplicaWait } from '../stores/redis/script-runner.js';
import type { CompleteResult, GuardrailsStore } from '../stores/types.js';
import { payUntilAnswered } from './pay-server.js';
import { type ClientKind, clusterClient, type TestClient } from './redis-clients.js';
import { serve, type TestContext } from './test-app.js';

/** One store write the backend acknowledged, as an instance saw it. */
export interface AckedWrite {
  key: string;
  claimId: string;
  /** When the answer came back (epoch ms). */
  at: number;
}

/** What a fleet's instances wrote and saw, for the failover verdict. */
export interface FleetRecord {
  /** Handler executions per idempotency key, over every instance: the ledger. */
  executions: Map<string, number>;
  /** Claims the store answered `acquired`. */
  claims: AckedWrite[];
  /** Completes the store answered `ok`: outcomes it says it stored. */
  stored: AckedWrite[];
  /** Completes the store answered `fenced`: another claim owned the record by then. */
  fenced: AckedWrite[];
  events: GuardrailsEvent[];
}

/** Several server instances on one Redis Cluster, as separate processes would be. */
export interface FailoverFleet {
  label: string;
  kind: ClientKind;
  replicas: ReplicaWait | undefined;
  prefix: string;
  /** One tRPC endpoint per instance (standalone adapter, real HTTP). */
  urls: string[];
  record: FleetRecord;
  /** The Redis key of an intent's idempotency record. */
  recordKey(idempotencyKey: string): string;
  /** Stops the servers, lands every outcome still held (up to `timeoutMs`), closes the clients. */
  close(timeoutMs?: number): Promise<void>;
}

export interface FailoverFleetOptions {
  kind: ClientKind;
  seeds: readonly { host: string; port: number }[];
  prefix: string;
  replicas?: ReplicaWait;
  /** @default 3 */
  instances?: number;
  /** How long the handler runs. @default 20 */
  handlerMs?: number;
}

/** Owner of every call: the test clients send no user, so the guard keys them by this address. */
const OWNER = '127.0.0.1';

/**
 * Starts `instances` guarded tRPC servers, each with its own cluster client (fail-fast settings)
 * and its own `redisStore`, recording what the store acknowledged and how often the handler ran.
 */
export async function startFailoverFleet(options: FailoverFleetOptions): Promise<FailoverFleet> {
  const { kind, prefix, replicas, instances = 3, handlerMs = 20 } = options;
  const record: FleetRecord = { executions: new Map(), claims: [], stored: [], fenced: [], events: [] };
  const clients: TestClient[] = [];
  const servers: { url: string; close(): Promise<void> }[] = [];
  const guards: { close(options: { timeout: `${number} ms` }): Promise<unknown> }[] = [];
  const t = initTRPC
    .context<TestContext>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  for (let i = 0; i < instances; i++) {
    const client = await clusterClient(kind, options.seeds);
    clients.push(client);
    const guard = createGuardrails<TestContext>()({
      store: recorded(redisStore(client.client as never, { replicas }), record),
      prefix,
      // A lease longer than a failover under load: an owner keeps its record while Redis recovers.
      idempotency: { owner: ({ ctx }) => ctx.userId ?? ctx.ip, lease: '10 s' },
      onEvent: (event) => record.events.push(event),
    });
    guards.push(guard);
    const router = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .input(z.object({ cents: z.number(), resultBytes: z.number().optional() }))
        .mutation(async ({ ctx }) => {
          const key = ctx.idempotency.key;
          const run = (record.executions.get(key) ?? 0) + 1;
          record.executions.set(key, run);
          await new Promise((resolve) => setTimeout(resolve, handlerMs));
          return { key, run, token: ctx.idempotency.token };
        }),
    });
    servers.push(await serve(router, 'standalone'));
  }
  return {
    label: `${kind}${replicas ? `, WAIT ${replicas.count} ${replicas.timeoutMs} ms` : ''}`,
    kind,
    replicas,
    prefix,
    urls: servers.map((server) => server.url),
    record,
    recordKey: (key) => idempotencyRecordKey(prefix, { path: 'pay', owner: OWNER, key }),
    async close(timeoutMs = 10_000) {
      await Promise.all(servers.map((server) => server.close()));
      await Promise.all(guards.map((guard) => guard.close({ timeout: `${timeoutMs} ms` })));
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/** The store, with every acknowledged claim and complete written down. */
function recorded(store: GuardrailsStore, record: FleetRecord): GuardrailsStore {
  return {
    ...store,
    async check(request) {
      const answer = await store.check(request);
      if (request.claim && answer.claim?.status === 'acquired')
        record.claims.push({ key: request.claim.key, claimId: request.claim.claimId, at: Date.now() });
      return answer;
    },
    async complete(request) {
      const answer: CompleteResult = await store.complete(request);
      const write = { key: request.key, claimId: request.claimId, at: Date.now() };
      if (answer === 'ok') record.stored.push(write);
      if (answer === 'fenced') record.fenced.push(write);
      return answer;
    },
  };
}

/** Sends `count` new intents one after the other and answers how long each took, sorted. */
export async function probeLatency(fleet: FailoverFleet, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const startedAt = Date.now();
    const answer = await payUntilAnswered(fleet.urls[i % fleet.urls.length]!, {
      idempotencyKey: `probe-${randomUUID()}`,
      cents: i,
    })(Date.now() + 5_000);
    if (!answer.ok)
      throw new Error(`the latency probe of ${fleet.label} got no answer: ${answer.error.message}`);
    // The first calls load the scripts and open connections: not what a call costs.
    if (i >= 5) times.push(Date.now() - startedAt);
  }
  return times.sort((a, b) => a - b);
}
