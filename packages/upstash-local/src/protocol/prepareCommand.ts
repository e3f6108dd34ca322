import type { RespValue } from '../resp/RespValue.js';
import { routeCommand } from './commandPolicy.js';
import type { ScriptRegistry } from './ScriptRegistry.js';

/** A client command translated for Redis. */
export interface PreparedCommand {
  /** What to send to Redis. */
  send: string[];
  /** Sent instead when Redis answers NOSCRIPT to `send` (it was flushed or restarted). */
  fallback?: string[];
  /** Adjusts a successful reply before it goes back to the client. */
  finish?: (reply: RespValue) => RespValue;
  /** Set when the command must not reach Redis; the text is the error to answer. */
  refused?: string;
  /** Needs its own connection because it may block. */
  isolated: boolean;
}

/**
 * Translates one client command: refuses unsafe ones and rewrites script commands so
 * Upstash-flavoured Lua runs on plain Redis while the client keeps using its own script shas.
 *
 * Inside a transaction EVALSHA becomes EVAL directly, because a NOSCRIPT fallback cannot be
 * retried inside MULTI ... EXEC without breaking its atomicity.
 *
 * @example
 * prepareCommand(['EVALSHA', clientSha, '0'], scripts, false);
 * // { send: ['EVALSHA', rewrittenSha, '0'], fallback: ['EVAL', rewrittenScript, '0'], isolated: false }
 */
export function prepareCommand(
  command: string[],
  scripts: ScriptRegistry,
  inTransaction: boolean,
): PreparedCommand {
  const route = routeCommand(command);
  if (route.kind === 'refused') return { send: command, refused: route.error, isolated: false };
  // Inside MULTI blocking commands never block, so they can share a connection.
  const isolated = route.kind === 'isolated' && !inTransaction;
  const name = command[0]!.toUpperCase();
  const [, first, ...rest] = command;

  if ((name === 'EVAL' || name === 'EVAL_RO') && first !== undefined) {
    return { send: [name, scripts.register(first).script, ...rest], isolated };
  }
  if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && first !== undefined) {
    const known = scripts.lookup(first);
    if (!known) return { send: command, isolated };
    const evalName = name === 'EVALSHA' ? 'EVAL' : 'EVAL_RO';
    if (inTransaction) return { send: [evalName, known.script, ...rest], isolated };
    return { send: [name, known.sha, ...rest], fallback: [evalName, known.script, ...rest], isolated };
  }
  if (name === 'SCRIPT' && first !== undefined) {
    const sub = first.toUpperCase();
    if (sub === 'LOAD' && rest[0] !== undefined) {
      const { clientSha, script } = scripts.register(rest[0]);
      // Answer with the sha of the client's text, the one its later EVALSHA calls will use.
      return { send: ['SCRIPT', first, script], finish: () => clientSha, isolated };
    }
    if (sub === 'EXISTS') {
      const shas = rest.map((sha) => scripts.lookup(sha)?.sha ?? sha);
      return { send: ['SCRIPT', first, ...shas], isolated };
    }
  }
  return { send: command, isolated };
}
