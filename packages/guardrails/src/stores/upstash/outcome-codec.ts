import type { ClaimResult, StoredOutcome } from '../types.js';

/**
 * Outcomes are stored as one string: `r` + superjson payload, or `e` + JSON of the error. The
 * leading letter also keeps `@upstash/redis`'s automatic JSON deserialization from parsing the
 * payload: the string is returned to us exactly as stored.
 */
export function encodeOutcome(outcome: StoredOutcome): string {
  return outcome.kind === 'result'
    ? `r${outcome.payload}`
    : `e${JSON.stringify({ code: outcome.code, message: outcome.message })}`;
}

export function decodeOutcome(encoded: unknown): StoredOutcome {
  if (typeof encoded !== 'string' || encoded.length === 0) {
    throw new Error(
      `[trpc-guardrails] unreadable idempotency record outcome: ${String(encoded).slice(0, 80)}`,
    );
  }
  if (encoded[0] === 'r') return { kind: 'result', payload: encoded.slice(1) };
  const { code, message } = JSON.parse(encoded.slice(1)) as { code: string; message: string };
  return { kind: 'error', code, message };
}

/** Reads the claim script's reply (see `CLAIM_SCRIPT`). */
export function decodeClaimReply(reply: unknown): ClaimResult {
  if (!Array.isArray(reply))
    throw new Error(`[trpc-guardrails] unexpected claim reply: ${JSON.stringify(reply)}`);
  switch (Number(reply[0])) {
    case 1:
      return { status: 'acquired', token: Number(reply[1]), takeover: Number(reply[2]) === 1 };
    case 2:
      return { status: 'in-progress', leaseExpiresAt: Number(reply[1]) };
    case 3:
      return { status: 'completed', outcome: decodeOutcome(reply[1]) };
    case 4:
      return { status: 'mismatch' };
    default:
      throw new Error(`[trpc-guardrails] unexpected claim reply: ${JSON.stringify(reply)}`);
  }
}
