import { Redis } from '@upstash/redis';
import { type CheckoutEnv, createCheckoutHandler } from './checkout-handler.js';

/** A Vercel Edge Function's `fetch` event: the request, `respondWith` and `waitUntil`. */
interface FetchEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
  waitUntil(task: Promise<unknown>): void;
}

/** Set by the test before the first request: Vercel reads it from the project's settings. */
declare const EDGE_ENV: CheckoutEnv;
declare const EdgeRuntime: string | undefined;
declare function addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;

const handleCheckout = createCheckoutHandler({
  createRedis: (env) => new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }),
  // Vercel's edge writes the client address to x-real-ip.
  platform: 'vercel',
  runtime: () => `edge-runtime (EdgeRuntime=${typeof EdgeRuntime === 'string' ? EdgeRuntime : 'undefined'})`,
});

addEventListener('fetch', (event) => {
  event.respondWith(handleCheckout(event.request, EDGE_ENV, (task) => event.waitUntil(task)));
});
