import { GuardrailsConfigError } from '../errors.js';

/**
 * How to name a procedure that has no router path. `experimental_nextAppDirCaller` calls every
 * Server Action with the path `''` unless it is given a `pathExtractor`.
 */
const HOW_TO_NAME =
  "A Server Action called through experimental_nextAppDirCaller has no path: give the caller `pathExtractor: ({ meta }) => meta.path` and name each procedure with `.meta({ path: 'checkout.pay' })` (with `initTRPC.meta<{ path?: string }>()`)";

/**
 * @internal Refuses a call whose path is empty where the path names what the call writes: an
 * idempotency record (scoped by path) or a procedure's own rate-limit bucket. Unnamed procedures
 * would share one namespace, so one action could replay another's result.
 */
export function assertNamedPath(path: string, what: 'idempotent' | 'own-bucket'): void {
  if (typeof path === 'string' && path !== '') return;
  const why =
    what === 'idempotent'
      ? 'an .idempotent() procedure was called with an empty path, so its records would share one namespace with every other unnamed procedure (one could replay the result of another)'
      : 'a .rateLimited({ limiter }) procedure was called with an empty path, so its own bucket would be shared with every other unnamed procedure (or name the bucket: .rateLimited(scope, { limiter, bucket }))';
  throw new GuardrailsConfigError(`${why}. ${HOW_TO_NAME}.`);
}
