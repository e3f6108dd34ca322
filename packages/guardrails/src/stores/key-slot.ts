/** Number of hash slots of a Redis Cluster. */
export const SLOT_COUNT = 16384;

const CRC16_TABLE = /* @__PURE__ */ makeCrc16Table();

/**
 * The Redis Cluster hash slot of `key`: CRC16 (XMODEM) of its hash tag — the part between the
 * first `{` and the next `}`, when that part is not empty — or of the whole key, modulo 16384.
 * The same answer as `CLUSTER KEYSLOT`, computed locally so the runner can group calls by node
 * without importing either client.
 *
 * @example
 * keySlot('rl:{203.0.113.9}:1') === keySlot('idem:{203.0.113.9}'); // true: same tag
 */
export function keySlot(key: string): number {
  const bytes = new TextEncoder().encode(key);
  const open = bytes.indexOf(0x7b); // {
  let start = 0;
  let end = bytes.length;
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let index = start; index < end; index++) {
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[index]!) & 0xff]!;
  }
  return crc % SLOT_COUNT;
}

function makeCrc16Table(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
}
