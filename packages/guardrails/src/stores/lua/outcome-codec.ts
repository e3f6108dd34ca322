import type { ClaimResult, StoredOutcome } from '../types.js';

/**
 * Outcomes are stored as one string: `r` + the transformer's JSON, `e` + JSON of the error, or
 * `x` + JSON of an unreplayable marker. The leading letter also keeps `@upstash/redis`'s
 * automatic JSON deserialization from parsing the payload: the string comes back as stored.
 */
export function encodeOutcome(outcome: StoredOutcome): string {
  switch (outcome.kind) {
    case 'result':
      return `r${outcome.payload}`;
    case 'error':
      return `e${JSON.stringify({ code: outcome.code, message: outcome.message })}`;
    case 'unreplayable':
      return `x${JSON.stringify({ cause: outcome.cause, bytes: outcome.bytes, executedAt: outcome.executedAt })}`;
  }
}

export function decodeOutcome(encoded: unknown): StoredOutcome {
  if (typeof encoded !== 'string' || encoded.length === 0) {
    throw new Error(
      `[trpc-guardrails] unreadable idempotency record outcome: ${String(encoded).slice(0, 80)}`,
    );
  }
  if (encoded[0] === 'r') return { kind: 'result', payload: encoded.slice(1) };
  if (encoded[0] === 'x') return { kind: 'unreplayable', ...JSON.parse(encoded.slice(1)) };
  const { code, message } = JSON.parse(encoded.slice(1)) as { code: string; message: string };
  return { kind: 'error', code, message };
}

/** The claim's reply (see `CLAIM_FUNCTION`) and the Redis time it ends with. */
export function decodeClaimReply(reply: unknown): { claim: ClaimResult; now: number } {
  if (!Array.isArray(reply))
    throw new Error(`[trpc-guardrails] unexpected claim reply: ${JSON.stringify(reply)}`);
  const now = Number(reply[reply.length - 1]);
  switch (Number(reply[0])) {
    case 1:
      return {
        claim: { status: 'acquired', token: Number(reply[1]), takeover: Number(reply[2]) === 1 },
        now,
      };
    case 2:
      return { claim: { status: 'in-progress', leaseExpiresAt: Number(reply[1]) }, now };
    case 3: {
      const outcome = decodeOutcome(reply[1]);
      // Replies of scripts before the record's TTL was returned: {3, outcome, now}.
      const pttl = reply.length === 4 ? Number(reply[2]) : Number.NaN;
      return {
        claim:
          pttl >= 0 ? { status: 'completed', outcome, expiresInMs: pttl } : { status: 'completed', outcome },
        now,
      };
    }
    case 4:
      return { claim: { status: 'mismatch' }, now };
    case 5:
      return { claim: { status: 'expired' }, now };
    case 6:
      return { claim: { status: 'skipped' }, now };
    default:
      throw new Error(`[trpc-guardrails] unexpected claim reply: ${JSON.stringify(reply)}`);
  }
}
