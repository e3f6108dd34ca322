import type { Limiter } from '../rate-limit/algorithms.js';
import type { LimitRequest } from './types.js';

const TAGS: Record<Limiter['algorithm'], string> = {
  'fixed-window': 'fw',
  'sliding-window': 'sw',
  'token-bucket': 'tb',
};

/**
 * The one key a limit keeps its state in. The algorithm is part of it because the state's shape
 * depends on it (a limiter chosen per call may switch algorithms); the window length is not, so
 * a caller moved to a bigger plan keeps what it used.
 */
export function limitKey({
  prefix,
  identifier,
  limiter,
}: Pick<LimitRequest, 'prefix' | 'identifier' | 'limiter'>): string {
  return `${prefix}:${identifier}:${TAGS[limiter.algorithm]}`;
}

/** The keys of one identifier under every algorithm (they share its hash tag, so one slot). */
export function limitKeys({ prefix, identifier }: Pick<LimitRequest, 'prefix' | 'identifier'>): string[] {
  return Object.values(TAGS).map((tag) => `${prefix}:${identifier}:${tag}`);
}
