/**
 * @internal What an `Idempotency-Key` field value holds: the key, or why it cannot be one.
 *
 * The draft defines the field as an RFC 9651 Item whose value is a String (`"8e03…"`); its
 * parameters, if any, are ignored. A bare value (`8e03…`, as Stripe-style clients send it) is
 * taken as it is. A comma outside quotes means several values (a repeated field, which the
 * draft forbids, joined by the server), so it is refused.
 */
export function parseKeyField(value: string): { key: string } | { problem: string } {
  const field = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (!field.startsWith('"')) {
    if (field.includes(',')) return { problem: 'it holds a list of values (send the header once)' };
    if (field.includes('"')) return { problem: 'quotes may only surround the whole key' };
    return { key: field };
  }
  let key = '';
  for (let index = 1; index < field.length; index++) {
    const char = field[index]!;
    if (char === '\\') {
      const escaped = field[++index];
      if (escaped !== '"' && escaped !== '\\') {
        return { problem: 'inside quotes only `\\"` and `\\\\` may be escaped (an RFC 9651 String)' };
      }
      key += escaped;
    } else if (char === '"') {
      const rest = field.slice(index + 1);
      if (rest !== '' && !rest.startsWith(';')) {
        return { problem: 'it holds more than one value (send the header once)' };
      }
      return { key };
    } else {
      const code = char.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) {
        return { problem: 'the key must be printable ASCII' };
      }
      key += char;
    }
  }
  return { problem: 'the quoted key has no closing quote' };
}
