import { describe, expect, it } from 'vitest';
import { rewriteScriptFlags } from './rewriteScriptFlags.js';

describe('rewriteScriptFlags', () => {
  it('blanks a shebang whose only flags are unknown, keeping line numbers', () => {
    expect(rewriteScriptFlags('#!lua flags=allow-key-locking\nreturn 1')).toBe('\nreturn 1');
    expect(rewriteScriptFlags('#!lua flags=allow-key-locking')).toBe('');
  });

  it('keeps the flags Redis 7 knows', () => {
    expect(rewriteScriptFlags('#!lua flags=no-writes,allow-key-locking\nreturn 1')).toBe(
      '#!lua flags=no-writes\nreturn 1',
    );
    expect(rewriteScriptFlags('#!lua flags=allow-oom,allow-stale,no-cluster\nreturn 1')).toBe(
      '#!lua flags=allow-oom,allow-stale,no-cluster\nreturn 1',
    );
  });

  it('leaves scripts without a shebang, or with only known flags, untouched', () => {
    expect(rewriteScriptFlags('return 1')).toBe('return 1');
    expect(rewriteScriptFlags('#!lua\nreturn 1')).toBe('#!lua\nreturn 1');
    expect(rewriteScriptFlags('#!lua flags=no-writes\nreturn 1')).toBe('#!lua flags=no-writes\nreturn 1');
  });
});
