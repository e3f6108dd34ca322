import { memoryStore } from '../stores/memory/memory-store.js';
import { describeIdempotentOptions } from '../testing/describe-idempotent-options.js';

describeIdempotentOptions('memory store', () => {
  const store = memoryStore();
  return { store, sibling: () => store };
});
