/**
 * Read-your-writes tokens, carried in the `upstash-sync-token` header.
 *
 * On Upstash a token names a replication state: the client stores the one each response brings
 * (a response without the header resets it to ""), sends it with its next request, and a replica
 * serving a read first catches up to it. Here one Redis serves everything and a write's token is
 * issued only after Redis answered the write, so any read that carries it already sees that write:
 * honouring a token never has to wait. Tokens the gateway did not issue are ignored.
 *
 * Tokens are decimal counters, one sequence per gateway: a response to a request that wrote gets
 * the next one, any other response the latest one. So a client's token never goes back, and only
 * writes (its own or other clients') move it forward.
 *
 * @example
 * const tokens = new SyncTokens();
 * tokens.current(); // '0'
 * tokens.afterWrite(); // '1'
 * tokens.current(); // '1'
 */
export class SyncTokens {
  private last = 0;

  /** A new token for the response of a request that wrote. */
  afterWrite(): string {
    this.last++;
    return String(this.last);
  }

  /** The latest token, for responses that did not write. */
  current(): string {
    return String(this.last);
  }
}
