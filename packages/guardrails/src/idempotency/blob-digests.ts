import { sha256Hex } from '../guard/sha256.js';

/** Bytes of a file's content read for its fingerprint: its head and its tail. */
const HEAD_BYTES = 1024 * 1024;
const TAIL_BYTES = 64 * 1024;

/** What a file contributes to a fingerprint: name, type, size and a bounded content hash. */
export interface BlobDigest {
  name: string;
  type: string;
  size: number;
  /** SHA-256 of the first MiB and the last 64 KiB (all of it, for smaller files). */
  content: string;
}

/** @internal Whether a value is a fetch `FormData` (Node ≥ 18, edge runtimes, browsers). */
export function isFormData(value: unknown): value is FormData {
  return typeof FormData === 'function' && value instanceof FormData;
}

/**
 * @internal Reads the files of a form for its fingerprint. Reading is async, so it happens before
 * the (synchronous) canonical walk, which looks each file up here. Bounded: at most 1 MiB and
 * 64 KiB of each file are hashed, so two uploads that differ only in their middle bytes (same
 * name, type and size) share a fingerprint.
 */
export async function digestFormFiles(form: FormData): Promise<Map<Blob, BlobDigest>> {
  const digests = new Map<Blob, BlobDigest>();
  for (const [, value] of form) {
    if (typeof value === 'string' || digests.has(value)) continue;
    const head = new Uint8Array(await value.slice(0, HEAD_BYTES).arrayBuffer());
    const tail =
      value.size > HEAD_BYTES
        ? new Uint8Array(await value.slice(Math.max(HEAD_BYTES, value.size - TAIL_BYTES)).arrayBuffer())
        : new Uint8Array(0);
    const both = new Uint8Array(head.length + tail.length);
    both.set(head);
    both.set(tail, head.length);
    digests.set(value, {
      name: 'name' in value && typeof value.name === 'string' ? value.name : '',
      type: value.type,
      size: value.size,
      content: sha256Hex(both),
    });
  }
  return digests;
}
