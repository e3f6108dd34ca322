import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guardrailsErrorFormatter } from '../errors.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { toNodeListener } from '../testing/fetch-bridge.js';

/** A checkout whose input is the <form> itself, as a Server Action or a multipart post sends it. */
function formCheckout() {
  let executions = 0;
  const t = initTRPC.create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const guard = createGuardrails<object>()({ store: memoryStore() });
  const router = t.router({
    pay: guard
      .procedure(t.procedure)
      .idempotent()
      .input(z.instanceof(FormData))
      .mutation(({ input }) => ({
        charge: ++executions,
        amountCents: Number(input.get('amountCents')),
        fields: [...input.keys()],
      })),
  });
  return { router, caller: t.createCallerFactory(router)({}), executions: () => executions };
}

function form(fields: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describe('FormData inputs (Server Actions, multipart)', () => {
  it('reads the key from the form field, hides it from the handler, and replays', async () => {
    const { caller, executions } = formCheckout();
    const first = await caller.pay(form({ idempotencyKey: 'intent-1', amountCents: '500' }));
    expect(first.fields).toEqual(['amountCents']);
    expect(await caller.pay(form({ idempotencyKey: 'intent-1', amountCents: '500' }))).toEqual(first);
    expect(executions()).toBe(1);
    await expect(caller.pay(form({ amountCents: '500' }))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/Idempotency key missing/),
    });
  });

  it('answers 422 when a field of the same intent changed, instead of replaying the old charge', async () => {
    const { caller, executions } = formCheckout();
    await caller.pay(form({ idempotencyKey: 'intent-2', amountCents: '500' }));
    await expect(
      caller.pay(form({ idempotencyKey: 'intent-2', amountCents: '99999' })),
    ).rejects.toMatchObject({
      code: 'UNPROCESSABLE_CONTENT',
    });
    await expect(
      caller.pay(form({ idempotencyKey: 'intent-2', amountCents: '500', note: 'extra' })),
    ).rejects.toMatchObject({ code: 'UNPROCESSABLE_CONTENT' });
    expect(executions()).toBe(1);
  });

  it('fingerprints files by name, type, size and content', async () => {
    const { caller, executions } = formCheckout();
    const receipt = (text: string, name = 'receipt.txt') => new File([text], name, { type: 'text/plain' });
    await caller.pay(form({ idempotencyKey: 'f', amountCents: '1', file: receipt('hello world') }));
    await caller.pay(form({ idempotencyKey: 'f', amountCents: '1', file: receipt('hello world') }));
    expect(executions()).toBe(1);
    for (const other of [
      receipt('hello WORLD'),
      receipt('hello world', 'other.txt'),
      receipt('hello world!'),
    ]) {
      await expect(
        caller.pay(form({ idempotencyKey: 'f', amountCents: '1', file: other })),
      ).rejects.toMatchObject({
        code: 'UNPROCESSABLE_CONTENT',
      });
    }
  });

  describe('over HTTP (fetch adapter, multipart/form-data)', () => {
    const { router, executions } = formCheckout();
    const server = createServer(
      toNodeListener((req) => fetchRequestHandler({ endpoint: '/trpc', req, router })),
    );
    const ready = new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`),
      ),
    );
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('runs a form posted twice once, and refuses the same key with another amount', async () => {
      const url = await ready;
      const post = (fields: Record<string, string>) =>
        fetch(`${url}/pay`, { method: 'POST', body: form(fields) });
      const first = await post({ idempotencyKey: 'http-1', amountCents: '500' });
      const second = await post({ idempotencyKey: 'http-1', amountCents: '500' });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('idempotent-replayed')).toBe(null); // no `headers` target in this guard
      expect(await second.json()).toEqual(await first.json());
      expect((await post({ idempotencyKey: 'http-1', amountCents: '99999' })).status).toBe(422);
      expect(executions()).toBe(1);
    });
  });
});
