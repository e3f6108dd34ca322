import type { GuardrailsEvent } from 'trpc-guardrails';
import type { Counter, Ledger } from './ledger.js';

const COUNTERS: Record<GuardrailsEvent['type'], Counter | undefined> = {
  executed: 'executions',
  replayed: 'replays',
  conflict: 'conflicts',
  limited: 'limited',
  'store-error': 'storeErrors',
  'outcome-stored': 'outcomesStoredLate',
  'outcome-lost': 'outcomesLost',
  fenced: undefined,
  blocked: undefined,
  unguarded: undefined,
  warning: undefined,
};

/**
 * The guard's `onEvent`: one JSON line per event (path, owner, key, outcome) and a count in the
 * shared ledger.
 */
export function createEventLogger({ ledger, log }: { ledger: Ledger; log: (line: string) => void }) {
  return function onGuardrailsEvent(event: GuardrailsEvent): void {
    const counter = COUNTERS[event.type];
    if (counter) ledger.countLater(counter);
    log(JSON.stringify({ time: new Date().toISOString(), msg: 'guardrails', ...describe(event) }));
  };
}

function describe(event: GuardrailsEvent): Record<string, unknown> {
  switch (event.type) {
    case 'executed':
      return {
        path: event.path,
        owner: event.owner,
        key: event.key,
        outcome: event.outcome === 'result' ? 'executed' : 'executed-with-error',
        takeover: event.takeover,
        stored: event.stored,
        durationMs: event.durationMs,
      };
    case 'replayed':
      return { path: event.path, owner: event.owner, key: event.key, outcome: 'replayed', of: event.outcome };
    case 'conflict':
      return { path: event.path, owner: event.owner, key: event.key, outcome: `conflict:${event.reason}` };
    case 'fenced':
      return { path: event.path, owner: event.owner, key: event.key, outcome: 'fenced', token: event.token };
    case 'outcome-stored':
      return {
        path: event.path,
        owner: event.owner,
        key: event.key,
        outcome: 'outcome-stored',
        attempts: event.attempts,
        delayMs: event.delayMs,
      };
    case 'outcome-lost':
      // The one line an operator reconciles from: the handler ran, its outcome was not recorded.
      return {
        path: event.path,
        owner: event.owner,
        key: event.key,
        outcome: 'outcome-lost',
        reason: event.reason,
        handler: event.outcome,
        token: event.token,
      };
    case 'unguarded':
      return { path: event.path, owner: event.owner, outcome: 'unguarded' };
    case 'blocked':
      return { path: event.path, scope: event.scope, identifier: event.identifier, outcome: 'blocked' };
    case 'warning':
      return { outcome: 'warning', cause: event.cause, message: event.message };
    case 'limited':
      return {
        path: event.path,
        scope: event.scope,
        ...(event.bucket === undefined ? {} : { bucket: event.bucket }),
        identifier: event.identifier,
        outcome: 'limited',
        retryAfter: event.retryAfter,
      };
    case 'store-error':
      return {
        path: event.path,
        owner: event.owner,
        key: event.key,
        outcome: `store-error:${event.policy}`,
        operation: event.operation,
        error: event.error instanceof Error ? event.error.message : String(event.error),
      };
  }
}
