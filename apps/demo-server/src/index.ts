export type { DemoContext } from './context.js';
export { DEMO_USERS } from './context.js';
export { FLAKY_HEADER } from './flaky.js';
export type { Charge, LedgerStats } from './ledger.js';
export { DECLINED_AMOUNT_CENTS } from './payment-provider.js';
export { type AppRouter, DEFAULT_LIMITS, type DemoLimit, type DemoLimits } from './router.js';
export { type DemoServer, type DemoServerOptions, REQUEST_LIMITS, startDemoServer } from './server.js';
export { detectStoreKind, type StoreKind, selectStore } from './store-selection.js';
