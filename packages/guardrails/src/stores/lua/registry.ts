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
    peekLimit: 'c24e682569e799bdcc2f78e4ab437a2582271d33',
    resetLimit: '5dcd8944e2299aa683ae2abd5b7ed6113e05db73',
    check: 'aa7ae2d197c1ae99c2dadde0959b3e5ab677267a',
    refund: 'df5fb6fbdc453b8b60eb65d1708d16040a6e545b',
    complete: 'dde47eea34429627fe7c95c07f8de2e1ea81f3e2',
    extend: '82cd297d97818987189484fff19f0708d278bc31',
    release: '1cdeb5fc7a5efab6d52caafdd8f6a7981eed0235',
  },
  redis: {
    inspect: '509c688558b878e35034f38d585606a67146204c',
    evict: 'bdea16413e8c33867ef48f4c53e15deef1f1de64',
    peekLimit: '1b9e255000f4a2d642532ffdc5cb0e39c03640d9',
    resetLimit: '8a13a18bd8eb95c5330493f0d2085aa9bc84a32d',
    check: '1572dd3c4d3096ffeb10d6001cc4bcc3af40ca4e',
    refund: 'a726a29bfe012f8f91762a721a0a1a8f113e2b14',
    complete: '76d3ce2081593e6495429421da4054b3888b22e2',
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
