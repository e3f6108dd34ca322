import type { IncomingMessage } from 'node:http';
import type { CommandExecutor, CommandOutcome } from '../protocol/CommandExecutor.js';
import { encodeResult } from '../protocol/encodeResult.js';
import { parseCommand, parseCommandList } from '../protocol/parseCommand.js';
import { parseJsonInSlices } from '../slices/parseJsonInSlices.js';
import { stringifyInSlices } from '../slices/stringifyInSlices.js';
import { HttpError } from './HttpError.js';
import { fail, type Reply } from './Reply.js';
import { readBody } from './readBody.js';
import type { SyncTokens } from './SyncTokens.js';

/** The command endpoints: `POST /`, `/pipeline`, `/multi-exec`. */
export type CommandEndpoint = 'single' | 'pipeline' | 'multi-exec';

/** What {@link serveCommand} needs from the gateway. */
export interface CommandServerOptions {
  executor: CommandExecutor;
  syncTokens: SyncTokens;
  bodyLimit: number;
}

/**
 * Reads, runs and answers one authenticated command request. A response to a request that wrote
 * carries a fresh sync token; see {@link SyncTokens}.
 *
 * @example
 * const reply = await serveCommand('pipeline', req, { executor, syncTokens, bodyLimit });
 */
export async function serveCommand(
  endpoint: CommandEndpoint,
  req: IncomingMessage,
  { executor, syncTokens, bodyLimit }: CommandServerOptions,
): Promise<Reply> {
  const body = await readBody(req, bodyLimit);
  let json: unknown;
  try {
    json = await parseJsonInSlices(body);
  } catch (error) {
    throw new HttpError(400, `[upstash-local] Request body is not valid JSON (${(error as Error).message}).`);
  }
  const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
  const tokenFor = (wrote: boolean) => (wrote ? syncTokens.afterWrite() : syncTokens.current());

  if (endpoint === 'single') {
    const { outcomes: outcome, wrote } = await executor.single(parseCommand(json));
    const syncToken = tokenFor(wrote);
    if ('error' in outcome) return { ...fail(400, outcome.error), syncToken };
    return {
      status: 200,
      json: JSON.stringify({ result: encodeResult(outcome.result, base64) }),
      errors: 0,
      syncToken,
    };
  }
  const commands = await parseCommandList(json, `/${endpoint}`);
  const executed =
    endpoint === 'pipeline' ? await executor.pipeline(commands) : await executor.transaction(commands);
  if ('error' in executed) return fail(400, executed.error);
  const { outcomes, wrote } = executed;
  return {
    status: 200,
    json: await stringifyInSlices(outcomes, (outcome) => encodeOutcome(outcome, base64)),
    errors: countErrors(outcomes),
    syncToken: tokenFor(wrote),
  };
}

function encodeOutcome(outcome: CommandOutcome, base64: boolean) {
  return 'error' in outcome ? { error: outcome.error } : { result: encodeResult(outcome.result, base64) };
}

function countErrors(outcomes: CommandOutcome[]): number {
  let errors = 0;
  for (const outcome of outcomes) if ('error' in outcome) errors++;
  return errors;
}
