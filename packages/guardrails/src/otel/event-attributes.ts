import type { Attributes } from '@opentelemetry/api';
import type { GuardrailsEvent } from '../events.js';
import * as attr from './attributes.js';
import { errorType } from './providers.js';

/** @internal What one guard event becomes in OpenTelemetry. */
export interface EventRecord {
  /** Low-cardinality: on the counter and on the span event. */
  attributes: Attributes;
  /** On the span event only. */
  details: Attributes;
  /** On the span event only, and only when the user opted in (`includeIdentifiers`). */
  identifiers: { identifier?: string; owner?: string; key?: string };
}

/** @internal The counter of each event type: its unit and what it counts. */
export const EVENT_COUNTERS: Partial<Record<GuardrailsEvent['type'], { unit: string; description: string }>> =
  {
    limited: { unit: '{call}', description: 'Calls refused by a rate limit (429)' },
    blocked: { unit: '{call}', description: "Calls refused by a scope's deny list (403)" },
    executed: {
      unit: '{execution}',
      description: 'Handler runs of idempotent calls (first runs and takeovers)',
    },
    replayed: { unit: '{call}', description: 'Calls answered with a stored outcome, the handler not run' },
    conflict: {
      unit: '{call}',
      description: 'Duplicates refused: still in progress (409) or another input (422)',
    },
    fenced: {
      unit: '{operation}',
      description: 'Extends and completes refused: a newer attempt owns the record',
    },
    'store-error': { unit: '{error}', description: 'Store operations that failed or timed out' },
    'outcome-stored': { unit: '{outcome}', description: 'Outcomes stored by a background retry' },
    'outcome-lost': { unit: '{outcome}', description: 'Outcomes never recorded: a duplicate may run again' },
    unguarded: {
      unit: '{call}',
      description: 'Calls without a key to a required: false procedure, run unguarded',
    },
    warning: { unit: '{warning}', description: 'Misconfigurations noticed while serving' },
  };

/** @internal The metric and span event name of an event type: `guardrails.outcome_lost`. */
export function eventName(type: string): string {
  return `guardrails.${type.replaceAll('-', '_')}`;
}

/** @internal Splits an event into attributes by how safe and how cardinal they are. */
export function describeEvent(event: GuardrailsEvent): EventRecord {
  switch (event.type) {
    case 'limited':
      return {
        attributes: {
          ...procedure(event.path),
          [attr.ATTR_GUARDRAILS_SCOPE]: event.scope,
          ...(event.bucket === undefined ? {} : { [attr.ATTR_GUARDRAILS_BUCKET]: event.bucket }),
        },
        details: {
          [attr.ATTR_GUARDRAILS_LIMIT]: event.limit,
          [attr.ATTR_GUARDRAILS_REMAINING]: event.remaining,
          [attr.ATTR_GUARDRAILS_RESET]: event.reset,
          [attr.ATTR_GUARDRAILS_RETRY_AFTER]: event.retryAfter,
        },
        identifiers: { identifier: event.identifier, owner: event.owner, key: event.key },
      };
    case 'blocked':
      return {
        attributes: { ...procedure(event.path), [attr.ATTR_GUARDRAILS_SCOPE]: event.scope },
        details: {},
        identifiers: { identifier: event.identifier },
      };
    case 'executed':
      return {
        attributes: {
          ...procedure(event.path),
          [attr.ATTR_GUARDRAILS_OUTCOME]: event.outcome,
          [attr.ATTR_GUARDRAILS_TAKEOVER]: event.takeover,
          [attr.ATTR_GUARDRAILS_STORED]: event.stored,
        },
        details: {
          [attr.ATTR_GUARDRAILS_TOKEN]: event.token,
          [attr.ATTR_GUARDRAILS_DURATION]: event.durationMs / 1000,
        },
        identifiers: { owner: event.owner, key: event.key },
      };
    case 'replayed':
      return {
        attributes: { ...procedure(event.path), [attr.ATTR_GUARDRAILS_OUTCOME]: event.outcome },
        details: {},
        identifiers: { owner: event.owner, key: event.key },
      };
    case 'conflict':
      return {
        attributes: { ...procedure(event.path), [attr.ATTR_GUARDRAILS_REASON]: event.reason },
        details: {},
        identifiers: { owner: event.owner, key: event.key },
      };
    case 'fenced':
      return {
        attributes: { ...procedure(event.path), [attr.ATTR_GUARDRAILS_STORE_OPERATION]: event.operation },
        details: { [attr.ATTR_GUARDRAILS_TOKEN]: event.token },
        identifiers: { owner: event.owner, key: event.key },
      };
    case 'store-error':
      return {
        attributes: {
          ...procedure(event.path),
          [attr.ATTR_GUARDRAILS_STORE_OPERATION]: event.operation,
          [attr.ATTR_GUARDRAILS_STORE_POLICY]: event.policy,
          [attr.ATTR_ERROR_TYPE]: errorType(event.error),
        },
        details: event.scopes?.length ? { [attr.ATTR_GUARDRAILS_SCOPES]: event.scopes } : {},
        identifiers: { owner: event.owner, key: event.key },
      };
    case 'outcome-stored':
      return {
        attributes: procedure(event.path),
        details: {
          [attr.ATTR_GUARDRAILS_TOKEN]: event.token,
          [attr.ATTR_GUARDRAILS_ATTEMPTS]: event.attempts,
          [attr.ATTR_GUARDRAILS_DURATION]: event.delayMs / 1000,
        },
        identifiers: { owner: event.owner, key: event.key },
      };
    case 'outcome-lost':
      return {
        attributes: {
          ...procedure(event.path),
          [attr.ATTR_GUARDRAILS_REASON]: event.reason,
          [attr.ATTR_GUARDRAILS_OUTCOME]: event.outcome,
        },
        details: {
          [attr.ATTR_GUARDRAILS_TOKEN]: event.token,
          [attr.ATTR_GUARDRAILS_ATTEMPTS]: event.attempts,
          ...(event.error === undefined ? {} : { [attr.ATTR_ERROR_TYPE]: errorType(event.error) }),
        },
        identifiers: { owner: event.owner, key: event.key },
      };
    case 'unguarded':
      return { attributes: procedure(event.path), details: {}, identifiers: { owner: event.owner } };
    case 'warning':
      return {
        attributes: { [attr.ATTR_GUARDRAILS_WARNING_CAUSE]: event.cause },
        details: {},
        identifiers: {},
      };
    default: {
      // An event type newer than this module: counted by its path alone.
      const { path } = event as { path?: unknown };
      return { attributes: typeof path === 'string' ? procedure(path) : {}, details: {}, identifiers: {} };
    }
  }
}

function procedure(path: string): Attributes {
  return { [attr.ATTR_TRPC_PROCEDURE]: path };
}
