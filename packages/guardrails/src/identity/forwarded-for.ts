/** RFC 7230 `tchar`: the characters of a token. */
const TOKEN_CHAR = /^[!#$%&'*+.^_`|~0-9A-Za-z-]$/;

/**
 * The `for` parameter of one `Forwarded` element (RFC 7239 §4), unquoted, e.g. `[2001:db8:cafe::17]:4711`
 * from `For="[2001:db8:cafe::17]:4711"`. Parameter names are case-insensitive; values are tokens or
 * quoted strings with `\` escapes. Returns `undefined` when the element has no `for`, has it twice,
 * or is not well formed — the hop cannot then be known. Lenient in one way: an unquoted value may
 * hold `:` and `[]` (a bare IPv6 some proxies write). Never throws; the caller bounds the length.
 */
export function forwardedFor(element: string): string | undefined {
  let found: string | undefined;
  let index = 0;
  while (index <= element.length) {
    index = skipSpace(element, index);
    if (index === element.length) break;
    if (element[index] === ';') {
      index++;
      continue;
    }
    const equals = element.indexOf('=', index);
    if (equals < 0) return undefined;
    const name = element.slice(index, equals).trim();
    if (name === '' || ![...name].every((char) => TOKEN_CHAR.test(char))) return undefined;
    const parsed = readValue(element, equals + 1);
    if (!parsed) return undefined;
    if (name.toLowerCase() === 'for') {
      if (found !== undefined) return undefined;
      found = parsed.value;
    }
    index = skipSpace(element, parsed.end);
    if (index < element.length && element[index] !== ';') return undefined;
    index++;
  }
  return found;
}

function readValue(element: string, start: number): { value: string; end: number } | undefined {
  const index = skipSpace(element, start);
  if (element[index] !== '"') {
    let end = index;
    while (end < element.length && element[end] !== ';' && element[end] !== ' ' && element[end] !== '\t') {
      end++;
    }
    return end === index ? undefined : { value: element.slice(index, end), end };
  }
  let value = '';
  for (let at = index + 1; at < element.length; at++) {
    const char = element[at];
    if (char === '"') return { value, end: at + 1 };
    if (char === '\\') {
      at++;
      if (at >= element.length) return undefined;
    }
    value += element.charAt(at);
  }
  return undefined;
}

function skipSpace(text: string, start: number): number {
  let index = start;
  while (index < text.length && (text[index] === ' ' || text[index] === '\t')) index++;
  return index;
}
