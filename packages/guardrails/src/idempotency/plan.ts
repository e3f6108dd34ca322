import { TRPCError } from '@trpc/server';
import type { IdempotentStep } from '../builder/guard-steps.js';
import { idempotencyRecordKey } from '../guard/keys.js';
import type { GuardRuntime, ResolvedIdempotency } from '../guard/runtime.js';
import type { ClaimRequest } from '../stores/types.js';
import { fingerprintInput } from './fingerprint.js';
import { idempotencyKeyError } from './key.js';

/** Owner of every record when no `owner` is configured. */
export const SHARED_OWNER = '*';

/** @internal Everything one idempotent call needs, computed before the store round trip. */
export interface ClaimPlan {
  path: string;
  key: string;
  owner: string;
  settings: ResolvedIdempotency;
  claim: ClaimRequest;
  /** The raw input the rest of the chain sees (without `idempotencyKey`), when it was stripped. */
  strippedRawInput: { value: unknown } | undefined;
}

/**
 * @internal Reads and checks the key, the owner and the fingerprint. A bad key is returned as an
 * error rather than thrown, so rate limits placed before `.idempotent()` still apply first.
 */
export async function planClaim(
  runtime: GuardRuntime,
  step: IdempotentStep,
  call: { ctx: unknown; path: string; getRawInput: () => Promise<unknown> },
): Promise<{ plan: ClaimPlan; error?: undefined } | { plan?: undefined; error: TRPCError }> {
  const { ctx, path } = call;
  const rawInput = await call.getRawInput();
  let key: unknown;
  let strippedRawInput: ClaimPlan['strippedRawInput'];
  let fingerprinted: unknown = rawInput;
  if (step.key) {
    key = step.key({ ctx, rawInput, path });
  } else if (isPlainObject(rawInput)) {
    const { idempotencyKey, ...rest } = rawInput;
    key = idempotencyKey;
    strippedRawInput = { value: rest };
    fingerprinted = rest;
  }
  const keyError = idempotencyKeyError(key);
  if (keyError) return { error: keyError };
  const { settings } = step;
  const owner = settings.owner ? settings.owner({ ctx, path }) : SHARED_OWNER;
  if (owner === undefined || owner === null || owner === '') {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: `[trpc-guardrails] idempotency.owner returned ${String(owner)} for "${path}"; return an id for every caller (e.g. ctx.userId ?? ctx.ip)`,
    });
  }
  const [recordKey, fingerprint] = await Promise.all([
    idempotencyRecordKey(runtime.prefix, { path, owner: String(owner), key: key as string }),
    fingerprintInput(fingerprinted),
  ]);
  return {
    plan: {
      path,
      key: key as string,
      owner: String(owner),
      settings,
      strippedRawInput,
      claim: {
        key: recordKey,
        fingerprint,
        claimId: globalThis.crypto.randomUUID(),
        leaseMs: settings.leaseMs,
        ttlMs: settings.ttlMs,
      },
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
