import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandExecutor } from '../protocol/CommandExecutor.js';
import type { SubscriptionHub } from '../pubsub/SubscriptionHub.js';
import type { GatewayStats } from './GatewayStats.js';
import { fail, type Reply, sendReply, toErrorReply } from './Reply.js';
import type { SyncTokens } from './SyncTokens.js';
import { type CommandEndpoint, serveCommand } from './serveCommand.js';
import { SUBSCRIBE_PATH, serveSubscription } from './serveSubscription.js';
import { tokenMatches } from './tokenMatches.js';

/** What the HTTP handler needs from the gateway. */
export interface RequestHandlerOptions {
  token: string;
  executor: CommandExecutor;
  stats: GatewayStats;
  syncTokens: SyncTokens;
  subscriptions: SubscriptionHub;
  /** @default 0 */
  latencyMs?: number;
  /** @default 10 MiB */
  bodyLimit?: number;
  /** @default undefined (no logging) */
  log?: ((line: string) => void) | undefined;
}

const ENDPOINTS: Record<string, CommandEndpoint> = {
  '/': 'single',
  '/pipeline': 'pipeline',
  '/multi-exec': 'multi-exec',
};

/**
 * The Upstash REST protocol as an http request listener: `POST /`, `/pipeline`, `/multi-exec`,
 * the SSE streams `POST /subscribe/<channel>` and `/psubscribe/<pattern>`, and an unauthenticated
 * `GET /` + `GET /health` health check.
 *
 * @example
 * createServer(createRequestHandler({ token, executor, stats, syncTokens, subscriptions })).listen(8079);
 */
export function createRequestHandler(options: RequestHandlerOptions) {
  const { token, executor, stats, syncTokens, subscriptions, latencyMs = 0, log } = options;
  const bodyLimit = options.bodyLimit ?? 10 * 1024 * 1024;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    if (latencyMs > 0) await delay(latencyMs);
    const path = (req.url ?? '/').split('?')[0]!.replace(/(.)\/+$/, '$1');
    const endpoint = ENDPOINTS[path];
    const denied = () =>
      req.method !== 'POST'
        ? fail(405, `[upstash-local] ${req.method} is not allowed here; send it with POST.`)
        : !tokenMatches(token, req.headers.authorization)
          ? fail(401, 'Unauthorized')
          : undefined;

    let reply: Reply | undefined;
    if ((path === '/' || path === '/health') && req.method === 'GET') {
      // Health needs no token: it tells nothing but "up", and load balancers / wait-on scripts have none.
      reply = { status: 200, json: JSON.stringify({ status: 'ok', service: 'upstash-local' }), errors: 0 };
    } else if (path === '/health') {
      reply = fail(405, `[upstash-local] ${req.method} is not allowed on /health; use GET.`);
    } else if (SUBSCRIBE_PATH.test(path)) {
      // A stream answers for itself; it is not a command request, so stats() leaves it out.
      reply = denied();
      if (!reply) {
        const headers = { 'upstash-sync-token': syncTokens.current() };
        const status = await serveSubscription(req, res, path, subscriptions, headers).catch(toErrorReply);
        if (typeof status === 'number') {
          log?.(`${req.method} ${path} ${status} ${(performance.now() - started).toFixed(1)}ms`);
          return;
        }
        reply = status;
      }
    } else if (!endpoint) {
      reply = fail(
        404,
        `[upstash-local] No endpoint ${path}; use POST /, /pipeline, /multi-exec, /subscribe/<channel> or /psubscribe/<pattern>.`,
      );
    } else {
      stats.requests++;
      if (endpoint === 'pipeline') stats.pipelines++;
      if (endpoint === 'multi-exec') stats.transactions++;
      reply =
        denied() ??
        (await serveCommand(endpoint, req, { executor, syncTokens, bodyLimit }).catch(toErrorReply));
      stats.errors += reply.errors;
    }
    if (reply.status === 405)
      res.setHeader('Allow', path === '/' ? 'GET, POST' : path === '/health' ? 'GET' : 'POST');
    sendReply(res, reply, syncTokens.current());
    log?.(`${req.method} ${path} ${reply.status} ${(performance.now() - started).toFixed(1)}ms`);
  };
}
