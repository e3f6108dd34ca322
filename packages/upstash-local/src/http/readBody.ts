import type { IncomingMessage } from 'node:http';
import { HttpError } from './HttpError.js';

/**
 * Reads a request body up to `limit` bytes; past that it rejects with a 413 without buffering the rest.
 *
 * @example
 * const body = await readBody(req, 10 * 1024 * 1024);
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(
      413,
      `[upstash-local] Request body is larger than bodyLimit (${limit} bytes); send less or raise bodyLimit.`,
    );
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume(); // drain and drop the rest so the response can still be sent
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
