/** Counters of a running gateway, see {@link UpstashLocal.stats}. */
export interface GatewayStats {
  /** HTTP requests served on the command endpoints (`POST /`, `/pipeline`, `/multi-exec`); health checks excluded. */
  requests: number;
  /** Commands sent to Redis for clients (a pipeline of 3 counts 3). */
  commands: number;
  /** Requests to `/pipeline`. */
  pipelines: number;
  /** Requests to `/multi-exec`. */
  transactions: number;
  /** Error answers: non-200 responses plus failed items inside 200 pipeline/transaction responses. */
  errors: number;
}

/**
 * A zeroed stats record.
 *
 * @example
 * const stats = createGatewayStats(); stats.requests++;
 */
export function createGatewayStats(): GatewayStats {
  return { requests: 0, commands: 0, pipelines: 0, transactions: 0, errors: 0 };
}
