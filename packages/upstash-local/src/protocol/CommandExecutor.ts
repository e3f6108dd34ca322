import type { RedisPool } from '../resp/RedisPool.js';
import { RedisReplyError } from '../resp/RedisReplyError.js';
import type { RespValue } from '../resp/RespValue.js';
import { mapInSlices, SLICE_SIZE, yieldToEventLoop } from '../slices/mapInSlices.js';
import { type PreparedCommand, prepareCommand } from './prepareCommand.js';
import { ScriptRegistry } from './ScriptRegistry.js';

/** The outcome of one command, as Upstash reports it. */
export type CommandOutcome = { result: RespValue } | { error: string };

/** Outcomes of a request, and whether any command that may write reached Redis (for sync tokens). */
export interface Executed<T> {
  outcomes: T;
  wrote: boolean;
}

/** Tells writes from reads; see {@link WriteCommands}. */
export interface WriteClassifier {
  isWrite(command: readonly string[]): boolean;
}

/**
 * Runs client commands against Redis: one command, a pipeline, or a MULTI/EXEC transaction.
 *
 * @example
 * const executor = new CommandExecutor(pool, stats, writes);
 * await executor.pipeline([['SET', 'k', 'v'], ['GET', 'k']]);
 * // { outcomes: [{ result: 'OK' }, { result: 'v' }], wrote: true }
 */
export class CommandExecutor {
  private readonly scripts = new ScriptRegistry();

  /**
   * @param pool connections to Redis
   * @param stats `commands` is incremented by the number of commands sent to Redis for clients
   * @param writes which commands write; @default every command counts as a write
   */
  constructor(
    private readonly pool: RedisPool,
    private readonly stats: { commands: number } = { commands: 0 },
    private readonly writes: WriteClassifier = { isWrite: () => true },
  ) {}

  async single(command: string[]): Promise<Executed<CommandOutcome>> {
    const { outcomes, wrote } = await this.pipeline([command]);
    return { outcomes: outcomes[0]!, wrote };
  }

  /**
   * Runs commands in order; a failing command is reported in its slot and never fails its neighbours.
   * Big pipelines are prepared and written a slice at a time, yielding in between, so other requests
   * keep being served; as on Upstash, their commands may interleave with the pipeline's.
   */
  async pipeline(commands: string[][]): Promise<Executed<CommandOutcome[]>> {
    let wrote = false;
    const prepared = await mapInSlices(commands, (command) => {
      const item = prepareCommand(command, this.scripts, false);
      wrote ||= item.refused === undefined && this.writes.isWrite(command);
      return item;
    });
    const runnable = prepared.filter((item) => item.refused === undefined);
    const replies = runnable.length > 0 ? await this.send(runnable) : [];
    this.stats.commands += runnable.length;

    // Redis lost the rewritten script (SCRIPT FLUSH, restart): send the script itself, transparently.
    const retry: number[] = [];
    runnable.forEach((item, i) => {
      if (item.fallback && isNoScript(replies[i])) retry.push(i);
    });
    if (retry.length > 0) {
      const again = await this.pool.send(retry.map((i) => runnable[i]!.fallback!));
      retry.forEach((i, n) => {
        replies[i] = again[n]!;
      });
    }

    let next = 0;
    const outcomes = await mapInSlices(prepared, (item) =>
      item.refused !== undefined ? { error: item.refused } : toOutcome(item, replies[next++]!),
    );
    return { outcomes, wrote };
  }

  /**
   * Runs commands atomically. Returns per-command outcomes (runtime errors stay in their slot,
   * as in Redis), or a single `{ error }` when the transaction was not executed at all.
   */
  async transaction(commands: string[][]): Promise<Executed<CommandOutcome[]> | { error: string }> {
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
    if (Array.isArray(exec)) {
      return {
        outcomes: prepared.map((item, i) => toOutcome(item, exec[i]!)),
        wrote: commands.some((command) => this.writes.isWrite(command)),
      };
    }
    const queueError = replies.slice(1, -1).find((reply) => reply instanceof RedisReplyError);
    const reason = exec instanceof RedisReplyError ? exec.message : 'EXECABORT Transaction aborted';
    return { error: queueError instanceof RedisReplyError ? `${reason} (${queueError.message})` : reason };
  }

  /** Writes the commands in slices on one connection, so they run in order; blocking ones get a connection of their own. */
  private async send(items: PreparedCommand[]): Promise<RespValue[]> {
    const isolated = items.some((item) => item.isolated);
    const conn = isolated ? await this.pool.dedicated() : await this.pool.shared();
    try {
      const slices: Promise<RespValue[]>[] = [];
      for (let start = 0; start < items.length; start += SLICE_SIZE) {
        if (start > 0) await yieldToEventLoop();
        const slice = conn.send(items.slice(start, start + SLICE_SIZE).map((item) => item.send));
        slice.catch(() => {}); // observed by Promise.all below; this only keeps a dropped connection from crashing the process meanwhile
        slices.push(slice);
      }
      const replies = await Promise.all(slices);
      return replies.length === 1 ? replies[0]! : replies.flat();
    } finally {
      if (isolated) conn.close();
    }
  }
}

function isNoScript(reply: RespValue | undefined): boolean {
  return reply instanceof RedisReplyError && reply.message.startsWith('NOSCRIPT');
}

function toOutcome(item: PreparedCommand, reply: RespValue): CommandOutcome {
  if (reply instanceof RedisReplyError) return { error: reply.message };
  return { result: item.finish ? item.finish(reply) : reply };
}
