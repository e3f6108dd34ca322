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
  claim: { name: 'claim', script: CLAIM_SCRIPT, sha1: 'c25c755425478b2385eecfdcfd06bcb38a3ee37f' },
  complete: { name: 'complete', script: COMPLETE_SCRIPT, sha1: '003294da47b9537f76322597b7844b011351080f' },
  extend: { name: 'extend', script: EXTEND_SCRIPT, sha1: '831eeb0edd84b5ad8f5fe227a1e7148ed6d9d591' },
  release: { name: 'release', script: RELEASE_SCRIPT, sha1: '1cdeb5fc7a5efab6d52caafdd8f6a7981eed0235' },
} as const satisfies Record<string, RegisteredScript>;
