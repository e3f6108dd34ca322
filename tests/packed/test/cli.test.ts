import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUpstashLocal, type UpstashLocal } from 'upstash-local';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

let gateway: UpstashLocal;
beforeAll(async () => {
  gateway = await startUpstashLocal();
}, 30_000);
afterAll(() => gateway?.stop());

/**
 * Runs a program without blocking this process: the gateway answering it lives here. Resolves
 * with the exit code and output, whatever the code.
 */
function run(file: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd: inject('consumer'), encoding: 'utf8', env }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The installed `trpc-guardrails` binary, as `npx trpc-guardrails` runs it. */
function cli(args: string[], env: Record<string, string> = {}) {
  return run(join(inject('consumer'), 'node_modules/.bin/trpc-guardrails'), args, {
    PATH: process.env.PATH,
    ...env,
  });
}

const upstashEnv = () => ({ UPSTASH_REDIS_REST_URL: gateway.url, UPSTASH_REDIS_REST_TOKEN: gateway.token });

/** An app in the consumer project charges once (a Date in its result) and uses 2 of 5 calls. */
async function chargeOnce(prefix: string) {
  const cwd = inject('consumer');
  writeFileSync(
    join(cwd, 'cli-charge.ts'),
    `import { initTRPC } from '@trpc/server';
import { Redis } from '@upstash/redis';
import superjson from 'superjson';
import { z } from 'zod';
import { createGuardrails, fixedWindow } from 'trpc-guardrails';
import { upstashStore } from 'trpc-guardrails/upstash';

const t = initTRPC.context<{ userId: string }>().create({ transformer: superjson });
const guard = createGuardrails<{ userId: string }>()({
  store: upstashStore(new Redis({ url: process.env.UPSTASH_REDIS_REST_URL!, token: process.env.UPSTASH_REDIS_REST_TOKEN! })),
  prefix: '${prefix}',
  scopes: { user: { limiter: fixedWindow(5, '1 h'), identify: ({ ctx }) => ctx.userId } },
  idempotency: { owner: ({ ctx }) => ctx.userId },
});
const router = t.router({
  pay: guard.procedure(t.procedure).rateLimited('user').idempotent().input(z.object({ cents: z.number() }))
    .mutation(({ input }) => ({ cents: input.cents, at: new Date('2026-11-30T12:00:00Z') })),
});
const caller = t.createCallerFactory(router)({ userId: 'u_1' });
await caller.pay({ idempotencyKey: 'intent-1', cents: 500 });
await caller.pay({ idempotencyKey: 'intent-1', cents: 500 });
console.log('charged');
`,
  );
  const result = await run(join(cwd, 'node_modules/.bin/tsx'), ['cli-charge.ts'], {
    ...process.env,
    ...upstashEnv(),
  });
  expect(result.stdout.trim(), result.stderr).toBe('charged');
}

describe('the trpc-guardrails CLI, installed from the tarball, on upstash-local', () => {
  it('finds the record behind a charge, evicts it, and reads and resets a limit', async () => {
    const prefix = `cli${Date.now().toString(36)}`;
    await chargeOnce(prefix);
    const record = ['--prefix', prefix, '--path', 'pay', '--owner', 'u_1', '--key', 'intent-1'];

    const json = await cli(['inspect', ...record, '--json'], upstashEnv());
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      state: 'done',
      outcome: { kind: 'result', value: { cents: 500, at: '2026-11-30T12:00:00.000Z' } },
      storeKey: `${prefix}:idem:{pay:u_1:intent-1}`,
    });
    const table = await cli(['inspect', ...record], upstashEnv());
    expect(table.stdout).toMatch(/^state\s+done$/m);
    expect(table.stdout).toMatch(/^token\s+\d+$/m);
    expect(table.stdout).toMatch(/^store\s+Upstash http/m);

    expect((await cli(['evict', ...record], upstashEnv())).stdout).toMatch(/^result\s+evicted$/m);
    const gone = await cli(['inspect', ...record], upstashEnv());
    expect(gone.code).toBe(3);
    expect(gone.stdout).toMatch(/^state\s+absent$/m);

    const limit = ['--prefix', prefix, '--scope', 'user', '--identifier', 'u_1'];
    const left = await cli(['remaining', ...limit, '--limiter', 'fixed:5/1h', '--json'], upstashEnv());
    expect(left.code, left.stderr).toBe(0);
    expect(JSON.parse(left.stdout)).toMatchObject({ limit: 5, remaining: 3 });
    expect((await cli(['reset', ...limit], upstashEnv())).stdout).toMatch(/^result\s+reset/m);
    const reread = await cli(['remaining', ...limit, '--limiter', 'fixed:5/1h', '--json'], upstashEnv());
    expect(JSON.parse(reread.stdout)).toMatchObject({ remaining: 5 });
  });

  it('says what is wrong and exits 2 on bad arguments or a missing store', async () => {
    const noStore = await cli(['inspect', '--path', 'pay', '--key', 'k']);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(/no store: set UPSTASH_REDIS_REST_URL/);
    const noKey = await cli(['inspect', '--path', 'pay'], upstashEnv());
    expect([noKey.code, noKey.stderr]).toEqual([2, expect.stringMatching(/--path and --key/)]);
    const badLimiter = await cli(
      ['remaining', '--scope', 's', '--identifier', 'i', '--limiter', 'lots'],
      upstashEnv(),
    );
    expect([badLimiter.code, badLimiter.stderr]).toEqual([2, expect.stringMatching(/sliding:20\/10s/)]);
    expect((await cli(['frobnicate'], upstashEnv())).code).toBe(2);
    expect((await cli(['--help'])).stdout).toMatch(/trpc-guardrails inspect/);
  });
});
