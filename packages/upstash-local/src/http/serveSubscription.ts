import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SubscribeKind } from '../pubsub/SseSubscription.js';
import type { SubscriptionHub } from '../pubsub/SubscriptionHub.js';
import { HttpError } from './HttpError.js';

/**
 * `/subscribe/<channel>` and `/psubscribe/<pattern>`, as `@upstash/redis` calls them (it builds the
 * URL by joining the base URL, the command and the raw name with `/`). Any case, like Upstash's
 * path commands.
 */
export const SUBSCRIBE_PATH = /^\/(subscribe|psubscribe)(?:\/(.*))?$/i;

/**
 * Serves one authenticated subscribe request as a server-sent event stream, until it ends.
 * Every path segment after the command is one channel (or pattern), percent-decoded: as in
 * Upstash's REST paths, `/subscribe/a/b` subscribes to `a` and `b`. The body (the client sends
 * `[]`) is ignored. Resolves with the HTTP status sent.
 *
 * @example
 * const status = await serveSubscription(req, res, '/subscribe/chat', hub, { 'upstash-sync-token': '7' });
 */
export async function serveSubscription(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  hub: SubscriptionHub,
  headers: Record<string, string>,
): Promise<number> {
  const [, command = '', rest = ''] = SUBSCRIBE_PATH.exec(path) ?? [];
  const kind = command.toLowerCase() as SubscribeKind;
  const targets = rest
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new HttpError(400, `[upstash-local] "${segment}" in the path is not valid percent-encoding.`);
      }
    });
  if (targets.length === 0) {
    const what = kind === 'subscribe' ? 'channel' : 'pattern';
    throw new HttpError(400, `[upstash-local] Name the ${what} in the path: POST /${kind}/<${what}>.`);
  }
  req.resume(); // the body carries nothing; drain it
  return hub.serve(res, kind, targets, headers);
}
