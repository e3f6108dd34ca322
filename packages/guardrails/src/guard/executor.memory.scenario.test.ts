import { memoryStore } from '../stores/memory/memory-store.js';
import { describeExecutor } from '../testing/describe-executor.js';

describeExecutor('the memory store', () => {
  const store = memoryStore();
  return { store, sibling: () => store };
});
