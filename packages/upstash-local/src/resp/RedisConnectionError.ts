/** Redis could not be reached or the connection dropped; the HTTP layer turns it into a 500. */
export class RedisConnectionError extends Error {
  override readonly name = 'RedisConnectionError';
}
