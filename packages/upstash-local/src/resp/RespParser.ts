import { RedisReplyError } from './RedisReplyError.js';
import type { RespValue } from './RespValue.js';

const CRLF = Buffer.from('\r\n');

/** Returned by the recursive parser when the buffer ends in the middle of a reply. */
const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: RespValue; next: number } | typeof INCOMPLETE;

/**
 * Incremental RESP2 parser: feed it socket chunks, it calls `onReply` once per complete reply.
 *
 * @example
 * const parser = new RespParser((reply) => console.log(reply));
 * socket.on('data', (chunk) => parser.push(chunk));
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Bytes the buffer must hold before a parse can succeed; avoids re-parsing (and re-copying) big replies on every chunk. */
  private needed = 0;

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
      const parsed = this.parse(offset);
      if (parsed === INCOMPLETE) break;
      offset = parsed.next;
      this.onReply(parsed.value);
    }
    this.buffer = this.buffer.subarray(offset);
    this.needed = Math.max(0, this.needed - offset);
  }

  private parse(offset: number): Parsed {
    const lineEnd = this.buffer.indexOf(CRLF, offset);
    if (lineEnd === -1) {
      this.needed = this.buffer.length + 1;
      return INCOMPLETE;
    }
    const type = this.buffer[offset];
    const line = this.buffer.toString('utf8', offset + 1, lineEnd);
    const afterLine = lineEnd + 2;
    switch (type) {
      case 0x2b: // '+'
        return { value: line, next: afterLine };
      case 0x2d: // '-'
        return { value: new RedisReplyError(line), next: afterLine };
      case 0x3a: // ':'
        return { value: Number(line), next: afterLine };
      case 0x24: {
        // '$' bulk string
        const length = Number(line);
        if (length < 0) return { value: null, next: afterLine };
        const end = afterLine + length;
        if (this.buffer.length < end + 2) {
          this.needed = end + 2;
          return INCOMPLETE;
        }
        return { value: this.buffer.toString('utf8', afterLine, end), next: end + 2 };
      }
      case 0x2a: {
        // '*' array
        const count = Number(line);
        if (count < 0) return { value: null, next: afterLine };
        const items: RespValue[] = [];
        let next = afterLine;
        for (let i = 0; i < count; i++) {
          const item = this.parse(next);
          if (item === INCOMPLETE) return INCOMPLETE;
          items.push(item.value);
          next = item.next;
        }
        return { value: items, next };
      }
      default:
        throw new Error(
          `[upstash-local] Unexpected RESP type byte ${type} from Redis; is the URL pointing at a Redis server?`,
        );
    }
  }
}
