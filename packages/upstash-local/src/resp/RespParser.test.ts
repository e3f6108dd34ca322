import { describe, expect, it } from 'vitest';
import { RedisReplyError } from './RedisReplyError.js';
import { RespParser } from './RespParser.js';
import type { RespValue } from './RespValue.js';

function parseAll(chunks: string[]): RespValue[] {
  const replies: RespValue[] = [];
  const parser = new RespParser((reply) => replies.push(reply));
  for (const chunk of chunks) parser.push(Buffer.from(chunk, 'utf8'));
  return replies;
}

describe('RespParser', () => {
  it('parses every RESP2 type', () => {
    const wire =
      '+OK\r\n-ERR bad\r\n:42\r\n$4\r\nhé!\r\n$-1\r\n*-1\r\n*3\r\n:1\r\n*1\r\n$1\r\nx\r\n$0\r\n\r\n';
    expect(parseAll([wire])).toEqual([
      'OK',
      new RedisReplyError('ERR bad'),
      42,
      'hé!',
      null,
      null,
      [1, ['x'], ''],
    ]);
  });

  it('reassembles replies split at any byte, including inside a UTF-8 character', () => {
    const wire = Buffer.from('*2\r\n$3\r\n日\r\n:7\r\n+PONG\r\n', 'utf8');
    for (let cut = 1; cut < wire.length; cut++) {
      const replies: RespValue[] = [];
      const parser = new RespParser((reply) => replies.push(reply));
      parser.push(wire.subarray(0, cut));
      parser.push(wire.subarray(cut));
      expect(replies, `cut at ${cut}`).toEqual([['日', 7], 'PONG']);
    }
  });

  it('handles a large bulk string arriving in many chunks', () => {
    const value = 'x'.repeat(200_000);
    const wire = Buffer.from(`$${value.length}\r\n${value}\r\n`);
    const replies: RespValue[] = [];
    const parser = new RespParser((reply) => replies.push(reply));
    for (let at = 0; at < wire.length; at += 1000) parser.push(wire.subarray(at, at + 1000));
    expect(replies).toEqual([value]);
  });

  it('resumes nested arrays split across many chunks without losing or repeating items', () => {
    const items = Array.from({ length: 5000 }, (_, i) => [`k${i}`, i, [`é${i}`, null]]);
    let wire = `*${items.length}\r\n`;
    for (const [key, n, [text]] of items as [string, number, [string, null]][]) {
      wire += `*3\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n:${n}\r\n*2\r\n$${Buffer.byteLength(text)}\r\n${text}\r\n$-1\r\n`;
    }
    const bytes = Buffer.from(`${wire}+after\r\n`);
    for (const size of [1, 7, 4096]) {
      const replies: RespValue[] = [];
      const parser = new RespParser((reply) => replies.push(reply));
      for (let at = 0; at < bytes.length; at += size) parser.push(bytes.subarray(at, at + size));
      expect(replies, `chunks of ${size}`).toEqual([items, 'after']);
    }
  });

  it('parses empty and nil arrays inside arrays', () => {
    expect(parseAll(['*3\r\n*0\r\n*-1\r\n*1\r\n*0\r\n'])).toEqual([[[], null, [[]]]]);
  });
});
