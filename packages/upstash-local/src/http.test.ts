import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstashLocal } from './startUpstashLocal.js';
import { postJson } from './testing/postJson.js';
import type { UpstashLocal } from './UpstashLocal.js';

let local: UpstashLocal;
let token: string;
const post = (body: unknown, options: Parameters<typeof postJson>[2] = {}) =>
  postJson(local.url, body, { token, ...options });

beforeAll(async () => {
  local = await startUpstashLocal({ bodyLimit: 1024 });
  token = local.token;
});
afterAll(() => local.stop());

describe('authentication', () => {
  it('answers 401 without a token', async () => {
    const res = await postJson(local.url, ['PING']);
    expect(res).toMatchObject({ status: 401, json: { error: 'Unauthorized' } });
  });

  it('answers 401 with a wrong token', async () => {
    expect((await post(['PING'], { token: `${token}x` })).status).toBe(401);
    expect((await post(['PING'], { token: '' })).status).toBe(401);
  });

  it('serves health checks without a token and does not count them', async () => {
    local.resetStats();
    for (const path of ['/', '/health']) {
      const res = await fetch(`${local.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok' });
    }
    expect(local.stats().requests).toBe(0);
  });
});

describe('malformed requests', () => {
  it('answers 400 for malformed JSON', async () => {
    const res = await post('["SET", "k"', { raw: true });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^\[upstash-local\] Request body is not valid JSON/);
  });

  it('answers 400 for a body that is not an array', async () => {
    const res = await post({ command: 'GET' });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/must be a JSON array/);
  });

  it('answers 400 for an empty command, a non-string name or a nested argument', async () => {
    expect((await post([])).json.error).toMatch(/empty command/);
    expect((await post([1, 'k'])).json.error).toMatch(/command name as a string/);
    const nested = await post(['SET', 'k', { a: 1 }]);
    expect(nested.status).toBe(400);
    expect(nested.json.error).toMatch(/argument 2 is object/);
    expect((await post([], { path: '/pipeline' })).json.error).toMatch(/empty list/);
    expect((await post([['GET']], { path: '/pipeline' })).status).toBe(200);
    expect((await post(['GET', 'k'], { path: '/pipeline' })).json.error).toMatch(/Command 0 of \/pipeline/);
  });

  it('answers 413 over the body limit', async () => {
    const res = await post(['SET', 'big', 'x'.repeat(2000)]);
    expect(res.status).toBe(413);
    expect(res.json.error).toMatch(/bodyLimit \(1024 bytes\)/);
  });

  it('answers 404 for unknown paths and 405 for wrong methods', async () => {
    expect((await post(['PING'], { path: '/set/k/v' })).status).toBe(404);
    const get = await fetch(`${local.url}/pipeline`, { headers: { Authorization: `Bearer ${token}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${local.url}/`, { method: 'PUT', body: '[]' })).status).toBe(405);
  });
});

describe('commands', () => {
  it('stringifies numbers and booleans', async () => {
    await post(['SET', 'num', 12.5]);
    expect((await post(['GET', 'num'])).json).toEqual({ result: '12.5' });
    await post(['SET', 'bool', true]);
    expect((await post(['GET', 'bool'])).json).toEqual({ result: 'true' });
  });

  it('always includes result: null for nil', async () => {
    const res = await post(['GET', 'does-not-exist']);
    expect(res.status).toBe(200);
    expect(res.json).toHaveProperty('result', null);
  });

  it('answers 400 with the Redis error for a failing command', async () => {
    const res = await post(['NOSUCHCOMMAND', 'x']);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^ERR unknown command/);
  });

  it('reports a failing pipeline item inside a 200 and counts it', async () => {
    local.resetStats();
    await post(['SET', 'text', 'abc']);
    const res = await post(
      [
        ['INCR', 'text'],
        ['GET', 'text'],
      ],
      { path: '/pipeline' },
    );
    expect(res.status).toBe(200);
    expect(res.json[0].error).toMatch(/not an integer/);
    expect(res.json[1]).toEqual({ result: 'abc' });
    expect(local.stats()).toEqual({ requests: 2, commands: 3, pipelines: 1, transactions: 0, errors: 1 });
  });

  it('base64-encodes every string at every depth when asked', async () => {
    await post(['DEL', 'list']);
    await post(['RPUSH', 'list', 'a', 'é']);
    const headers = { 'Upstash-Encoding': 'base64' };
    const res = await post(
      [
        ['LRANGE', 'list', '0', '-1'],
        ['LLEN', 'list'],
        ['GET', 'nothing'],
        ['EVAL', 'return {KEYS[1], {ARGV[1], 7}}', '1', 'k', 'v'],
      ],
      { path: '/pipeline', headers },
    );
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    expect(res.json).toEqual([
      { result: [b64('a'), b64('é')] },
      { result: 2 },
      { result: null },
      { result: [b64('k'), [b64('v'), 7]] },
    ]);
  });

  it('answers every command request with the current upstash-sync-token', async () => {
    const res = await post(['PING'], { headers: { 'upstash-sync-token': 'abc123' } });
    expect(res.headers.get('upstash-sync-token')).toMatch(/^\d+$/);
    const unauthorized = await postJson(local.url, ['PING']);
    expect(unauthorized.headers.get('upstash-sync-token')).toBe(res.headers.get('upstash-sync-token'));
  });

  it('refuses commands that would break the shared connections', async () => {
    for (const command of [
      ['SUBSCRIBE', 'ch'],
      ['SELECT', '1'],
      ['MULTI'],
      ['BLPOP', 'q', '0'],
      ['MONITOR'],
    ]) {
      const res = await post(command);
      expect(res.status, command.join(' ')).toBe(400);
      expect(res.json.error).toMatch(/\[upstash-local\] \w+ (is not supported|with timeout 0)/);
    }
    const piped = await post([['QUIT'], ['PING']], { path: '/pipeline' });
    expect(piped.json[0].error).toMatch(/QUIT is not supported/);
    expect(piped.json[1]).toEqual({ result: 'PONG' });
  });

  it('runs a blocking command with a timeout on its own connection', async () => {
    const started = Date.now();
    const blocked = post(['BLPOP', 'empty-queue', '0.5']);
    // More PINGs than pooled connections: on a shared connection one would wait behind BLPOP.
    const pings = await Promise.all(Array.from({ length: 6 }, () => post(['PING'])));
    expect(Date.now() - started).toBeLessThan(400);
    expect(pings.map((ping) => ping.json)).toEqual(Array(6).fill({ result: 'PONG' }));
    expect((await blocked).json).toEqual({ result: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});

describe('/multi-exec', () => {
  it('returns per-item errors for runtime failures', async () => {
    await post(['SET', 'tx-text', 'abc']);
    const res = await post(
      [
        ['INCR', 'tx-text'],
        ['SET', 'tx-other', 'done'],
      ],
      { path: '/multi-exec' },
    );
    expect(res.status).toBe(200);
    expect(res.json[0].error).toMatch(/not an integer/);
    expect(res.json[1]).toEqual({ result: 'OK' });
  });

  it('answers 400 and runs nothing when EXEC aborts', async () => {
    const res = await post(
      [
        ['SET', 'tx-never', 'x'],
        ['SET', 'only-a-key'],
      ],
      { path: '/multi-exec' },
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^EXECABORT .*wrong number of arguments/);
    expect((await post(['EXISTS', 'tx-never'])).json).toEqual({ result: 0 });
  });

  it('refuses connection-state commands inside a transaction', async () => {
    const res = await post([['WATCH', 'k'], ['PING']], { path: '/multi-exec' });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/WATCH is not supported.*nothing was executed/);
  });
});
