import { describe, expect, it, vi } from 'vitest';
import { clientAddress } from './client-address.js';
import type { IdentityWarning } from './identity-warning.js';
import { nodeRequest, withWarnings } from './testing-requests.js';

describe('warnings', () => {
  it('reach console.warn once per cause by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i++) clientAddress(nodeRequest('203.0.113.9', { 'x-forwarded-for': '1.1.1.1' }));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/^\[trpc-guardrails\] .*\(forwarded-header-untrusted\)$/);
    } finally {
      warn.mockRestore();
    }
  });

  it('are plain data, and a throwing handler does not fail the call', () => {
    const onWarning = vi.fn(() => {
      throw new Error('logger down');
    });
    expect(clientAddress(nodeRequest('203.0.113.9', { forwarded: 'for=1.1.1.1' }), { onWarning })).toBe(
      '203.0.113.9',
    );
    const [warning] = onWarning.mock.calls[0] as unknown as [IdentityWarning];
    expect(Object.keys(warning).sort()).toEqual(['cause', 'message']);
    expect(JSON.parse(JSON.stringify(warning))).toEqual(warning);
  });

  it('carry no request data', () => {
    const { options, warnings } = withWarnings({ trustProxy: 1 });
    clientAddress(nodeRequest('10.0.0.2', { 'x-forwarded-for': '<script>, 198.51.100.1' }), {
      ...options,
      trustProxy: 2,
    });
    clientAddress(nodeRequest('10.0.0.2', { 'x-forwarded-for': '<script>' }), options);
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) expect(warning.message).not.toContain('<script>');
  });
});
