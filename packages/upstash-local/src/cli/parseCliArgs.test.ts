import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './parseCliArgs.js';

describe('parseCliArgs', () => {
  it('maps every flag to an option', () => {
    const args = ['--port', '8079', '--host', '0.0.0.0', '--token', 't', '--redis-url', 'redis://h:1'];
    args.push('--redis-server', '/opt/redis-server', '--latency-ms', '25');
    expect(parseCliArgs(args)).toEqual({
      help: false,
      options: {
        port: 8079,
        host: '0.0.0.0',
        token: 't',
        redisUrl: 'redis://h:1',
        redisServer: '/opt/redis-server',
        latencyMs: 25,
      },
    });
    expect(parseCliArgs([])).toEqual({ help: false, options: {} });
    expect(parseCliArgs(['-h'])).toEqual({ help: true });
  });

  it('rejects numbers out of range or not whole', () => {
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port must be a whole number/);
    expect(() => parseCliArgs(['--latency-ms=-5'])).toThrow(/--latency-ms must be a whole number/);
    expect(() => parseCliArgs(['--latency-ms', '1.5'])).toThrow(/--latency-ms/);
    expect(() => parseCliArgs(['extra'])).toThrow(/^\[upstash-local\]/);
  });
});
