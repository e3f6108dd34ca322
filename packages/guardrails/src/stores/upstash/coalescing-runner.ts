import { type CoalescingOptions, coalesceCalls } from '../lua/coalesce-calls.js';
import type { ScriptCall, ScriptRunner } from '../lua/script-store.js';
import { isNoScript, type UpstashRedisClient } from './redis-client.js';

/**
 * @internal Runs script calls as `EVALSHA`s in pipeline requests, sending the calls of concurrent
 * guard calls together (see {@link coalesceCalls}): under load, the checks of many HTTP requests
 * cost one store request instead of one each, and the HTTP client's CPU with it. Scripts Redis
 * does not know yet (`NOSCRIPT`) are sent again with their source, in one request.
 */
export function coalescingRunner(redis: UpstashRedisClient, options: CoalescingOptions = {}): ScriptRunner {
  return { topology: 'single', run: coalesceCalls((calls) => runPipeline(redis, calls), options) };
}

/** One pipeline of `EVALSHA`s; those that meet `NOSCRIPT` again as `EVAL`s, in a second one. */
async function runPipeline(redis: UpstashRedisClient, calls: readonly ScriptCall[]): Promise<unknown[]> {
  const first = await exec(redis, calls, (pipeline, call) =>
    pipeline.evalsha(call.script.sha1, [...call.keys], [...call.args]),
  );
  const replies = first.map(toReply);
  const unknownScripts = first.flatMap((reply, index) =>
    reply.error && isNoScript(reply.error) ? [index] : [],
  );
  if (unknownScripts.length === 0) return replies;
  const second = await exec(
    redis,
    unknownScripts.map((index) => calls[index]!),
    (pipeline, call) => pipeline.eval(call.script.script, [...call.keys], [...call.args]),
  );
  unknownScripts.forEach((index, at) => {
    replies[index] = toReply(second[at]!);
  });
  return replies;
}

type Pipeline = ReturnType<UpstashRedisClient['pipeline']>;
interface PipelineReply {
  error?: string;
  result?: unknown;
}

async function exec(
  redis: UpstashRedisClient,
  calls: readonly ScriptCall[],
  add: (pipeline: Pipeline, call: ScriptCall) => void,
): Promise<PipelineReply[]> {
  const pipeline = redis.pipeline();
  for (const call of calls) add(pipeline, call);
  return (await pipeline.exec({ keepErrors: true })) as PipelineReply[];
}

function toReply(reply: PipelineReply): unknown {
  return reply.error ? new Error(reply.error) : reply.result;
}
