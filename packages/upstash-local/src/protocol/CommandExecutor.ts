import type { RedisPool } from '../resp/RedisPool.js';
import { RedisReplyError } from '../resp/RedisReplyError.js';
import type { RespValue } from '../resp/RespValue.js';
import { type PreparedCommand, prepareCommand } from './prepareCommand.js';
import { ScriptRegistry } from './ScriptRegistry.js';

/** The outcome of one command, as Upstash reports it. */
export type CommandOutcome = { result: RespValue } | { error: string };

/**
 * Runs client commands against Redis: one command, a pipeline, or a MULTI/EXEC transaction.
 *
 * @example
 * const executor = new CommandExecutor(pool);
 * await executor.pipeline([['SET', 'k', 'v'], ['GET', 'k']]); // [{ result: 'OK' }, { result: 'v' }]
 */
export class CommandExecutor {
  private readonly scripts = new ScriptRegistry();

  /**
   * @param pool connections to Redis
   * @param stats `commands` is incremented by the number of commands sent to Redis for clients
   */
  constructor(
    private readonly pool: RedisPool,
    private readonly stats: { commands: number } = { commands: 0 },
  ) {}

  async single(command: string[]): Promise<CommandOutcome> {
    const [outcome] = await this.pipeline([command]);
    return outcome!;
  }

  /** Runs commands in order; a failing command is reported in its slot and never fails its neighbours. */
  async pipeline(commands: string[][]): Promise<CommandOutcome[]> {
    const prepared = commands.map((command) => prepareCommand(command, this.scripts, false));
    const runnable = prepared.filter((item) => item.refused === undefined);
    const replies = runnable.length > 0 ? await this.send(runnable) : [];
    this.stats.commands += runnable.length;

    // Redis lost the rewritten script (SCRIPT FLUSH, restart): send the script itself, transparently.
    const retry = runnable.flatMap((item, i) => (item.fallback && isNoScript(replies[i]) ? [i] : []));
    if (retry.length > 0) {
      const again = await this.pool.send(retry.map((i) => runnable[i]!.fallback!));
      retry.forEach((i, n) => {
        replies[i] = again[n]!;
      });
    }

    let next = 0;
    return prepared.map((item) =>
      item.refused !== undefined ? { error: item.refused } : toOutcome(item, replies[next++]!),
    );
  }

  /**
   * Runs commands atomically. Returns per-command outcomes (runtime errors stay in their slot,
   * as in Redis), or a single `{ error }` when the transaction was not executed at all.
   */
  async transaction(commands: string[][]): Promise<CommandOutcome[] | { error: string }> {
    const prepared = commands.map((command) => prepareCommand(command, this.scripts, true));
    const refusedAt = prepared.findIndex((item) => item.refused !== undefined);
    if (refusedAt !== -1) {
      return {
        error: `${prepared[refusedAt]!.refused} (command ${refusedAt} of the transaction; nothing was executed)`,
      };
    }
    // One contiguous write on one connection: no other request's command can land between MULTI and EXEC.
    const replies = await this.pool.send([['MULTI'], ...prepared.map((item) => item.send), ['EXEC']]);
    this.stats.commands += prepared.length;
    const exec = replies[replies.length - 1];
    if (Array.isArray(exec)) return prepared.map((item, i) => toOutcome(item, exec[i]!));
    const queueError = replies.slice(1, -1).find((reply) => reply instanceof RedisReplyError);
    const reason = exec instanceof RedisReplyError ? exec.message : 'EXECABORT Transaction aborted';
    return { error: queueError instanceof RedisReplyError ? `${reason} (${queueError.message})` : reason };
  }

  private send(items: PreparedCommand[]): Promise<RespValue[]> {
    const commands = items.map((item) => item.send);
    return items.some((item) => item.isolated) ? this.pool.sendIsolated(commands) : this.pool.send(commands);
  }
}

function isNoScript(reply: RespValue | undefined): boolean {
  return reply instanceof RedisReplyError && reply.message.startsWith('NOSCRIPT');
}

function toOutcome(item: PreparedCommand, reply: RespValue): CommandOutcome {
  if (reply instanceof RedisReplyError) return { error: reply.message };
  return { result: item.finish ? item.finish(reply) : reply };
}
