import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { gatewayForThisFile } from '../testing/gateway.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { fixture } = gatewayForThisFile();

/** A store whose heartbeats never arrive: what a paused (or partitioned) process looks like. */
function withoutHeartbeats(store: GuardrailsStore): GuardrailsStore {
  return {
    ...store,
    check: store.check,
    complete: store.complete,
    release: store.release,
    extend: async () => 'ok',
  };
}

function createInstance(
  store: GuardrailsStore,
  prefix: string,
  events: GuardrailsEvent[],
  executions: number[],
) {
  const t = initTRPC.context<{ userId: string }>().create({ transformer: superjson });
  const guard = createGuardrails<{ userId: string }>()({
    store,
    prefix,
    idempotency: { owner: ({ ctx }) => ctx.userId, lease: '300 ms' },
    onEvent: (event) => events.push(event),
  });
  const gates = new Map<number, Promise<void>>();
  const router = t.router({
    pay: guard
      .procedure(t.procedure)
      .idempotent()
      .input(z.object({ amount: z.number() }))
      .mutation(async ({ ctx }) => {
        executions.push(ctx.idempotency.token);
        await gates.get(0);
        return { token: ctx.idempotency.token };
      }),
  });
  const hold = () => {
    let open!: () => void;
    gates.set(0, new Promise<void>((resolve) => (open = resolve)));
    return () => open();
  };
  return { caller: t.createCallerFactory(router)({ userId: 'u1' }), hold };
}

function describeLeases(name: string, setup: () => StoreFixture) {
  describe(`leases and fencing: ${name}`, () => {
    it('a paused owner past its lease is taken over, and its late completion is fenced', async () => {
      const { store, sibling } = setup();
      const prefix = uniquePrefix('lease');
      const [eventsA, eventsB, executions]: [GuardrailsEvent[], GuardrailsEvent[], number[]] = [[], [], []];
      const a = createInstance(withoutHeartbeats(store), prefix, eventsA, executions);
      const b = createInstance(sibling(), prefix, eventsB, executions);

      const releaseA = a.hold();
      const slow = a.caller.pay({ idempotencyKey: 'k', amount: 1 });
      await sleep(500); // A's lease (300 ms) lapses: no heartbeat reached the store
      const taken = await b.caller.pay({ idempotencyKey: 'k', amount: 1 });
      releaseA();
      // A's caller gets the record's answer, not its stale handler's: one answer per intent.
      const late = await slow;
      expect(late).toEqual(taken);

      expect(executions).toHaveLength(2);
      const [staleToken, newToken] = executions;
      expect(newToken).toBeGreaterThan(staleToken!);
      expect(eventsA.find((e) => e.type === 'fenced')).toMatchObject({
        operation: 'complete',
        token: staleToken,
      });
      expect(eventsA.find((e) => e.type === 'outcome-lost')).toMatchObject({
        reason: 'fenced',
        token: staleToken,
      });
      expect(eventsB.find((e) => e.type === 'executed')).toMatchObject({ takeover: true, stored: true });
      // Every later retry sees the newer owner's outcome, never the stale one.
      expect(await a.caller.pay({ idempotencyKey: 'k', amount: 1 })).toEqual(taken);
      expect(await b.caller.pay({ idempotencyKey: 'k', amount: 1 })).toEqual(taken);
    });

    it('the heartbeat keeps a long handler owning its key past the lease', async () => {
      const { store, sibling } = setup();
      const prefix = uniquePrefix('beat');
      const [events, executions]: [GuardrailsEvent[], number[]] = [[], []];
      const a = createInstance(store, prefix, events, executions);
      const b = createInstance(sibling(), prefix, [], executions);
      const releaseA = a.hold();
      const running = a.caller.pay({ idempotencyKey: 'k', amount: 1 });
      await sleep(700); // more than two leases
      const duplicate = b.caller.pay({ idempotencyKey: 'k', amount: 1 }); // waits: the lease is alive
      await sleep(100);
      releaseA();
      const [first, second] = await Promise.all([running, duplicate]);
      expect(executions).toHaveLength(1);
      expect(second).toEqual(first);
      expect(events.some((e) => e.type === 'fenced')).toBe(false);
    });

    it('a crashed owner (claim, then nothing) is taken over after its lease', async () => {
      const { store, sibling } = setup();
      const prefix = uniquePrefix('crash');
      const events: GuardrailsEvent[] = [];
      const executions: number[] = [];
      const b = createInstance(sibling(), prefix, events, executions);
      // The crashed process got as far as claiming the record.
      const crashed = createInstance(withoutHeartbeats(store), prefix, [], executions);
      const releaseCrashed = crashed.hold();
      void crashed.caller.pay({ idempotencyKey: 'k', amount: 1 }).catch(() => undefined);
      await sleep(50);
      const retried = await b.caller.pay({ idempotencyKey: 'k', amount: 1 }); // waits, then takes over
      releaseCrashed();
      expect(executions).toHaveLength(2);
      expect(events.find((e) => e.type === 'executed')).toMatchObject({ takeover: true });
      expect(retried.token).toBeGreaterThan(executions[0]!);
    });
  });
}

const shared = memoryStore();
describeLeases('memory', () => ({ store: shared, sibling: () => shared }));
describeLeases('upstash', () => fixture());
