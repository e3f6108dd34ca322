/**
 * A durable call ran, but fewer replicas than required acknowledged its write before `WAIT`
 * timed out (or `WAIT` itself failed). The write is on the master and may still replicate, or
 * be lost if the master dies first: an outcome as unknown as a timeout's. A runner answers this
 * in place of the call's reply, which it keeps: the store decides whether the write mattered
 * (an acquired claim, a stored outcome) or not (a replay, a fenced complete wrote nothing).
 */
export class ReplicaShortfall extends Error {
  constructor(
    /** What the script answered on the master. */
    readonly reply: unknown,
    readonly acknowledged: number,
    readonly required: number,
    timeoutMs: number,
    cause?: unknown,
  ) {
    super(
      cause === undefined
        ? `WAIT: ${acknowledged} of ${required} replica(s) acknowledged the write within ${timeoutMs} ms`
        : `WAIT failed (${cause instanceof Error ? cause.message : String(cause)}); the write may not be on ${required} replica(s)`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'ReplicaShortfall';
  }
}
