import { EdgeRuntime } from 'edge-runtime';
import { Miniflare } from 'miniflare';
import type { CheckoutEnv } from '../src/checkout-handler.js';
import { bundleEdgeEntry } from './bundle.js';

/** An edge runtime with the checkout function loaded, reached through its own `fetch`. */
export interface RunningEdge {
  fetch(url: string, init?: RequestInit): Promise<Response>;
  /** Node built-ins the bundle imported (must be none). */
  nodeImports: string[];
  dispose(): Promise<void>;
}

/** workerd, the Cloudflare Workers runtime, through Miniflare; its binary ships in the npm package. */
export async function startWorkerd(
  env: CheckoutEnv,
  { compatibilityFlags = [] }: { compatibilityFlags?: string[] } = {},
): Promise<RunningEdge> {
  const bundle = await bundleEdgeEntry('workerd-entry.ts', {
    conditions: ['workerd', 'worker', 'browser'],
    format: 'esm',
  });
  const miniflare = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-09-01',
    compatibilityFlags,
    bindings: { ...env },
  });
  await miniflare.ready;
  return {
    fetch: async (url, init) => {
      // Miniflare's fetch types are undici's; the shapes are the same.
      const response = await miniflare.dispatchFetch(url, init as never);
      return new Response(await response.arrayBuffer(), {
        status: response.status,
        headers: [...response.headers.entries()],
      });
    },
    nodeImports: bundle.nodeImports,
    dispose: () => miniflare.dispose(),
  };
}

/**
 * Vercel's edge-runtime (the VM Vercel Edge Functions and `next dev` are modelled on): no
 * `process`, no `require`, web APIs only. `processStub` adds what Next's edge sandbox puts there:
 * a `process` whose Node APIs are functions that throw.
 */
export async function startEdgeRuntime(
  env: CheckoutEnv,
  { processStub = false }: { processStub?: boolean } = {},
): Promise<RunningEdge> {
  const bundle = await bundleEdgeEntry('edge-runtime-entry.ts', {
    conditions: ['edge-light', 'worker', 'browser'],
    format: 'iife',
  });
  const runtime = new EdgeRuntime({
    extend: (context) => {
      Object.assign(context, { EDGE_ENV: env });
      if (processStub) Object.assign(context, { process: nextEdgeProcess() });
      return context;
    },
  });
  runtime.evaluate(bundle.code);
  return {
    fetch: (url, init) => runtime.dispatchFetch(url, init) as unknown as Promise<Response>,
    nodeImports: bundle.nodeImports,
    dispose: async () => {},
  };
}

/** As `next/dist/server/web/sandbox/context.js` (`createProcessPolyfill`) builds it. */
function nextEdgeProcess(): object {
  const stub: Record<string, unknown> = { env: {} };
  for (const key of Object.keys(process)) {
    if (key === 'env') continue;
    Object.defineProperty(stub, key, {
      get: () =>
        typeof (process as unknown as Record<string, unknown>)[key] === 'function'
          ? () => {
              throw new Error(
                `A Node.js API is used (process.${key}) which is not supported in the Edge Runtime.`,
              );
            }
          : undefined,
      enumerable: false,
    });
  }
  return stub;
}
