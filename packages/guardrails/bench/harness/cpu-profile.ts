import type { Profiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';

/** Self time of one function (by name and file) in a profile, in microseconds. */
export interface FunctionCost {
  name: string;
  file: string;
  selfUs: number;
}

const REPO_ROOT = /^.*?\/packages\/guardrails\//;

/** `src/guard/keys.ts`, `@trpc/server/dist/…`, `node:internal/…`: short enough for a table. */
export function shortFile(url: string): string {
  const path = url.replace(/^file:\/\//, '').replace(/\?.*$/, '');
  const dependency = path.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/);
  if (dependency) return `${dependency[1]}/${dependency[2]}`;
  if (REPO_ROOT.test(path)) return path.replace(REPO_ROOT, '');
  return path || '(native)';
}

/**
 * Samples the CPU while `work` runs (this process, `node:inspector`), every `intervalUs`.
 * @example const profile = await cpuProfile(() => runCalls(10_000));
 */
export async function cpuProfile(work: () => Promise<void>, intervalUs = 50): Promise<Profiler.Profile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    await work();
    const { profile } = await session.post('Profiler.stop');
    return profile;
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}

/** Self time per function (name + file), summed over every node of the call tree. */
export function selfTimes(profile: Profiler.Profile): Map<string, FunctionCost> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const costs = new Map<string, FunctionCost>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = nodes.get(samples[i]!);
    if (!node) continue;
    // A sample stands for the time until the next one.
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    const name = node.callFrame.functionName || '(anonymous)';
    const file = shortFile(node.callFrame.url);
    const key = `${name}\n${file}`;
    const cost = costs.get(key) ?? { name, file, selfUs: 0 };
    cost.selfUs += us;
    costs.set(key, cost);
  }
  costs.delete('(idle)\n(native)');
  return costs;
}

/**
 * Where a guarded call's extra CPU goes: self time per call in `guarded` minus the same
 * function's in `baseline` (the unguarded call, same number of calls), largest first.
 */
export function extraCosts(
  guarded: Profiler.Profile,
  baseline: Profiler.Profile,
  calls: number,
): { name: string; file: string; usPerCall: number }[] {
  const base = selfTimes(baseline);
  return [...selfTimes(guarded)]
    .map(([key, cost]) => ({
      name: cost.name,
      file: cost.file,
      usPerCall: (cost.selfUs - (base.get(key)?.selfUs ?? 0)) / calls,
    }))
    .sort((a, b) => b.usPerCall - a.usPerCall);
}

/** Total sampled time per call, for scale: what the profile saw of one call. */
export function totalUsPerCall(profile: Profiler.Profile, calls: number): number {
  let total = 0;
  for (const cost of selfTimes(profile).values()) total += cost.selfUs;
  return total / calls;
}
