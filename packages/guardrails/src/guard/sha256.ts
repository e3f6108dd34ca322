import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

interface NodeHash {
  update(data: string | Uint8Array, encoding?: 'utf8'): NodeHash;
  digest(encoding: 'hex'): string;
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): NodeHash;
}

/**
 * `node:crypto`, where the runtime has it (Node, Workers with `nodejs_compat`). Found at run time
 * rather than imported, so edge bundles never see a Node built-in and fall back to JavaScript.
 * Next.js's edge sandbox defines `process.getBuiltinModule` but makes it throw: that is "absent".
 */
function findNodeCrypto(): NodeCrypto | undefined {
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const crypto =
      typeof process?.getBuiltinModule === 'function' ? process.getBuiltinModule('node:crypto') : undefined;
    return typeof (crypto as NodeCrypto | undefined)?.createHash === 'function'
      ? (crypto as NodeCrypto)
      : undefined;
  } catch {
    return undefined;
  }
}

/** @internal Whether hashing is native here; tests check it is in Node. */
export const nodeCrypto = findNodeCrypto();

const utf8 = new TextEncoder();

/** @internal The portable SHA-256, exported so tests can check both agree. */
export function sha256HexPortable(data: string | Uint8Array): string {
  return bytesToHex(sha256(typeof data === 'string' ? utf8.encode(data) : data));
}

/**
 * Hex SHA-256 of bytes, or of a string's UTF-8 bytes, synchronously: native where the runtime offers it
 * (~1 µs for a short string), a JavaScript implementation at the edge.
 */
export const sha256Hex: (data: string | Uint8Array) => string = nodeCrypto
  ? (data) => nodeCrypto.createHash('sha256').update(data, 'utf8').digest('hex')
  : sha256HexPortable;
