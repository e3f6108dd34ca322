import { Redis } from '@upstash/redis/cloudflare';
import { type CheckoutEnv, createCheckoutHandler } from './checkout-handler.js';

interface Navigator {
  userAgent: string;
}

/** The part of the Workers `ExecutionContext` the handler uses. */
interface ExecutionContext {
  waitUntil(task: Promise<unknown>): void;
}

const handleCheckout = createCheckoutHandler({
  createRedis: (env) => Redis.fromEnv(env),
  // workerd (and Miniflare in front of it) sets CF-Connecting-IP.
  platform: 'cloudflare',
  runtime: () => `workerd (${(globalThis as { navigator?: Navigator }).navigator?.userAgent})`,
});

/** A Workers module: workerd calls `fetch` with the bindings and the execution context. */
export default {
  fetch(req: Request, env: CheckoutEnv, ctx: ExecutionContext): Promise<Response> {
    return handleCheckout(req, env, (task) => ctx.waitUntil(task));
  },
};
