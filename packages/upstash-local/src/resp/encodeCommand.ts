/**
 * Encodes one command as a RESP2 array of bulk strings, the only form Redis accepts from clients.
 *
 * @example
 * socket.write(encodeCommand(['SET', 'k', 'v']));
 */
export function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  }
  return out;
}
