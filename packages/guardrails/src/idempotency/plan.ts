import { TRPCError } from '@trpc/server';
import type { IdempotentStep } from '../builder/guard-steps.js';
import { getGuardrailsErrorData, rejection } from '../errors.js';
import { idempotencyRecordKey } from '../guard/keys.js';
import { assertNamedPath } from '../guard/named-path.js';
import type { GuardRuntime, ResolvedIdempotency } from '../guard/runtime.js';
import type { ClaimRequest } from '../stores/types.js';
import { digestFormFiles, isFormData } from './blob-digests.js';
import { type FingerprintBudget, FingerprintError, fingerprintInput } from './fingerprint.js';
import { checkIdempotencyKey, idempotencyKeyError } from './key.js';
import { takeoverGraceMs } from './lease.js';
import type { IdempotencyKeyFnOptions } from './options.js';
import type { OutcomeTransformer } from './outcome.js';
import type { UnguardedCall } from './unguarded.js';

/** Owner of every record when no `owner` is configured. */
export const SHARED_OWNER = '*';

/** Where the key rides: the input property, or the form field of that name. */
const KEY_FIELD = 'idempotencyKey';

/**
 * How much input is fingerprinted before the rate limits decide: enough for any ordinary
 * mutation, small enough that a limited caller's worst input costs microseconds. Bigger inputs
 * are fingerprinted after the limits allowed the call.
 */
const BEFORE_LIMITS: Omit<FingerprintBudget, 'maxDepth'> = { maxValues: 1_000, maxBytes: 64 * 1024 };

/** @internal Everything one idempotent call needs, computed before the store round trip. */
export interface ClaimPlan {
  path: string;
  key: string;
  owner: string;
  settings: ResolvedIdempotency;
  transformer: OutcomeTransformer;
  /** The claim without its deadline, which is set when it is sent. */
  claim: Omit<ClaimRequest, 'deadline'>;
  /** The raw input the rest of the chain sees (without `idempotencyKey`), when it was stripped. */
  strippedRawInput: { value: unknown } | undefined;
  /**
   * An input too big to fingerprint before the rate limits, or a form with files (their content
   * is read only once the limits allowed the call): `claim.fingerprint` is still empty.
   */
  deferred: { input: unknown } | undefined;
}

/**
 * @internal What `planClaim` decided: claim with this plan, refuse with this error (after the
 * rate limits), or — no key with `required: false` — go on unguarded.
 */
export type ClaimPlanning =
  | { plan: ClaimPlan; error?: undefined; unguarded?: undefined }
  | { plan?: undefined; error: TRPCError; unguarded?: undefined }
  | { plan?: undefined; error?: undefined; unguarded: UnguardedCall };

/**
 * @internal Reads and checks the key, the owner and the fingerprint. A bad key or input is
 * returned as an error rather than thrown, so rate limits placed before `.idempotent()` still
 * apply first.
 */
export async function planClaim(
  runtime: GuardRuntime,
  step: IdempotentStep,
  call: { ctx: unknown; path: string; getRawInput: () => Promise<unknown>; batchIndex?: number },
): Promise<ClaimPlanning> {
  const { ctx, path } = call;
  assertNamedPath(path, 'idempotent');
  const rawInput = await call.getRawInput();
  let key: unknown;
  let strippedRawInput: ClaimPlan['strippedRawInput'];
  let fingerprinted: unknown = rawInput;
  if (step.key) {
    const derived = deriveKey(step, { ctx, rawInput, path, batchIndex: call.batchIndex ?? 0 });
    if (derived.error) return { error: derived.error };
    key = derived.key;
  } else if (isPlainObject(rawInput)) {
    const { idempotencyKey, ...rest } = rawInput;
    key = idempotencyKey;
    strippedRawInput = { value: rest };
    fingerprinted = rest;
  } else if (isFormData(rawInput)) {
    // A <form action> (Server Actions, multipart): the key is a (hidden) field.
    key = rawInput.get(KEY_FIELD) ?? undefined;
    const rest = new FormData();
    for (const [name, value] of rawInput) if (name !== KEY_FIELD) rest.append(name, value);
    strippedRawInput = { value: rest };
    fingerprinted = rest;
  }
  const { settings, transformer } = step;
  if (!step.required && checkIdempotencyKey(key)?.reason === 'missing-key') {
    const owner = settings.owner ? settings.owner({ ctx, path }) : SHARED_OWNER;
    const known = owner === undefined || owner === null || owner === '' ? undefined : String(owner);
    return { unguarded: { path, owner: known, strippedRawInput } };
  }
  const keyError = idempotencyKeyError(key);
  if (keyError) return { error: keyError };
  const owner = settings.owner ? settings.owner({ ctx, path }) : SHARED_OWNER;
  if (owner === undefined || owner === null || owner === '') {
    throw new Error(
      `[trpc-guardrails] idempotency.owner returned ${String(owner)} for "${path}"; return an id for every caller (e.g. ctx.userId ?? ctx.ip)`,
    );
  }
  if (step.select) {
    const selected = selectFingerprinted(step.select, fingerprinted, path);
    if (selected.error) return { error: selected.error };
    fingerprinted = selected.value;
  }
  const budget = settings.fingerprint;
  const early: FingerprintBudget = {
    maxDepth: budget.maxDepth,
    maxValues: Math.min(budget.maxValues, BEFORE_LIMITS.maxValues),
    maxBytes: Math.min(budget.maxBytes, BEFORE_LIMITS.maxBytes),
  };
  let fingerprint = '';
  let deferred: ClaimPlan['deferred'];
  try {
    if (isFormData(fingerprinted) && hasFiles(fingerprinted)) throw FILES_WAIT;
    fingerprint = fingerprintInput(fingerprinted, { budget: early, serialize: transformer.input.serialize });
  } catch (error) {
    const overEarlyBudget =
      error === FILES_WAIT ||
      (error instanceof FingerprintError &&
        error.problem === 'too-large' &&
        (early.maxValues < budget.maxValues || early.maxBytes < budget.maxBytes));
    if (!overEarlyBudget) return { error: fingerprintRejection(error) };
    deferred = { input: fingerprinted };
  }
  return {
    plan: {
      path,
      key: key as string,
      owner: String(owner),
      settings,
      transformer,
      strippedRawInput,
      deferred,
      claim: {
        key: idempotencyRecordKey(runtime.prefix, { path, owner: String(owner), key: key as string }),
        fingerprint,
        claimId: globalThis.crypto.randomUUID(),
        leaseMs: settings.leaseMs,
        ttlMs: settings.ttlMs,
        graceMs: takeoverGraceMs(settings.leaseMs),
      },
    },
  };
}

