import { memoryStore } from '../stores/memory/memory-store.js';
import { describeGuard } from '../testing/describe-guard.js';

describeGuard('memory store', () => {
  const store = memoryStore();
  return { store, sibling: () => store };
});
