import { BUDGET, type WorkMeter } from './budget.js';

/** The right end of a comma-separated header, read within the budget. */
export interface ListTail {
  /** Non-empty elements, trimmed, rightmost first. Each is whole: never a cut-off piece. */
  elements: string[];
  /** `false` when the budget ended before the start of the value: more elements lie to the left. */
  complete: boolean;
}

/**
 * Splits a comma-separated header value from the RIGHT, reading at most `BUDGET.headerChars`
 * characters and returning at most `BUDGET.hops` elements. Reading from the right matters twice:
 * the entries our own proxies appended come first, and nothing a client writes further left — an
 * unclosed quote, 10,000 commas — can change how they are split. With `quotes`, commas inside
 * RFC 7230 quoted strings do not split (for `Forwarded`). Empty elements are skipped (RFC 7230 §7).
 */
export function listTail(value: string, quotes: boolean, meter: WorkMeter): ListTail {
  const elements: string[] = [];
  const stop = Math.max(0, value.length - BUDGET.headerChars);
  let end = value.length;
  let inQuote = false;
  for (let index = value.length - 1; index >= stop; index--) {
    meter.chars++;
    const char = value.charCodeAt(index);
    if (quotes && char === QUOTE) {
      if (!inQuote) inQuote = true;
      else if (!isEscaped(value, index, stop, meter)) inQuote = false;
      continue;
    }
    if (char !== COMMA || inQuote) continue;
    if (push(elements, value.slice(index + 1, end), meter) && elements.length === BUDGET.hops) {
      return { elements, complete: false };
    }
    end = index;
  }
  if (stop > 0) return { elements, complete: false };
  push(elements, value.slice(0, end), meter);
  return { elements, complete: true };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;

/** A quote inside a quoted string is escaped when an odd number of backslashes precede it. */
function isEscaped(value: string, index: number, stop: number, meter: WorkMeter): boolean {
  let count = 0;
  for (let before = index - 1; before >= stop && value.charCodeAt(before) === BACKSLASH; before--) {
    meter.chars++;
    count++;
  }
  return count % 2 === 1;
}

function push(elements: string[], raw: string, meter: WorkMeter): boolean {
  meter.chars += raw.length;
  const element = raw.trim();
  if (element === '') return false;
  meter.hops++;
  elements.push(element);
  return true;
}
