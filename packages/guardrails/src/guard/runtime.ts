import type { TRPCError } from '@trpc/server';
import { type Duration, describe, parseDuration } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { DEFAULT_FINGERPRINT_BUDGET, type FingerprintBudget } from '../idempotency/fingerprint.js';
import type { ConcurrentPolicy, IdempotencyConfig, IdempotentOptions } from '../idempotency/options.js';
import { PendingOutcomes } from '../idempotency/pending-outcomes.js';
import { ReplayCache } from '../idempotency/replay-cache.js';
import { type AccessList, toAccessList } from '../rate-limit/access-list.js';
import { DenialCache } from '../rate-limit/denial-cache.js';
import type { HeadersTarget } from '../rate-limit/headers.js';
import { checkLimiterChoice } from '../rate-limit/limiter-choice.js';
import type { LimiterChoice, ScopeConfig, StoreErrorPolicy } from '../rate-limit/options.js';
import { isInProcess } from '../stores/in-process.js';
import type { GuardrailsStore } from '../stores/types.js';
import { DEFAULTS, type GuardrailsConfig } from './config.js';
import { withTimeout } from './with-timeout.js';

/** @internal A validated scope, durations in ms. */
export interface ResolvedScope {
  name: string;
  limiter: LimiterChoice<any>;
  identify: ScopeConfig<any>['identify'];
  allow: AccessList | undefined;
  deny: AccessList | undefined;
  denialCache: boolean;
  onStoreError: StoreErrorPolicy;
  timeoutMs: number;
}

/** @internal Idempotency settings with every default applied, durations in ms. */
export interface ResolvedIdempotency {
  owner: IdempotencyConfig<any>['owner'];
  ttlMs: number;
  leaseMs: number;
  errorTtlMs: number;
  concurrent: ConcurrentPolicy;
  cacheError: (error: TRPCError) => boolean;
  onStoreError: StoreErrorPolicy;
  timeoutMs: number;
  fingerprint: FingerprintBudget;
}

/** @internal What the builder and middleware need at run time. */
export interface GuardRuntime {
  store: GuardrailsStore;
  /** A store call under its timeout (none is armed for an in-process store, which cannot hang). */
  timed: <T>(call: Promise<T>, timeoutMs: number, operation: string) => Promise<T>;
  prefix: string;
  scopes: ReadonlyMap<string, ResolvedScope>;
  idempotency: ResolvedIdempotency;
  headers: ((opts: { ctx: any }) => HeadersTarget | null | undefined) | undefined;
  onEvent: ((event: GuardrailsEvent) => void) | undefined;
  waitUntil: ((task: Promise<unknown>, opts: { ctx: any }) => void) | undefined;
  outcomes: PendingOutcomes;
  /** Finished outcomes answered from memory, when `replayCache` is on. */
  replayCache: ReplayCache | undefined;
  /** Refusals answered from memory, for scopes with `denialCache`. */
  denials: DenialCache;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const SCOPE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** @internal Validates `createGuardrails` options once, with messages that say what to fix. */
export function resolveGuardConfig(config: GuardrailsConfig<any, string>): GuardRuntime {
  if (typeof config !== 'object' || config === null) {
    throw new GuardrailsConfigError('createGuardrails() needs an options object with at least `store`');
  }
  const {
    store,
    prefix = DEFAULTS.prefix,
    scopes = {},
    idempotency = {},
    headers,
    onEvent,
    waitUntil,
    pendingOutcomes = {},
    replayCache,
  } = config;
  assertStore(store);
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new GuardrailsConfigError(
      `prefix ${describe(prefix)} is not valid; use 1–64 letters, digits or _ - . : (e.g. 'shop')`,
    );
  }
  if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes)) {
    throw new GuardrailsConfigError(
      'scopes must be an object of named scopes, e.g. { ip: { limiter, identify } }',
    );
  }
  assertOptionalFunction(headers, 'headers');
  assertOptionalFunction(onEvent, 'onEvent');
  assertOptionalFunction(waitUntil, 'waitUntil');
  const { maxCount = DEFAULTS.pendingOutcomes.maxCount, maxBytes = DEFAULTS.pendingOutcomes.maxBytes } =
    pendingOutcomes;
  assertPositiveInteger(maxCount, 'pendingOutcomes.maxCount');
  assertPositiveInteger(maxBytes, 'pendingOutcomes.maxBytes');
  const resolvedScopes = new Map<string, ResolvedScope>();
  for (const [name, scope] of Object.entries(scopes as Record<string, ScopeConfig<any>>)) {
    resolvedScopes.set(name, resolveScope(name, scope));
  }
  return {
    store,
    timed: isInProcess(store) ? (call) => call : withTimeout,
    prefix,
    scopes: resolvedScopes,
    idempotency: resolveIdempotency(idempotency, undefined, 'idempotency'),
    headers,
    onEvent,
    waitUntil,
    outcomes: new PendingOutcomes({ maxCount, maxBytes }),
    replayCache: resolveReplayCache(replayCache),
    denials: new DenialCache(),
  };
}

