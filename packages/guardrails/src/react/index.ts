export { type IdempotencyKeyState, useIdempotencyKey } from './use-idempotency-key.js';
