import { GuardrailsConfigError } from './errors.js';

/** Units understood in duration strings, as in `@upstash/ratelimit`. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

/**
 * A duration such as `'500 ms'`, `'10 s'`, `'1 m'`, `'24 h'` or `'7 d'` — the same strings
 * `@upstash/ratelimit` accepts.
 */
export type Duration = `${number} ${DurationUnit}` | `${number}${DurationUnit}`;

const MS_PER_UNIT: Record<DurationUnit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?) ?(ms|s|m|h|d)$/;

/**
 * Turns a {@link Duration} into milliseconds.
 * @param what names the option in the error message, e.g. `scopes.ip.limiter window`.
 */
export function parseDuration(duration: unknown, what: string): number {
  if (typeof duration !== 'string') {
    throw new GuardrailsConfigError(
      `${what} must be a duration string such as '10 s' or '500 ms', got ${describe(duration)}`,
    );
  }
  const match = DURATION_PATTERN.exec(duration.trim());
  if (!match) {
    throw new GuardrailsConfigError(
      `${what} "${duration}" is not a duration; write a number and a unit (ms, s, m, h, d), e.g. '10 s'`,
    );
  }
  const milliseconds = Math.round(Number(match[1]) * MS_PER_UNIT[match[2] as DurationUnit]);
  if (milliseconds < 1) {
    throw new GuardrailsConfigError(`${what} "${duration}" is shorter than 1 ms; use a longer duration`);
  }
  return milliseconds;
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
