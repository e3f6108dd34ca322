import type { ParsedIp } from './parse-ip.js';

/**
 * The canonical text of an address: dotted decimal for IPv4; for IPv6 the RFC 5952 §4 form —
 * lowercase hex, no leading zeros, the longest run of two or more zero groups (the first on a tie)
 * written `::`. Embedded IPv4 stays hex (`64:ff9b::c000:201`), as WHATWG URL serializes it, so each
 * address has exactly one text.
 */
export function formatIp(ip: ParsedIp): string {
  if (ip.version === 4) return ip.parts.join('.');
  const words = ip.parts;
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < words.length; ) {
    if (words[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < words.length && words[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = (slice: readonly number[]) => slice.map((word) => word.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}
