import { describe, expect, it } from 'vitest';
import { routeCommand } from './commandPolicy.js';

describe('routeCommand', () => {
  it('shares ordinary commands, case-insensitively', () => {
    expect(routeCommand(['get', 'k'])).toEqual({ kind: 'shared' });
    expect(routeCommand(['XREAD', 'STREAMS', 's', '0'])).toEqual({ kind: 'shared' });
  });

  it('isolates blocking commands with a timeout and refuses those without', () => {
    expect(routeCommand(['BLPOP', 'a', 'b', '1'])).toEqual({ kind: 'isolated' });
    expect(routeCommand(['BLMPOP', '0.5', '1', 'a', 'LEFT'])).toEqual({ kind: 'isolated' });
    expect(routeCommand(['xread', 'block', '100', 'STREAMS', 's', '$'])).toEqual({ kind: 'isolated' });
    expect(routeCommand(['BRPOP', 'a', '0'])).toMatchObject({ kind: 'refused' });
    expect(routeCommand(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'])).toMatchObject({
      kind: 'refused',
    });
  });

  it('refuses connection-state and never-returning commands', () => {
    for (const name of [
      'subscribe',
      'MONITOR',
      'select',
      'AUTH',
      'QUIT',
      'SHUTDOWN',
      'MULTI',
      'EXEC',
      'WATCH',
    ]) {
      expect(routeCommand([name, 'x']).kind, name).toBe('refused');
    }
  });
});
