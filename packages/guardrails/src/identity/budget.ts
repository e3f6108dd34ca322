/**
 * Fixed limits on the work one `clientAddress` call does on request data, whatever the client
 * sends: forwarding headers are read from the right, so the entries our own proxies appended are
 * read first and the budget only ever cuts off the client-written left part.
 */

/** @internal The limits; tests derive their bounds from these numbers. */
export const BUDGET = {
  /** Characters read from the end of one forwarding header (`X-Forwarded-For`, `Forwarded`). */
  headerChars: 4096,
  /** Entries of one forwarding header examined, from the right; also the largest hop count. */
  hops: 32,
  /** Longest text taken as one node: an IPv6 with an IPv4 tail, a zone id, brackets and a port. */
  nodeChars: 100,
  /** Longest zone id (`%eth0`) kept apart from the address; Linux interface names have ≤ 15. */
  zoneChars: 32,
  /** Header names compared case-insensitively when a plain header object has no lowercase key. */
  headerKeys: 256,
} as const;

/** @internal Counts work done on request data, so a test can prove the budget holds. */
export interface WorkMeter {
  /** Characters examined (scanned, split or parsed). */
  chars: number;
  /** Forwarding-header entries examined. */
  hops: number;
  /** Header names compared. */
  keys: number;
}

/** @internal A fresh meter. */
export function workMeter(): WorkMeter {
  return { chars: 0, hops: 0, keys: 0 };
}
