/**
 * The contract every `GuardrailsStore` must meet, as a vitest suite: run it against your own
 * backend to check it behaves like the shipped memory and Upstash stores.
 *
 * @example
 * ```ts
 * import { describeStore } from 'trpc-guardrails/store-contract';
 * describeStore('my store', () => ({ store: myStore(client), sibling: () => myStore(otherClient) }));
 * ```
 */
export {
  type DescribeStoreOptions,
  describeStore,
  type StoreFixture,
  uniquePrefix,
} from './describe-store.js';
