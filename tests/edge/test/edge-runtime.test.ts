import { describeEdgeCheckout } from './checkout-scenarios.js';
import { startEdgeRuntime } from './runtimes.js';

describeEdgeCheckout(
  'Vercel edge-runtime',
  (env) => startEdgeRuntime(env),
  /^edge-runtime \(EdgeRuntime=edge-runtime\)$/,
);

// Next's edge sandbox (`next start`, `next dev`) gives `process` a stub whose Node APIs throw;
// the library must load there and fall back to Web APIs.
describeEdgeCheckout(
  "Next's edge sandbox (a process whose Node APIs throw)",
  (env) => startEdgeRuntime(env, { processStub: true }),
  /^edge-runtime \(EdgeRuntime=edge-runtime\)$/,
);