/**
 * @internal Fingerprints a deferred input with the full budget (reading a form's files), once
 * the limits allowed the call; the error to answer when it cannot be fingerprinted.
 */
export async function finishFingerprint(plan: ClaimPlan): Promise<TRPCError | undefined> {
  if (!plan.deferred) return undefined;
  const { input } = plan.deferred;
  try {
    plan.claim.fingerprint = fingerprintInput(input, {
      budget: plan.settings.fingerprint,
      serialize: plan.transformer.input.serialize,
      files: isFormData(input) ? await digestFormFiles(input) : undefined,
    });
    plan.deferred = undefined;
    return undefined;
  } catch (error) {
    return fingerprintRejection(error);
  }
}

function fingerprintRejection(error: unknown): TRPCError {
  if (!(error instanceof FingerprintError)) throw error;
  const message = `Cannot check this idempotent call: ${error.message}`;
  switch (error.problem) {
    case 'too-large':
      return rejection('PAYLOAD_TOO_LARGE', message, { kind: 'idempotency', reason: 'input-too-large' });
    case 'too-deep':
      return rejection('BAD_REQUEST', message, { kind: 'idempotency', reason: 'input-too-deep' });
    case 'unsupported':
      return rejection('BAD_REQUEST', message, { kind: 'idempotency', reason: 'input-unsupported' });
  }
}

/** Runs `fingerprint.select`; a throw is the input's fault (it is not validated yet): 400. */
function selectFingerprinted(
  select: (input: unknown) => unknown,
  input: unknown,
  path: string,
): { value: unknown; error?: undefined } | { error: TRPCError } {
  let value: unknown;
  try {
    value = select(input);
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      error: rejection(
        'BAD_REQUEST',
        `Cannot check this idempotent call: the input does not have the shape its fingerprint reads (${why})`,
        { kind: 'idempotency', reason: 'input-malformed' },
        error,
      ),
    };
  }
  if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') {
    throw new Error(
      `[trpc-guardrails] fingerprint.select of "${path}" returned a Promise; return the selected part of the input itself`,
    );
  }
  return { value };
}

/**
 * Runs the procedure's `key` function. A `TRPCError` it throws (`fromHeader` refusing a malformed
 * header) answers the call like a bad key: after the rate limits. One whose reason is
 * `missing-key` means "no key", so that `required: false` runs the call unguarded.
 */
function deriveKey(
  step: IdempotentStep,
  opts: IdempotencyKeyFnOptions<unknown>,
): { key: unknown; error?: undefined } | { key?: undefined; error: TRPCError } {
  try {
    return { key: step.key?.(opts) };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const data = getGuardrailsErrorData(error);
    const missing = data?.kind === 'idempotency' && data.reason === 'missing-key';
    return missing && !step.required ? { key: undefined } : { error };
  }
}

/** Thrown inside the early fingerprint: a form's files are read after the limits decided. */
const FILES_WAIT = Symbol('files wait for the limits');

function hasFiles(form: FormData): boolean {
  for (const [, value] of form) if (typeof value !== 'string') return true;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
