import { memoryStore } from '../stores/memory/memory-store.js';
import { describeOtel } from '../testing/describe-otel.js';
import { otelContextForThisFile } from '../testing/otel-sdk.js';

otelContextForThisFile();
describeOtel('memory store', () => {
  const store = memoryStore();
  return { store, sibling: () => store };
});