function resolveScope(name: string, scope: ScopeConfig<any>): ResolvedScope {
  const where = `scopes.${name}`;
  if (!SCOPE_PATTERN.test(name)) {
    throw new GuardrailsConfigError(`scope name "${name}" is not valid; use 1–64 letters, digits, _ or -`);
  }
  if (typeof scope !== 'object' || scope === null) {
    throw new GuardrailsConfigError(`${where} must be { limiter, identify }`);
  }
  if (typeof scope.identify !== 'function') {
    throw new GuardrailsConfigError(`${where}.identify must be a function such as ({ ctx }) => ctx.ip`);
  }
  return {
    name,
    limiter: checkLimiterChoice(scope.limiter, `${where}.limiter`),
    identify: scope.identify,
    allow: toAccessList(scope.allow, `${where}.allow`),
    deny: toAccessList(scope.deny, `${where}.deny`),
    denialCache: resolveFlag(scope.denialCache, `${where}.denialCache`),
    onStoreError: resolvePolicy(scope.onStoreError, `${where}.onStoreError`),
    timeoutMs: parseDuration(scope.timeout ?? DEFAULTS.timeout, `${where}.timeout`),
  };
}

/** Idempotency settings when neither the guard nor the procedure sets them. */
const DEFAULT_IDEMPOTENCY: ResolvedIdempotency = {
  owner: undefined,
  ttlMs: parseDuration(DEFAULTS.ttl, 'default ttl'),
  leaseMs: parseDuration(DEFAULTS.lease, 'default lease'),
  errorTtlMs: parseDuration(DEFAULTS.errorTtl, 'default errorTtl'),
  concurrent: DEFAULTS.concurrent,
  cacheError: () => true,
  onStoreError: DEFAULTS.onStoreError,
  timeoutMs: parseDuration(DEFAULTS.timeout, 'default timeout'),
  fingerprint: DEFAULT_FINGERPRINT_BUDGET,
};

