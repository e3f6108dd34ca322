import { rewriteScriptFlags } from './rewriteScriptFlags.js';
import { sha1 } from './sha1.js';

/** A script as Redis runs it, after {@link rewriteScriptFlags}. */
export interface RewrittenScript {
  /** The script text sent to Redis. */
  script: string;
  /** SHA-1 of `script`, the name Redis knows it by. */
  sha: string;
}

/**
 * Remembers which scripts were rewritten, keyed by the SHA-1 of the client's original text, so an
 * EVALSHA with the client's sha (what @upstash/ratelimit sends) can run the rewritten script.
 *
 * @example
 * const scripts = new ScriptRegistry();
 * const { clientSha, script } = scripts.register('#!lua flags=allow-key-locking\nreturn 1');
 * scripts.lookup(clientSha); // { script: '\nreturn 1', sha: '...' }
 */
export class ScriptRegistry {
  private readonly byClientSha = new Map<string, RewrittenScript>();

  /** Rewrites a script and records the mapping when the text changed. */
  register(original: string): RewrittenScript & { clientSha: string } {
    const clientSha = sha1(original);
    const known = this.byClientSha.get(clientSha);
    if (known) return { clientSha, ...known };
    const script = rewriteScriptFlags(original);
    const rewritten = { script, sha: script === original ? clientSha : sha1(script) };
    // Unchanged scripts need no mapping: Redis already knows them by the client's sha.
    if (script !== original) this.byClientSha.set(clientSha, rewritten);
    return { clientSha, ...rewritten };
  }

  /** The rewritten script for a client sha, if this gateway rewrote it. */
  lookup(clientSha: string): RewrittenScript | undefined {
    return this.byClientSha.get(clientSha.toLowerCase());
  }
}
