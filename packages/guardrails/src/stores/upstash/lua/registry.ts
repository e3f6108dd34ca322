import { CLAIM_SCRIPT, COMPLETE_SCRIPT, EXTEND_SCRIPT, RELEASE_SCRIPT } from './idempotency.js';

/** A Lua script with its SHA-1, so a known script costs one `EVALSHA`. */
export interface RegisteredScript {
  readonly name: string;
  readonly script: string;
  readonly sha1: string;
}

/**
 * Every script the Upstash store runs. SHAs are precomputed (Web Crypto has no sync SHA-1, and
 * this must run at the edge); a test checks each one against `SCRIPT LOAD`.
 */
export const SCRIPTS = {
  claim: { name: 'claim', script: CLAIM_SCRIPT, sha1: 'ac79d08573f0eb10aa4e7bc228cc319fec8dedaf' },
  complete: { name: 'complete', script: COMPLETE_SCRIPT, sha1: '451c8dd631c74b2587404f43d17fcba0eb801a64' },
  extend: { name: 'extend', script: EXTEND_SCRIPT, sha1: 'be462f8d30a66850ae5e0c15c85002e98947c4a8' },
  release: { name: 'release', script: RELEASE_SCRIPT, sha1: '1cdeb5fc7a5efab6d52caafdd8f6a7981eed0235' },
} as const satisfies Record<string, RegisteredScript>;
