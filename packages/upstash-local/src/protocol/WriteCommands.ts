import type { RedisPool } from '../resp/RedisPool.js';
import { RedisReplyError } from '../resp/RedisReplyError.js';
import type { RespValue } from '../resp/RespValue.js';

/**
 * Subcommands that change what later commands see without a `write` flag: after SCRIPT LOAD or
 * SCRIPT FLUSH, an EVALSHA on a lagging replica would get the wrong answer.
 */
const ALWAYS_WRITES = new Set(['script|load', 'script|flush']);

/**
 * Which commands write, as the Redis behind the gateway describes them in `COMMAND` (fetched
 * once at start-up, so modules and newer Redis versions are covered without a table to maintain).
 *
 * A command writes when Redis flags it `write`, or when it is not `readonly` and takes keys it
 * cannot declare up front (`movablekeys`): that catches EVAL, EVALSHA and FCALL, which Redis
 * leaves unflagged because their scripts decide, while EVAL_RO, FCALL_RO and PFCOUNT stay reads.
 * Commands Redis does not list (a module loaded later, a typo) count as writes: a token issued
 * needlessly costs nothing, a write without one breaks read-your-writes.
 *
 * @example
 * const writes = await WriteCommands.load(pool);
 * writes.isWrite(['SET', 'k', 'v']); // true
 * writes.isWrite(['config', 'get', 'maxmemory']); // false
 */
export class WriteCommands {
  private constructor(
    /** Lower-case name (`get`, `config|set`) → writes. */
    private readonly byName: ReadonlyMap<string, boolean>,
    /** Commands with subcommands (`config`, `xgroup`), looked up as `name|sub`. */
    private readonly containers: ReadonlySet<string>,
  ) {}

  /**
   * Reads `COMMAND` from Redis. If Redis refuses it (renamed, or denied by an ACL), every command
   * counts as a write and `onFallback` says so; a Redis that cannot be reached still rejects.
   */
  static async load(pool: RedisPool, onFallback?: (reason: string) => void): Promise<WriteCommands> {
    const [reply] = await pool.send([['COMMAND']]);
    if (!Array.isArray(reply)) {
      const reason = reply instanceof RedisReplyError ? reply.message : 'an unexpected reply';
      onFallback?.(
        `[upstash-local] Redis answered COMMAND with ${reason}; every command now counts as a write for upstash-sync-token.`,
      );
      return new WriteCommands(new Map(), new Set());
    }
    const byName = new Map<string, boolean>();
    const containers = new Set<string>();
    const add = (entry: RespValue): void => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[2])) return;
      const name = entry[0].toLowerCase();
      const flags = entry[2];
      byName.set(
        name,
        flags.includes('write') || (!flags.includes('readonly') && flags.includes('movablekeys')),
      );
      // Redis 7 lists subcommands (`config|set`) in element 9; Redis 6 has no such element.
      const subcommands = entry[9];
      if (Array.isArray(subcommands) && subcommands.length > 0) {
        containers.add(name);
        for (const sub of subcommands) add(sub);
      }
    };
    for (const entry of reply) add(entry);
    return new WriteCommands(byName, containers);
  }

  /** True when the command may change data, so its response must carry a new sync token. */
  isWrite(command: readonly string[]): boolean {
    const name = command[0]!.toLowerCase();
    const sub = command[1] === undefined ? undefined : `${name}|${command[1].toLowerCase()}`;
    if (sub !== undefined && ALWAYS_WRITES.has(sub)) return true;
    if (sub !== undefined && this.containers.has(name)) {
      const known = this.byName.get(sub);
      if (known !== undefined) return known;
    }
    return this.byName.get(name) ?? true;
  }
}
