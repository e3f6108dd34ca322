import { EVICT_SCRIPT, INSPECT_SCRIPT, PEEK_LIMIT_SCRIPT, RESET_LIMIT_SCRIPT } from './admin.js';
import { CHECK_SCRIPT, REFUND_SCRIPT } from './check.js';
import { COMPLETE_SCRIPT, EXTEND_SCRIPT, RELEASE_SCRIPT } from './idempotency.js';

/** A Lua script with its SHA-1, so a known script costs one `EVALSHA`. */
export interface RegisteredScript {
  readonly name: ScriptName;
  readonly script: string;
  readonly sha1: string;
}

export type ScriptName =
  | 'check'
  | 'refund'
  | 'complete'
  | 'extend'
  | 'release'
  | 'inspect'
  | 'evict'
  | 'peekLimit'
  | 'resetLimit';

const SOURCES: Record<ScriptName, string> = {
  check: CHECK_SCRIPT,
  refund: REFUND_SCRIPT,
  complete: COMPLETE_SCRIPT,
  extend: EXTEND_SCRIPT,
  release: RELEASE_SCRIPT,
  inspect: INSPECT_SCRIPT,
  evict: EVICT_SCRIPT,
  peekLimit: PEEK_LIMIT_SCRIPT,
  resetLimit: RESET_LIMIT_SCRIPT,
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
    inspect: '9b7d482f32242b8dfba6cc5457677463c7390f44',
    evict: 'fc69609d72706a8dd8e99439526f32a10627fabd',
    peekLimit: '79226f2c4a5abe235f318d01082a8cfff06b8969',
    resetLimit: '5dcd8944e2299aa683ae2abd5b7ed6113e05db73',
    check: '11889f4cb9c11ff45978da91e44947f1ee6e9255',
    refund: 'd527a7c4cc6bdd3be8be1064e9f61646d397ac3b',
    complete: 'eb6a394f2b5940e4a92d03e02ffb0f41030701d3',
    extend: '82cd297d97818987189484fff19f0708d278bc31',
    release: '1cdeb5fc7a5efab6d52caafdd8f6a7981eed0235',
  },
  redis: {
    inspect: '509c688558b878e35034f38d585606a67146204c',
    evict: 'bdea16413e8c33867ef48f4c53e15deef1f1de64',
    peekLimit: '276b5aae4bfb9cdc54cb96c65a8b7380920d25e2',
    resetLimit: '8a13a18bd8eb95c5330493f0d2085aa9bc84a32d',
    check: '597a92b19e54faf0030f5771225eb4243544f028',
    refund: '9d332921105947e0ae35170d9f65a77f5efcc5ff',
    complete: 'b3c004f135b61a0485e6c74791785a4a6052019d',
    extend: 'f55ec8bc2a35d3f4f63b6869560a617b13fb9146',
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
