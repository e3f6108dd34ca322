/**
 * @internal A key built by concatenation is a rope in V8, and a Map keeps the rope and its parts
 * (~45 B more per entry); reading a character flattens it in place, and the collector then keeps
 * only the flat string. Harmless where strings are flat already.
 */
export function flat(key: string): string {
  key.charCodeAt(0);
  return key;
}
