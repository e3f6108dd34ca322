import { memoryStore } from '../stores/memory/memory-store.js';
import { describeHeaderKey } from '../testing/describe-header-key.js';

describeHeaderKey('memory store', () => {
  const store = memoryStore();
  return { store, sibling: () => store };
});
