import type { DataTransformer } from '@trpc/server/unstable-core-do-not-import';
import { GuardrailsConfigError } from '../errors.js';
import { idempotencyRecordKey } from '../guard/keys.js';
import { standaloneTransformer } from '../idempotency/outcome.js';
import { SHARED_OWNER } from '../idempotency/plan.js';
import type { EvictResult, GuardrailsStore, RecordView, UnreplayableCause } from '../stores/types.js';

/** Which record: as a call names it. */
export interface RecordAddress {
  /** The procedure path (`checkout.pay`), or the `path` given to `guard.once`. */
  path: string;
  /** What `idempotency.owner` returned for the caller; leave out when no owner is configured. */
  owner?: string | number;
  /** The idempotency key the client sent. */
  key: string;
}

/** A record as an operator reads it: `RecordView` with the result decoded. */
export type InspectedRecord =
  | { state: 'absent'; storeKey: string }
  | {
      state: 'in-progress';
      storeKey: string;
      /** The owner's fencing token: the one its side effect should carry. */
      token: number;
      takeover: boolean;
      leaseExpiresAt: Date;
      expiresAt: Date;
    }
  | {
      state: 'done';
      storeKey: string;
      token: number;
      outcome: InspectedOutcome;
      completedAt: Date | undefined;
      expiresAt: Date;
    };

export type InspectedOutcome =
  | { kind: 'result'; value: unknown }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'unreplayable'; cause: UnreplayableCause; bytes: number; executedAt: Date };

type AdminStore = Pick<GuardrailsStore, 'inspect' | 'evict'>;

/** The store key of a record, as the guard builds it. */
export function recordKey(prefix: string, { path, owner, key }: RecordAddress): string {
  if (typeof path !== 'string' || typeof key !== 'string' || key.length === 0) {
    throw new GuardrailsConfigError('a record is named by { path, key } (and owner, when the guard has one)');
  }
  return idempotencyRecordKey(prefix, {
    path,
    owner: owner === undefined ? SHARED_OWNER : String(owner),
    key,
  });
}

/**
 * Reads the record behind an intent: absent, in progress (lease, token) or done (its result
 * decoded with `transformer` — the app's tRPC transformer; superjson by default).
 */
export async function inspectRecord(
  store: AdminStore,
  prefix: string,
  address: RecordAddress,
  transformer?: DataTransformer,
): Promise<InspectedRecord> {
  const storeKey = recordKey(prefix, address);
  const view = await required(store, 'inspect')(storeKey);
  return describeView(view, storeKey, transformer);
}

/** Deletes the record behind an intent, so its key runs again (`force` for a live lease). */
export async function evictRecord(
  store: AdminStore,
  prefix: string,
  address: RecordAddress & { force?: boolean },
): Promise<EvictResult> {
  return required(store, 'evict')({ key: recordKey(prefix, address), force: address.force === true });
}

function describeView(view: RecordView, storeKey: string, transformer?: DataTransformer): InspectedRecord {
  switch (view.state) {
    case 'absent':
      return { state: 'absent', storeKey };
    case 'in-progress':
      return {
        state: 'in-progress',
        storeKey,
        token: view.token,
        takeover: view.takeover,
        leaseExpiresAt: new Date(view.leaseExpiresAt),
        expiresAt: new Date(view.expiresAt),
      };
    case 'done': {
      const { outcome } = view;
      const described: InspectedOutcome =
        outcome.kind === 'result'
          ? { kind: 'result', value: decodeResult(outcome.payload, transformer) }
          : outcome.kind === 'error'
            ? { kind: 'error', code: outcome.code, message: outcome.message }
            : {
                kind: 'unreplayable',
                cause: outcome.cause,
                bytes: outcome.bytes,
                executedAt: new Date(outcome.executedAt),
              };
      return {
        state: 'done',
        storeKey,
        token: view.token,
        outcome: described,
        completedAt: view.completedAt === undefined ? undefined : new Date(view.completedAt),
        expiresAt: new Date(view.expiresAt),
      };
    }
  }
}

function decodeResult(payload: string, transformer?: DataTransformer): unknown {
  if (payload === '') return undefined;
  return standaloneTransformer(transformer).result.decode(payload);
}

/** @internal The admin method, or an error that names the store's gap. */
export function required<TName extends 'inspect' | 'evict' | 'peekLimit' | 'resetLimit'>(
  store: Pick<GuardrailsStore, TName>,
  name: TName,
): NonNullable<GuardrailsStore[TName]> {
  const method = store[name] as GuardrailsStore[TName];
  if (typeof method !== 'function') {
    throw new GuardrailsConfigError(
      `this store has no ${name}(): the admin API needs a store that implements it (memoryStore, upstashStore and redisStore do)`,
    );
  }
  return method.bind(store) as NonNullable<GuardrailsStore[TName]>;
}
