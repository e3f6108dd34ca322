/** Script flags Redis 7 understands; any other flag makes it reject the script. */
const REDIS_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

/**
 * Makes an Upstash-flavoured Lua script acceptable to plain Redis 7.
 *
 * Upstash scripts (e.g. @upstash/ratelimit ≥ 2.2) start with `#!lua flags=allow-key-locking`, a flag
 * only Upstash knows. Unknown flags are removed; if none remain the shebang line is blanked, because
 * a script without a shebang keeps Redis' legacy semantics, which is what those scripts are written for.
 * The line is blanked rather than deleted so Lua error line numbers still match the original.
 *
 * @example
 * rewriteScriptFlags('#!lua flags=allow-key-locking\nreturn 1'); // '\nreturn 1'
 * rewriteScriptFlags('#!lua flags=no-writes,allow-key-locking\nreturn 1'); // '#!lua flags=no-writes\nreturn 1'
 */
export function rewriteScriptFlags(script: string): string {
  if (!script.startsWith('#!')) return script;
  const lineEnd = script.indexOf('\n');
  const shebang = lineEnd === -1 ? script : script.slice(0, lineEnd);
  const rest = lineEnd === -1 ? '' : script.slice(lineEnd);
  const [engine = '', ...params] = shebang.slice(2).trim().split(/\s+/);

  let changed = false;
  const kept: string[] = [];
  for (const param of params) {
    if (!param.startsWith('flags=')) {
      kept.push(param);
      continue;
    }
    const flags = param.slice('flags='.length).split(',').filter(Boolean);
    const known = flags.filter((flag) => REDIS_FLAGS.has(flag));
    if (known.length === flags.length) {
      kept.push(param);
      continue;
    }
    changed = true;
    if (known.length > 0) kept.push(`flags=${known.join(',')}`);
  }
  if (!changed) return script;
  if (kept.length === 0) return rest;
  return `#!${engine} ${kept.join(' ')}${rest}`;
}
