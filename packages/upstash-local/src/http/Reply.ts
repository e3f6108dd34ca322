import type { ServerResponse } from 'node:http';
import { RedisConnectionError } from '../resp/RedisConnectionError.js';
import { HttpError } from './HttpError.js';

/** A JSON answer about to be sent. */
export interface Reply {
  status: number;
  /** The body, already serialised (big pipeline answers are built in slices). */
  json: string;
  /** Failed commands in the answer, for stats. */
  errors: number;
  /** `upstash-sync-token` to send; the gateway's latest when absent. */
  syncToken?: string;
}

/**
 * An `{ error }` reply.
 *
 * @example
 * fail(401, 'Unauthorized');
 */
export function fail(status: number, error: string): Reply {
  return { status, json: JSON.stringify({ error }), errors: 1 };
}

/** Turns what a request threw into its reply: 4xx for request problems, 500 for Redis or gateway trouble. */
export function toErrorReply(error: unknown): Reply {
  if (error instanceof HttpError) return fail(error.status, error.message);
  if (error instanceof RedisConnectionError) return fail(500, error.message);
  return fail(
    500,
    `[upstash-local] Internal error: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/**
 * Writes a reply with its sync token.
 *
 * @example
 * sendReply(res, fail(404, 'No such endpoint'), tokens.current());
 */
export function sendReply(res: ServerResponse, reply: Reply, syncToken: string): void {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(reply.json),
    // The client stores whatever token comes back, and resets it when none does.
    'upstash-sync-token': reply.syncToken ?? syncToken,
  };
  // After a 413 the rest of the body was not read; closing avoids parsing it as the next request.
  if (reply.status === 413) headers.Connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.json);
}
