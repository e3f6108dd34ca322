/**
 * An error reply from Redis (`-ERR ...`). It is a value, not a thrown error, because inside
 * an EXEC or pipeline reply it sits next to successful results and must be reported per item.
 */
export class RedisReplyError {
  constructor(readonly message: string) {}
}
