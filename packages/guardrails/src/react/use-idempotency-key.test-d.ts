/**
 * Type tests of `useIdempotencyKey`, checked by `tsc` (`pnpm typecheck`). A line that must not
 * compile carries `@ts-expect-error`.
 */
import { expectTypeOf } from 'vitest';
import { type IdempotencyKeyOptions, type IdempotencyKeyState, useIdempotencyKey } from './index.js';

expectTypeOf<IdempotencyKeyOptions>().toEqualTypeOf<{ initialKey?: string | undefined }>();

export function PayForm({ serverKey }: { serverKey: string | undefined }) {
  expectTypeOf(useIdempotencyKey()).toEqualTypeOf<IdempotencyKeyState>();
  expectTypeOf(useIdempotencyKey({ initialKey: 'from-the-server' })).toEqualTypeOf<IdempotencyKeyState>();
  // A key that may be absent (a page rendered without one) is fine: the hook then makes one.
  const { key, rotate } = useIdempotencyKey({ initialKey: serverKey });
  expectTypeOf(key).toEqualTypeOf<string>();
  expectTypeOf(rotate).toEqualTypeOf<() => void>();

  // @ts-expect-error the key is a string (createIdempotencyKey() on the server)
  useIdempotencyKey({ initialKey: 42 });
  // @ts-expect-error options are an object, not the key itself
  useIdempotencyKey('from-the-server');
  // @ts-expect-error an unknown option
  useIdempotencyKey({ key: 'from-the-server' });
  return key;
}
