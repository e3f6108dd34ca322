import { RedisReplyError } from './RedisReplyError.js';
import type { RespValue } from './RespValue.js';

const CRLF = Buffer.from('\r\n');

/** An array reply still being filled: its items so far and how many are missing. */
interface OpenArray {
  items: RespValue[];
  missing: number;
}

/** One step of the parser: a complete value, the header of a non-empty array, or not enough bytes yet. */
type Step = { value: RespValue; next: number } | { arrayOf: number; next: number } | undefined;

/**
 * Incremental RESP2 parser: feed it socket chunks, it calls `onReply` once per complete reply.
 *
 * Arrays under construction live on an explicit stack, so every byte is parsed once however the
 * reply is split: re-parsing an unfinished array from its start on each chunk made a 4 MB
 * `LRANGE` (or the EXEC of a big transaction) quadratic, about 9 s.
 *
 * @example
 * const parser = new RespParser((reply) => console.log(reply));
 * socket.on('data', (chunk) => parser.push(chunk));
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Bytes the buffer must hold before the next step can succeed; avoids re-copying a big bulk string on every chunk. */
  private needed = 0;
  private readonly open: OpenArray[] = [];

  constructor(private readonly onReply: (reply: RespValue) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
    if (this.buffer.length + this.chunkBytes < this.needed) return;
    this.buffer =
      this.buffer.length === 0 && this.chunks.length === 1
        ? chunk
        : Buffer.concat([this.buffer, ...this.chunks]);
    this.chunks = [];
    this.chunkBytes = 0;
    this.needed = 0;

    let offset = 0;
    while (offset < this.buffer.length) {
      const step = this.step(offset);
      if (step === undefined) break;
      offset = step.next;
      if ('arrayOf' in step) this.open.push({ items: [], missing: step.arrayOf });
      else this.complete(step.value);
    }
    // Only the unfinished tail is kept; everything before it has been turned into values.
    this.buffer = this.buffer.subarray(offset);
    this.needed = Math.max(0, this.needed - offset);
  }

  /** Hands a finished value to the innermost open array, closing arrays it completes. */
  private complete(value: RespValue): void {
    let done = value;
    for (;;) {
      const parent = this.open[this.open.length - 1];
      if (!parent) {
        this.onReply(done);
        return;
      }
      parent.items.push(done);
      if (--parent.missing > 0) return;
      this.open.pop();
      done = parent.items;
    }
  }

  private step(offset: number): Step {
    const lineEnd = this.buffer.indexOf(CRLF, offset);
    if (lineEnd === -1) {
      this.needed = this.buffer.length + 1;
      return undefined;
    }
    const type = this.buffer[offset];
    const line = this.buffer.toString('utf8', offset + 1, lineEnd);
    const next = lineEnd + 2;
    switch (type) {
      case 0x2b: // '+'
        return { value: line, next };
      case 0x2d: // '-'
        return { value: new RedisReplyError(line), next };
      case 0x3a: // ':'
        return { value: Number(line), next };
      case 0x24: {
        // '$' bulk string
        const length = Number(line);
        if (length < 0) return { value: null, next };
        const end = next + length;
        if (this.buffer.length < end + 2) {
          this.needed = end + 2;
          return undefined;
        }
        return { value: this.buffer.toString('utf8', next, end), next: end + 2 };
      }
      case 0x2a: {
        // '*' array
        const count = Number(line);
        if (count < 0) return { value: null, next };
        if (count === 0) return { value: [], next };
        return { arrayOf: count, next };
      }
      default:
        throw new Error(
          `[upstash-local] Unexpected RESP type byte ${type} from Redis; is the URL pointing at a Redis server?`,
        );
    }
  }
}
