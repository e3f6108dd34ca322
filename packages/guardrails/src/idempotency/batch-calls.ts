const BATCH_QUERY = /(?:^|&)batch=1(?:&|$)/;

/**
 * @internal How many calls of one tRPC HTTP request go to the same procedure as the call at
 * `batchIndex`, read from the request's URL (`/trpc/pay,refund,pay?batch=1`, tRPC's HTTP RPC
 * format). 1 when the request is not a batch, or the URL says nothing usable.
 */
export function callsToSameProcedure(url: unknown, batchIndex: number): number {
  if (typeof url !== 'string') return 1;
  const queryAt = url.indexOf('?');
  if (queryAt < 0 || !BATCH_QUERY.test(url.slice(queryAt + 1))) return 1;
  const pathname = url.slice(0, queryAt);
  // Procedure paths hold no `/`; batched ones are joined by `,` in the last path segment.
  const paths = pathname
    .slice(pathname.lastIndexOf('/') + 1)
    .split(',')
    .map(decodePath);
  const own = paths[batchIndex];
  if (own === undefined) return 1;
  let count = 0;
  for (const path of paths) if (path === own) count++;
  return count;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
