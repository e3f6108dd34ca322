import { utf8Length } from '../utf8-length.js';
import type { StoredOutcome } from './types.js';

/** The size of an outcome as `maxResultBytes` counts it: UTF-8 bytes of what would be stored. */
export function outcomeBytes(outcome: StoredOutcome): number {
  switch (outcome.kind) {
    case 'result':
      return utf8Length(outcome.payload);
    case 'error':
      return utf8Length(outcome.code) + utf8Length(outcome.message);
    case 'unreplayable':
      return 64;
  }
}
