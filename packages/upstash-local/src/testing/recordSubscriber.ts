import type { Redis } from '@upstash/redis';
import { waitUntil } from './waitUntil.js';

/** What {@link recordSubscriber} returns. */
export interface RecordedSubscriber {
  subscriber: ReturnType<Redis['subscribe']>;
  /** `message` (or `pmessage`) payloads, in arrival order. */
  messages: unknown[];
  /** `unsubscribe`, `punsubscribe` and `error` events, in arrival order. */
  events: { type: string; data: unknown }[];
  ready: Promise<void>;
}

/**
 * A subscriber of the real client with everything it is told recorded; `ready` resolves once the
 * gateway confirmed the subscription.
 */
export function recordSubscriber(client: Redis, channel: string, pattern = false): RecordedSubscriber {
  const subscriber = pattern ? client.psubscribe([channel]) : client.subscribe([channel]);
  const messages: unknown[] = [];
  const events: RecordedSubscriber['events'] = [];
  let subscribed = false;
  subscriber.on(pattern ? 'psubscribe' : 'subscribe', () => {
    subscribed = true;
  });
  subscriber.on(pattern ? 'pmessage' : 'message', (data: unknown) => messages.push(data));
  for (const type of ['unsubscribe', 'punsubscribe', 'error'] as const) {
    subscriber.on(type, (data: unknown) => events.push({ type, data }));
  }
  const ready = waitUntil(`subscribed to ${channel}`, () => subscribed);
  return { subscriber, messages, events, ready };
}
