import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';

function runScript(name: string, source: string): unknown {
  const cwd = inject('consumer');
  writeFileSync(join(cwd, name), source);
  const output = execFileSync(join(cwd, 'node_modules/.bin/tsx'), [name], { cwd, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1)!);
}

it("keeps a class the app registered on its superjson through a replay (one superjson, the app's)", () => {
  const result = runScript(
    'replay-class.ts',
    `import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import { createGuardrails } from 'trpc-guardrails';
import { memoryStore } from 'trpc-guardrails/memory';

class Money {
  constructor(readonly cents: number) {}
}
superjson.registerClass(Money);
const t = initTRPC.create({ transformer: superjson });
const guard = createGuardrails<object>()({ store: memoryStore() });
const router = t.router({
  pay: guard.procedure(t.procedure).idempotent().input(z.object({ cents: z.number() })).mutation(({ input }) => new Money(input.cents)),
});
const caller = t.createCallerFactory(router)({});
const first = await caller.pay({ idempotencyKey: 'k', cents: 500 });
const replay = await caller.pay({ idempotencyKey: 'k', cents: 500 });
console.log(JSON.stringify({ first: first instanceof Money, replay: replay instanceof Money, cents: replay.cents }));
`,
  );
  expect(result).toEqual({ first: true, replay: true, cents: 500 });
});

it('reads the key of a FormData input from its field and answers 422 when a field changed', () => {
  const result = runScript(
    'form-data.ts',
    `import { initTRPC } from '@trpc/server';
import { z } from 'zod';
import { createGuardrails } from 'trpc-guardrails';
import { memoryStore } from 'trpc-guardrails/memory';

let charges = 0;
const t = initTRPC.create();
const guard = createGuardrails<object>()({ store: memoryStore() });
const router = t.router({
  pay: guard.procedure(t.procedure).idempotent().input(z.instanceof(FormData)).mutation(({ input }) => ({ charge: ++charges, amount: input.get('amountCents') })),
});
const caller = t.createCallerFactory(router)({});
const form = (amountCents: string) => {
  const data = new FormData();
  data.set('idempotencyKey', 'intent-1');
  data.set('amountCents', amountCents);
  return data;
};
const first = await caller.pay(form('500'));
const again = await caller.pay(form('500'));
const changed = await caller.pay(form('99999')).catch((error) => error.code);
console.log(JSON.stringify({ first, again, changed, charges }));
`,
  );
  expect(result).toEqual({
    first: { charge: 1, amount: '500' },
    again: { charge: 1, amount: '500' },
    changed: 'UNPROCESSABLE_CONTENT',
    charges: 1,
  });
});