/** @internal Applies per-procedure overrides on top of the guard's idempotency settings. */
export function resolveIdempotency(
  options: IdempotentOptions<any> | IdempotencyConfig<any>,
  base: ResolvedIdempotency | undefined,
  where: string,
): ResolvedIdempotency {
  if (typeof options !== 'object' || options === null) {
    throw new GuardrailsConfigError(`${where} must be an options object`);
  }
  const { owner, ttl, lease, errorTtl, concurrent, cacheError, onStoreError, timeout, fingerprint } = options;
  assertOptionalFunction(owner, `${where}.owner`);
  assertOptionalFunction(cacheError, `${where}.cacheError`);
  if (concurrent !== undefined && concurrent !== 'wait' && concurrent !== 'reject') {
    throw new GuardrailsConfigError(
      `${where}.concurrent must be 'wait' or 'reject', got ${describe(concurrent)}`,
    );
  }
  const defaults = base ?? DEFAULT_IDEMPOTENCY;
  const duration = (value: Duration | undefined, inherited: number, option: string) =>
    value === undefined ? inherited : parseDuration(value, `${where}.${option}`);
  const resolved: ResolvedIdempotency = {
    owner: owner ?? defaults.owner,
    ttlMs: duration(ttl, defaults.ttlMs, 'ttl'),
    leaseMs: duration(lease, defaults.leaseMs, 'lease'),
    errorTtlMs: duration(errorTtl, defaults.errorTtlMs, 'errorTtl'),
    concurrent: concurrent ?? defaults.concurrent,
    cacheError: cacheError ?? defaults.cacheError,
    onStoreError:
      onStoreError === undefined
        ? defaults.onStoreError
        : resolvePolicy(onStoreError, `${where}.onStoreError`),
    timeoutMs: duration(timeout, defaults.timeoutMs, 'timeout'),
    fingerprint: resolveBudget(fingerprint, defaults.fingerprint, `${where}.fingerprint`),
  };
  if (resolved.ttlMs < resolved.leaseMs) {
    throw new GuardrailsConfigError(`${where}.ttl must be at least as long as the lease`);
  }
  return resolved;
}

function resolveBudget(
  budget: Partial<FingerprintBudget> | undefined,
  inherited: FingerprintBudget,
  where: string,
): FingerprintBudget {
  if (budget === undefined) return inherited;
  if (typeof budget !== 'object' || budget === null) {
    throw new GuardrailsConfigError(`${where} must be { maxDepth?, maxValues?, maxBytes? }`);
  }
  const resolved = { ...inherited, ...budget };
  for (const name of ['maxDepth', 'maxValues', 'maxBytes'] as const) {
    assertPositiveInteger(resolved[name], `${where}.${name}`);
  }
  return resolved;
}

function assertPositiveInteger(value: unknown, where: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new GuardrailsConfigError(`${where} must be a positive integer, got ${describe(value)}`);
  }
}

function resolvePolicy(value: unknown, where: string): StoreErrorPolicy {
  if (value === undefined) return DEFAULTS.onStoreError;
  if (value === 'deny' || value === 'allow') return value;
  throw new GuardrailsConfigError(`${where} must be 'deny' or 'allow', got ${describe(value)}`);
}

function assertStore(store: unknown): asserts store is GuardrailsStore {
  const missing = ['check', 'complete', 'extend', 'release'].filter(
    (method) => typeof (store as Record<string, unknown> | undefined)?.[method] !== 'function',
  );
  if (store === undefined || store === null || missing.length > 0) {
    throw new GuardrailsConfigError(
      store === undefined || store === null
        ? 'store is required: pass upstashStore(Redis.fromEnv()) or memoryStore()'
        : `store is missing ${missing.join(', ')}; pass upstashStore(redis), memoryStore(), or implement GuardrailsStore`,
    );
  }
}

function assertOptionalFunction(value: unknown, where: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new GuardrailsConfigError(`${where} must be a function, got ${describe(value)}`);
  }
}

function resolveReplayCache(option: GuardrailsConfig<any, string>['replayCache']): ReplayCache | undefined {
  if (option === undefined || option === false) return undefined;
  if (option !== true && (typeof option !== 'object' || option === null)) {
    throw new GuardrailsConfigError(
      `replayCache must be true, false or { maxEntries?, maxBytes?, maxAge? }, got ${describe(option)}`,
    );
  }
  const defaults = DEFAULTS.replayCache;
  const {
    maxEntries = defaults.maxEntries,
    maxBytes = defaults.maxBytes,
    maxAge = defaults.maxAge,
  } = option === true ? {} : option;
  assertPositiveInteger(maxEntries, 'replayCache.maxEntries');
  assertPositiveInteger(maxBytes, 'replayCache.maxBytes');
  return new ReplayCache({ maxEntries, maxBytes, maxAgeMs: parseDuration(maxAge, 'replayCache.maxAge') });
}

function resolveFlag(value: unknown, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new GuardrailsConfigError(`${where} must be true or false, got ${describe(value)}`);
  return value;
}
