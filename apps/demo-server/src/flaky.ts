import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request header with which a client asks for its response to be lost. */
export const FLAKY_HEADER = 'x-demo-flaky';

/**
 * Whether to lose this request's response: a POST carrying the flaky header with a value not seen
 * before. Browsers resend a POST by themselves when a reused connection breaks, with the same
 * headers; remembering the value keeps it at one lost response per switch of the demo page.
 */
export function createFlakyDetector(remember = 1000) {
  const seen = new Set<string>();
  return function wantsLostResponse(req: IncomingMessage): boolean {
    const value = req.headers[FLAKY_HEADER];
    if (req.method !== 'POST' || typeof value !== 'string' || !value || seen.has(value)) return false;
    seen.add(value);
    if (seen.size > remember) seen.delete(seen.values().next().value as string);
    return true;
  };
}

/**
 * Simulates a network that fails after the server did the work: the request runs normally (the
 * handler executes and its outcome is stored), but when the response is written only its status
 * line and headers go out, then the connection closes. The client never gets the body, sees a
 * network error, and has to retry.
 *
 * Cutting the response after the headers, not before, matters: browsers silently resend a request
 * (POST included) when a reused keep-alive connection closes before any byte of the response,
 * which would hide the loss from the page.
 */
export function loseResponse(res: ServerResponse, onLost: () => void): void {
  let lost = false;
  const flushHeaders = res.flushHeaders.bind(res);
  const writeHead = res.writeHead;
  const lose = () => {
    if (lost) return;
    lost = true;
    onLost();
    res.setHeader('connection', 'close');
    // flushHeaders() writes the status line through writeHead(): give the original back first.
    res.writeHead = writeHead;
    flushHeaders();
    const socket = res.socket;
    socket?.end();
    setTimeout(() => socket?.destroy(), 100).unref();
  };
  res.writeHead = ((..._args: unknown[]) => {
    lose();
    return res;
  }) as ServerResponse['writeHead'];
  res.flushHeaders = () => lose();
  res.write = ((..._args: unknown[]) => {
    lose();
    return true;
  }) as ServerResponse['write'];
  res.end = ((..._args: unknown[]) => {
    lose();
    return res;
  }) as ServerResponse['end'];
}
