import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { type Attributes, type Counter, trace } from '@opentelemetry/api';
import { GuardrailsConfigError } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import {
  ATTR_GUARDRAILS_IDEMPOTENCY_KEY,
  ATTR_GUARDRAILS_IDENTIFIER,
  ATTR_GUARDRAILS_OWNER,
} from './attributes.js';
import { describeEvent, EVENT_COUNTERS, type EventRecord, eventName } from './event-attributes.js';
import { checkProviders, lazyMeter, type OtelProviders } from './providers.js';

/** Options of {@link otelEvents}. */
export interface OtelEventsOptions extends Pick<OtelProviders, 'meterProvider'> {
  /**
   * Whether span events carry who and what: the rate-limited identifier (an IP, a user id), the
   * record's owner and the idempotency key. `'hashed'` puts their SHA-256 (hex) instead — enough
   * to group events or look up one user's (hash the id the same way), not anonymous for small
   * spaces such as IPv4 addresses. Metrics never carry them, whatever this says.
   * @default false
   */
  includeIdentifiers?: boolean | 'hashed';
}

/**
 * An `onEvent` listener that turns guard decisions into OpenTelemetry: a counter per event type
 * (`guardrails.limited`, `guardrails.replayed`, …, attributes `trpc.procedure`,
 * `guardrails.scope`, `guardrails.outcome`, …) and a span event of the same name on the span
 * active at that moment (the request's server span), if it records.
 *
 * @example
 * ```ts
 * import { instrumentStore, otelEvents } from 'trpc-guardrails/otel';
 *
 * const guard = createGuardrails<Context>()({
 *   store: instrumentStore(upstashStore(Redis.fromEnv())),
 *   onEvent: otelEvents(),
 * });
 * ```
 */
export function otelEvents(options: OtelEventsOptions = {}): (event: GuardrailsEvent) => void {
  checkProviders(options, 'otelEvents()');
  const { includeIdentifiers = false } = options;
  if (includeIdentifiers !== true && includeIdentifiers !== false && includeIdentifiers !== 'hashed') {
    throw new GuardrailsConfigError(
      `otelEvents({ includeIdentifiers }) must be true, false or 'hashed', got ${JSON.stringify(includeIdentifiers)}`,
    );
  }
  const meter = lazyMeter(options.meterProvider);
  const counters = new Map<string, Counter>();
  const counterOf = (type: string): Counter => {
    let counter = counters.get(type);
    if (!counter) {
      const { unit, description } = EVENT_COUNTERS[type as GuardrailsEvent['type']] ?? {
        unit: '{event}',
        description: `trpc-guardrails "${type}" events`,
      };
      counter = meter().createCounter(eventName(type), { unit, description });
      counters.set(type, counter);
    }
    return counter;
  };

  return function recordGuardrailsEvent(event) {
    const record = describeEvent(event);
    counterOf(event.type).add(1, record.attributes);
    const span = trace.getActiveSpan();
    if (!span?.isRecording()) return;
    span.addEvent(eventName(event.type), {
      ...record.attributes,
      ...record.details,
      ...identifierAttributes(record.identifiers, includeIdentifiers),
    });
  };
}

function identifierAttributes(
  identifiers: EventRecord['identifiers'],
  include: boolean | 'hashed',
): Attributes {
  if (!include) return {};
  const encode = include === 'hashed' ? hashed : (value: string) => value;
  const attributes: Attributes = {};
  if (identifiers.identifier !== undefined) {
    attributes[ATTR_GUARDRAILS_IDENTIFIER] = encode(identifiers.identifier);
  }
  if (identifiers.owner !== undefined) attributes[ATTR_GUARDRAILS_OWNER] = encode(identifiers.owner);
  if (identifiers.key !== undefined) attributes[ATTR_GUARDRAILS_IDEMPOTENCY_KEY] = encode(identifiers.key);
  return attributes;
}

function hashed(value: string): string {
  return bytesToHex(sha256(utf8ToBytes(value)));
}
