import { TRPCError } from '@trpc/server';
import {
  type AnyProcedureBuilder,
  type CombinedDataTransformer,
  type DataTransformer,
  defaultTransformer,
} from '@trpc/server/unstable-core-do-not-import';
import superjson from 'superjson';
import { rejection } from '../errors.js';
import type { StoredOutcome, UnreplayableCause } from '../stores/types.js';
import { superjsonFastDecoder, superjsonFastEncoder } from './superjson-fast-path.js';

/**
 * How results are written to the store and read back: the transformer the app gave tRPC, so
 * classes registered on the app's superjson (or a custom transformer's types) survive a replay.
 */
export interface OutcomeTransformer {
  /**
   * A handler's result as stored text and back (the transformer's output half, as JSON);
   * `encode` gives `undefined` where `JSON.stringify` would.
   */
  result: { encode(value: unknown): string | undefined; decode(payload: string): unknown };
  /** Serializes an unknown class in an input, for its fingerprint (the input half). */
  input: { serialize(value: unknown): unknown };
}

/**
 * Bound once: a superjson instance's methods need their `this`. Plain results on superjson take
 * its fast path (byte for byte what superjson writes).
 */
function bind(transformer: CombinedDataTransformer): OutcomeTransformer {
  const { input, output } = transformer;
  const fastEncode = superjsonFastEncoder(output);
  return {
    result: {
      encode: (value) => fastEncode?.(value) ?? JSON.stringify(output.serialize(value)),
      decode: superjsonFastDecoder(output) ?? ((payload) => output.deserialize(JSON.parse(payload))),
    },
    input: { serialize: (value) => input.serialize(value) },
  };
}

const SUPERJSON = bind({ input: superjson, output: superjson });

/** @internal The transformer of a call outside tRPC (`guard.once`): the one given, else superjson. */
export function standaloneTransformer(transformer?: DataTransformer): OutcomeTransformer {
  return transformer ? bind({ input: transformer, output: transformer }) : SUPERJSON;
}

/**
 * @internal The app's transformer, from the tRPC builder's root config; superjson when the app
 * set none (its results cross the wire as JSON either way, and superjson keeps server-side
 * callers' `Date`s and `Map`s intact on replay).
 */
export function transformerOf(builder: AnyProcedureBuilder): OutcomeTransformer {
  const transformer = (builder._def as { config?: { transformer?: CombinedDataTransformer } }).config
    ?.transformer;
  if (!transformer || transformer === defaultTransformer) return SUPERJSON;
  return bind(transformer);
}

/** Serializes a handler's result; `undefined` at the top level is stored as the empty string. */
export function encodeResult(data: unknown, transformer: OutcomeTransformer): StoredOutcome {
  return { kind: 'result', payload: transformer.result.encode(data) ?? '' };
}

export function encodeError(error: TRPCError): StoredOutcome {
  return { kind: 'error', code: error.code, message: error.message };
}

/** The marker stored instead of a result that cannot be kept, so duplicates are refused. */
export function unreplayable(cause: UnreplayableCause, bytes: number, executedAt: number): StoredOutcome {
  return { kind: 'unreplayable', cause, bytes, executedAt };
}

/** Returns the stored result, or throws the stored error, as the first call did. */
export function replayOutcome(
  outcome: StoredOutcome,
  transformer: OutcomeTransformer,
  path: string,
): unknown {
  switch (outcome.kind) {
    case 'result':
      return outcome.payload === '' ? undefined : transformer.result.decode(outcome.payload);
    case 'error':
      throw new TRPCError({ code: outcome.code as TRPCError['code'], message: outcome.message });
    case 'unreplayable': {
      const why =
        outcome.cause === 'too-large'
          ? `its result (${outcome.bytes} bytes) was too large to store`
          : 'its result could not be serialized';
      throw rejection(
        'CONFLICT',
        `"${path}" already ran for this idempotency key at ${new Date(outcome.executedAt).toISOString()}, but ${why}, so it cannot be replayed; look the outcome up instead of retrying`,
        {
          kind: 'idempotency',
          reason: 'result-not-replayable',
          path,
          cause: outcome.cause,
          executedAt: outcome.executedAt,
        },
      );
    }
  }
}
