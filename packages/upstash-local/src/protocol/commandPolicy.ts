/**
 * Commands refused over HTTP, with the reason. They either change the state of a pooled
 * connection that other requests share, never return, or stop the server.
 */
export const REFUSED_COMMANDS: Readonly<Record<string, string>> = {
  SUBSCRIBE: 'subscribe with POST /subscribe/<channel> (redis.subscribe()), a server-sent event stream',
  PSUBSCRIBE: 'subscribe with POST /psubscribe/<pattern> (redis.psubscribe()), a server-sent event stream',
  SSUBSCRIBE: 'sharded Pub/Sub has no REST endpoint; use POST /subscribe/<channel>',
  UNSUBSCRIBE: 'close the /subscribe stream (subscriber.unsubscribe()) instead',
  PUNSUBSCRIBE: 'close the /psubscribe stream (subscriber.unsubscribe()) instead',
  SUNSUBSCRIBE: 'sharded Pub/Sub has no REST endpoint',
  MONITOR: 'MONITOR never returns; run redis-cli monitor against the redisUrl instead',
  SYNC: 'replication commands are not supported over HTTP',
  PSYNC: 'replication commands are not supported over HTTP',
  REPLICAOF: 'replication commands are not supported over HTTP',
  SLAVEOF: 'replication commands are not supported over HTTP',
  FAILOVER: 'replication commands are not supported over HTTP',
  SELECT: 'the connection is shared; put the database in redisUrl (redis://host:port/2) instead',
  AUTH: 'the gateway authenticates with the Bearer token; put Redis credentials in redisUrl instead',
  HELLO: 'the gateway speaks RESP2 to Redis; protocol switches would break the shared connection',
  RESET: 'the connection is shared with other requests',
  CLIENT: 'the connection is shared with other requests',
  QUIT: 'HTTP requests have no connection to quit',
  SHUTDOWN: 'stop the gateway (stop() or Ctrl-C) instead',
  MULTI: 'send the transaction to /multi-exec instead',
  EXEC: 'send the transaction to /multi-exec instead',
  DISCARD: 'send the transaction to /multi-exec instead',
  WATCH: 'WATCH needs a dedicated connection; it is not supported over HTTP',
  UNWATCH: 'WATCH needs a dedicated connection; it is not supported over HTTP',
};

/** Where the timeout argument of each blocking command sits: an index, or a finder for option-style commands. */
const TIMEOUT_ARG: Readonly<Record<string, number | ((args: readonly string[]) => number)>> = {
  BLPOP: -1,
  BRPOP: -1,
  BRPOPLPUSH: -1,
  BLMOVE: -1,
  BZPOPMIN: -1,
  BZPOPMAX: -1,
  BLMPOP: 1,
  BZMPOP: 1,
  WAIT: -1,
  WAITAOF: -1,
  XREAD: (args) => optionValueIndex(args, 'BLOCK'),
  XREADGROUP: (args) => optionValueIndex(args, 'BLOCK'),
};

/** What the gateway does with a command. */
export type CommandRoute = { kind: 'shared' } | { kind: 'isolated' } | { kind: 'refused'; error: string };

/**
 * Decides how a command may run. Blocking commands with a timeout get their own short-lived
 * connection so they cannot stall others; blocking forever (timeout 0) would pin an HTTP request
 * and a connection indefinitely, so it is refused.
 *
 * @example
 * routeCommand(['GET', 'k']); // { kind: 'shared' }
 * routeCommand(['BLPOP', 'q', '1']); // { kind: 'isolated' }
 * routeCommand(['BLPOP', 'q', '0']); // { kind: 'refused', error: '...' }
 */
export function routeCommand(command: readonly string[]): CommandRoute {
  const name = command[0]!.toUpperCase();
  const refused = REFUSED_COMMANDS[name];
  if (refused) return { kind: 'refused', error: `ERR [upstash-local] ${name} is not supported: ${refused}.` };
  const where = TIMEOUT_ARG[name];
  if (where === undefined) return { kind: 'shared' };
  const index = typeof where === 'function' ? where(command) : where < 0 ? command.length + where : where;
  if (index < 1 || index >= command.length) return { kind: 'shared' };
  const timeout = Number(command[index]);
  if (timeout === 0) {
    return {
      kind: 'refused',
      error: `ERR [upstash-local] ${name} with timeout 0 would block forever; pass a positive timeout.`,
    };
  }
  return { kind: 'isolated' };
}

function optionValueIndex(args: readonly string[], option: string): number {
  const at = args.findIndex((arg, i) => i > 0 && arg.toUpperCase() === option);
  return at === -1 ? -1 : at + 1;
}
