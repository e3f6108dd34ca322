import { Redis } from '@upstash/redis';
import type { UpstashLocal } from 'upstash-local';
import type {} from 'upstash-local/vitest-setup';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CheckoutEnv, USER_LIMIT } from '../src/checkout-handler.js';
import type { RunningEdge } from './runtimes.js';

type ProvidedGateway = Pick<UpstashLocal, 'url' | 'token'>;

interface PayAnswer {
  status: number;
  headers: Headers;
  body: {
    result?: { data: { json: { chargeId: string; executions: number; runtime: string } } };
    error?: any;
  };
}

/**
 * The same scenarios in every edge runtime: the checkout function runs inside it, and reaches
 * upstash-local (a real redis-server) over loopback HTTP.
 */
export function describeEdgeCheckout(
  name: string,
  start: (env: CheckoutEnv) => Promise<RunningEdge>,
  runtime: RegExp,
): void {
  describe(name, () => {
    const gateway: ProvidedGateway = inject('upstashLocal');
    const redis = new Redis({ url: gateway.url, token: gateway.token });
    let edge: RunningEdge;
    let users = 0;
    const newUser = () => `${name.replace(/\W+/g, '-')}-${Date.now().toString(36)}-${++users}`;

    beforeAll(async () => {
      edge = await start({ UPSTASH_REDIS_REST_URL: gateway.url, UPSTASH_REDIS_REST_TOKEN: gateway.token });
    });
    afterAll(async () => {
      await edge?.dispose();
    });

    async function pay(user: string, idempotencyKey: string, amountCents = 500): Promise<PayAnswer> {
      const response = await edge.fetch('http://edge.test/trpc/pay', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user': user, 'x-real-ip': '203.0.113.7' },
        body: JSON.stringify({ json: { idempotencyKey, amountCents } }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as PayAnswer['body'],
      };
    }
    const items = (header: string | null) => (header ?? '').split(',').map((item) => item.trim());
    const executions = async (user: string, key: string) =>
      Number((await redis.get(`edge-tests:executions:${user}:${key}`)) ?? 0);

    it('bundles without a Node built-in', () => {
      expect(edge.nodeImports).toEqual([]);
    });

    it('runs the first call inside the runtime, and replays the duplicate with Idempotent-Replayed', async () => {
      const user = newUser();
      const first = await pay(user, 'intent-1');
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.headers.get('x-edge-runtime')).toMatch(runtime);
      expect(first.body.result?.data.json.runtime).toMatch(runtime);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(first.headers.get('ratelimit-policy')).toMatch(/q=\d+;w=10/);

      const duplicate = await pay(user, 'intent-1');
      expect(duplicate.status).toBe(200);
      expect(duplicate.headers.get('idempotent-replayed')).toBe('true');
      expect(duplicate.body).toEqual(first.body);
      expect(await executions(user, 'intent-1')).toBe(1);
    });

    it('runs concurrent duplicates once', async () => {
      const user = newUser();
      const answers = await Promise.all(Array.from({ length: 3 }, () => pay(user, 'intent-2')));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(new Set(answers.map((answer) => answer.body.result?.data.json.chargeId)).size).toBe(1);
      expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(
        2,
      );
      expect(await executions(user, 'intent-2')).toBe(1);
    });

    it('answers 429 with RateLimit headers and Retry-After past the limit, without running', async () => {
      const user = newUser();
      // A sliding window weighs the previous window in: across a boundary a call or two more may pass.
      let passed = 0;
      let limited = await pay(user, 'limit-0');
      while (limited.status === 200 && passed < 2 * USER_LIMIT) {
        passed++;
        limited = await pay(user, `limit-${passed}`);
      }
      expect(passed).toBeGreaterThanOrEqual(USER_LIMIT);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Structured-field lists (IETF draft): the exhausted scope is one of the items.
      expect(items(limited.headers.get('ratelimit-policy'))).toContain(`"user";q=${USER_LIMIT};w=10`);
      expect(items(limited.headers.get('ratelimit'))).toContainEqual(
        expect.stringMatching(/^"user";r=0;t=\d+$/),
      );
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(limited.body.error?.json?.data?.guardrails).toMatchObject({
        kind: 'rate-limit',
        scope: 'user',
        limit: USER_LIMIT,
      });
      expect(await executions(user, `limit-${passed}`)).toBe(0);
    });
  });
}
