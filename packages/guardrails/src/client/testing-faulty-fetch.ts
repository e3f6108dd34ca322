/** What the client sees instead of the real response; the server always handles the request. */
export type Fault =
  /** The response is lost after the server ran: `fetch` rejects like a dropped connection. */
  | { type: 'drop' }
  /** A proxy in front answers instead (e.g. a gateway timeout after the server ran). */
  | { type: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** The real status and headers arrive, then the body breaks off half-way. */
  | { type: 'broken-body' };

export interface FaultyFetchCall {
  /** When the client sent the request, and when it got its (possibly faulty) answer, in epoch ms. */
  sentAt: number;
  answeredAt: number;
  /** The status the server really answered. */
  serverStatus: number;
  fault: Fault['type'] | undefined;
}

/**
 * A `fetch` for `httpLink`/`httpBatchLink` that sends every request to the real server, then
 * replaces the answer of the n-th request with `faults[n]` (no fault where it is `undefined`, or
 * past the end; `faults` may also be a function of the request index).
 */
export function createFaultyFetch(
  faults: readonly (Fault | undefined)[] | ((index: number) => Fault | undefined),
) {
  const calls: FaultyFetchCall[] = [];
  const faultAt = typeof faults === 'function' ? faults : (index: number) => faults[index];
  async function faultyFetch(url: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const sentAt = Date.now();
    const fault = faultAt(calls.length);
    const call: FaultyFetchCall = { sentAt, answeredAt: 0, serverStatus: 0, fault: fault?.type };
    calls.push(call);
    const response = await fetch(url, init);
    call.serverStatus = response.status;
    const answer = await answerWith(response, fault);
    call.answeredAt = Date.now();
    return answer;
  }
  return { fetch: faultyFetch, calls };
}

async function answerWith(response: Response, fault: Fault | undefined): Promise<Response> {
  if (!fault) return response;
  const text = await response.text(); // the server has finished with the request
  switch (fault.type) {
    case 'drop':
      throw new TypeError('fetch failed', { cause: new Error('socket hang up (injected)') });
    case 'status':
      return new Response(fault.body ?? '<html><body>502 Bad Gateway</body></html>', {
        status: fault.status,
        headers: fault.headers ?? { 'content-type': 'text/html' },
      });
    case 'broken-body': {
      const half = new TextEncoder().encode(text.slice(0, Math.floor(text.length / 2)));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          controller.error(new TypeError('terminated (injected)'));
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    }
  }
}
