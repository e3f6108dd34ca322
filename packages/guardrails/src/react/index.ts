export {
  type IdempotencyKeyOptions,
  type IdempotencyKeyState,
  useIdempotencyKey,
} from './use-idempotency-key.js';
