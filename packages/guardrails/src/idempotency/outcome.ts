import { TRPCError } from '@trpc/server';
import superjson from 'superjson';
import type { StoredOutcome } from '../stores/types.js';

/** Serializes a handler's result with superjson, so replays keep Date, Map, Set, BigInt… */
export function encodeResult(data: unknown): StoredOutcome {
  return { kind: 'result', payload: superjson.stringify(data) };
}

export function encodeError(error: TRPCError): StoredOutcome {
  return { kind: 'error', code: error.code, message: error.message };
}

/** Returns the stored result, or throws the stored error, as the first call did. */
export function replayOutcome(outcome: StoredOutcome): unknown {
  if (outcome.kind === 'result') return superjson.parse(outcome.payload);
  throw new TRPCError({ code: outcome.code as TRPCError['code'], message: outcome.message });
}
