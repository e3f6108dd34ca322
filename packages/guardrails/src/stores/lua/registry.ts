import { CHECK_SCRIPT, REFUND_SCRIPT } from './check.js';
import { COMPLETE_SCRIPT, EXTEND_SCRIPT, RELEASE_SCRIPT } from './idempotency.js';

/** A Lua script with its SHA-1, so a known script costs one `EVALSHA`. */
export interface RegisteredScript {
  readonly name: ScriptName;
  readonly script: string;
  readonly sha1: string;
}

export type ScriptName = 'check' | 'refund' | 'complete' | 'extend' | 'release';

const SOURCES: Record<ScriptName, string> = {
  check: CHECK_SCRIPT,
  refund: REFUND_SCRIPT,
  complete: COMPLETE_SCRIPT,
  extend: EXTEND_SCRIPT,
  release: RELEASE_SCRIPT,
};

/**
 * Upstash runs scripts flagged `allow-key-locking` concurrently with others that touch other
 * keys; plain Redis (and Valkey) refuse that flag, and Redis 6 any shebang at all. So each
 * script exists twice. SHAs are precomputed (Web Crypto has no sync SHA-1, and this must run at
 * the edge); a test checks each one against `SCRIPT LOAD`.
 */
const UPSTASH_SHEBANG = '#!lua flags=allow-key-locking';

const SHA1 = {
  upstash: {
    check: '7f0e7eed342c3c56ac42eab95dddc689936551f8',
    refund: '5b302cf6d86d7c767409c92cfbe10978d1b85f9a',
    complete: '003294da47b9537f76322597b7844b011351080f',
    extend: '831eeb0edd84b5ad8f5fe227a1e7148ed6d9d591',
    release: '1cdeb5fc7a5efab6d52caafdd8f6a7981eed0235',
  },
  redis: {
    check: 'b2522c667606c63be26ccd3ce449d69123d4dd0d',
    refund: 'b98d2904a7dd9b073ad23de225f0e6fcb814f4e5',
    complete: 'ab6cafe0fe8ba7fd80356e15ead73e21f7d4b68b',
    extend: '36fae21774310c80022d9addbb5989b555923a54',
    release: 'de753b5034ad2690edc9ad28afad55753a2b35b4',
  },
} as const satisfies Record<'upstash' | 'redis', Record<ScriptName, string>>;

function register(dialect: 'upstash' | 'redis'): Record<ScriptName, RegisteredScript> {
  const scripts = {} as Record<ScriptName, RegisteredScript>;
  for (const name of Object.keys(SOURCES) as ScriptName[]) {
    const body = SOURCES[name].trimStart();
    const script = dialect === 'upstash' ? `${UPSTASH_SHEBANG}\n${body}` : body;
    scripts[name] = { name, script, sha1: SHA1[dialect][name] };
  }
  return scripts;
}

/** The scripts as the Upstash store sends them. */
export const UPSTASH_SCRIPTS = register('upstash');

/** The scripts as the Redis store sends them: no shebang, for Redis >= 6.2 and Valkey. */
export const REDIS_SCRIPTS = register('redis');
