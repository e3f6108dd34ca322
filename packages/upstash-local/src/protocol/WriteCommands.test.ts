import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../resp/parseRedisUrl.js';
import { RedisPool } from '../resp/RedisPool.js';
import { startUpstashLocal } from '../startUpstashLocal.js';
import { postJson } from '../testing/postJson.js';
import type { UpstashLocal } from '../UpstashLocal.js';
import { WriteCommands } from './WriteCommands.js';

let local: UpstashLocal;
let pool: RedisPool;

beforeAll(async () => {
  local = await startUpstashLocal();
  pool = new RedisPool(parseRedisUrl(local.redisUrl));
});
afterAll(async () => {
  pool.close();
  await local.stop();
});

describe('WriteCommands, from the COMMAND table of a real Redis', () => {
  it('tells writes from reads, scripts and subcommands included', async () => {
    const writes = await WriteCommands.load(pool);
    const classify = (...commands: string[][]) => commands.map((command) => writes.isWrite(command));
    expect(classify(['SET', 'k', 'v'], ['del', 'k'], ['HSET', 'h', 'f', 'v'], ['FLUSHALL'])).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      classify(['GET', 'k'], ['mget', 'a', 'b'], ['PFCOUNT', 'h'], ['PING'], ['PUBLISH', 'c', 'm']),
    ).toEqual([false, false, false, false, false]);
    expect(
      classify(['EVAL', 's', '0'], ['EVALSHA', 'x', '0'], ['EVAL_RO', 's', '0'], ['FCALL_RO', 'f', '0']),
    ).toEqual([true, true, false, false]);
    expect(
      classify(
        ['XGROUP', 'CREATE', 's', 'g', '$'],
        ['config', 'get', 'x'],
        ['SCRIPT', 'LOAD', 's'],
        ['SCRIPT', 'EXISTS'],
      ),
    ).toEqual([true, false, true, false]);
    expect(classify(['NOT.A.COMMAND'])).toEqual([true]); // unknown: the safe side
  });

  it('counts every command as a write when Redis refuses COMMAND, and says so', async () => {
    const acl = ['ACL', 'SETUSER', 'nocommand', 'on', '>secret', '~*', '&*', '+@all', '-command'];
    expect((await postJson(local.url, acl, { token: local.token })).json).toEqual({ result: 'OK' });
    const { port } = new URL(local.redisUrl);
    const lines: string[] = [];
    const limited = await startUpstashLocal({
      redisUrl: `redis://nocommand:secret@127.0.0.1:${port}`,
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toMatch(
      /\[upstash-local\] Redis answered COMMAND with NOPERM.*every command now counts as a write/,
    );
    const first = await postJson(limited.url, ['GET', 'k'], { token: limited.token });
    const second = await postJson(limited.url, ['GET', 'k'], { token: limited.token });
    expect(Number(second.headers.get('upstash-sync-token'))).toBe(
      Number(first.headers.get('upstash-sync-token')) + 1,
    );
    await limited.stop();
  });
});
