import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandExecutor, CommandOutcome } from '../protocol/CommandExecutor.js';
import { encodeResult } from '../protocol/encodeResult.js';
import { parseCommand, parseCommandList } from '../protocol/parseCommand.js';
import { RedisConnectionError } from '../resp/RedisConnectionError.js';
import type { GatewayStats } from './GatewayStats.js';
import { HttpError } from './HttpError.js';
import { readBody } from './readBody.js';
import { tokenMatches } from './tokenMatches.js';

/** What the HTTP handler needs from the gateway. */
export interface RequestHandlerOptions {
  token: string;
  executor: CommandExecutor;
  stats: GatewayStats;
  /** @default 0 */
  latencyMs?: number;
  /** @default 10 MiB */
  bodyLimit?: number;
  /** @default undefined (no logging) */
  log?: ((line: string) => void) | undefined;
}

type Endpoint = 'single' | 'pipeline' | 'multi-exec';
const ENDPOINTS: Record<string, Endpoint> = {
  '/': 'single',
  '/pipeline': 'pipeline',
  '/multi-exec': 'multi-exec',
};

interface Reply {
  status: number;
  body: unknown;
  /** Failed commands in the answer, for stats. */
  errors: number;
}

/**
 * The Upstash REST protocol as an http request listener: `POST /`, `/pipeline`, `/multi-exec`,
 * and an unauthenticated `GET /` + `GET /health` health check.
 *
 * @example
 * createServer(createRequestHandler({ token, executor, stats })).listen(8079);
 */
export function createRequestHandler(options: RequestHandlerOptions) {
  const { token, executor, stats, latencyMs = 0, bodyLimit = 10 * 1024 * 1024, log } = options;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    if (latencyMs > 0) await delay(latencyMs);
    const path = (req.url ?? '/').split('?')[0]!.replace(/(.)\/+$/, '$1');
    const endpoint = ENDPOINTS[path];
    let reply: Reply;
    if ((path === '/' || path === '/health') && req.method === 'GET') {
      // Health needs no token: it tells nothing but "up", and load balancers / wait-on scripts have none.
      reply = { status: 200, body: { status: 'ok', service: 'upstash-local' }, errors: 0 };
    } else if (path === '/health') {
      reply = fail(405, `[upstash-local] ${req.method} is not allowed on /health; use GET.`);
    } else if (!endpoint) {
      reply = fail(404, `[upstash-local] No endpoint ${path}; use POST /, /pipeline or /multi-exec.`);
    } else {
      stats.requests++;
      if (endpoint === 'pipeline') stats.pipelines++;
      if (endpoint === 'multi-exec') stats.transactions++;
      reply = await serveCommand(endpoint, req).catch(toErrorReply);
      stats.errors += reply.errors;
    }
    if (reply.status === 405)
      res.setHeader('Allow', path === '/' ? 'GET, POST' : path === '/health' ? 'GET' : 'POST');
    send(res, req, reply);
    log?.(`${req.method} ${path} ${reply.status} ${(performance.now() - started).toFixed(1)}ms`);
  };

  async function serveCommand(endpoint: Endpoint, req: IncomingMessage): Promise<Reply> {
    if (req.method !== 'POST') {
      return fail(405, `[upstash-local] ${req.method} is not allowed here; send commands with POST.`);
    }
    if (!tokenMatches(token, req.headers.authorization)) {
      return fail(401, 'Unauthorized');
    }
    const body = await readBody(req, bodyLimit);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new HttpError(
        400,
        `[upstash-local] Request body is not valid JSON (${(error as Error).message}).`,
      );
    }
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';

    if (endpoint === 'single') {
      const outcome = await executor.single(parseCommand(json));
      if ('error' in outcome) return fail(400, outcome.error);
      return { status: 200, body: { result: encodeResult(outcome.result, base64) }, errors: 0 };
    }
    const commands = parseCommandList(json, `/${endpoint}`);
    const outcomes =
      endpoint === 'pipeline' ? await executor.pipeline(commands) : await executor.transaction(commands);
    if (!Array.isArray(outcomes)) return fail(400, outcomes.error);
    return {
      status: 200,
      body: outcomes.map((outcome) => encodeOutcome(outcome, base64)),
      errors: outcomes.filter((outcome) => 'error' in outcome).length,
    };
  }
}

function encodeOutcome(outcome: CommandOutcome, base64: boolean) {
  return 'error' in outcome ? { error: outcome.error } : { result: encodeResult(outcome.result, base64) };
}

function fail(status: number, error: string): Reply {
  return { status, body: { error }, errors: 1 };
}

function toErrorReply(error: unknown): Reply {
  if (error instanceof HttpError) return fail(error.status, error.message);
  if (error instanceof RedisConnectionError) return fail(500, error.message);
  return fail(
    500,
    `[upstash-local] Internal error: ${error instanceof Error ? error.message : String(error)}`,
  );
}

function send(res: ServerResponse, req: IncomingMessage, reply: Reply): void {
  const json = JSON.stringify(reply.body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
  };
  // The client sends its last sync token and stores whatever comes back; echoing keeps it stable.
  const syncToken = req.headers['upstash-sync-token'];
  if (typeof syncToken === 'string' && syncToken !== '') headers['upstash-sync-token'] = syncToken;
  // After a 413 the rest of the body was not read; closing avoids parsing it as the next request.
  if (reply.status === 413) headers.Connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(json);
}
