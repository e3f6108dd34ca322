import { describeEdgeCheckout } from './checkout-scenarios.js';
import { startWorkerd } from './runtimes.js';

describeEdgeCheckout(
  'workerd, Web APIs only',
  (env) => startWorkerd(env),
  /^workerd \(Cloudflare-Workers\)$/,
);

// With nodejs_compat, process.getBuiltinModule('node:crypto') exists and the library uses it.
describeEdgeCheckout(
  'workerd with nodejs_compat',
  (env) => startWorkerd(env, { compatibilityFlags: ['nodejs_compat'] }),
  /^workerd \(Cloudflare-Workers\)$/,
);
