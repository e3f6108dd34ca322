import { randomUUID } from 'node:crypto';
import { type DemoServer, detectStoreKind, type LedgerStats, startDemoServer } from 'demo-server';
import superjson from 'superjson';

/** The store the tests run on: a real redis-server behind upstash-local when installed, else memory. */
export const testStore = detectStoreKind({ PATH: process.env.PATH }) === 'local' ? 'local' : 'memory';

export function startTestServer(logs: string[] = []): Promise<DemoServer> {
  return startDemoServer({
    store: testStore,
    prefix: `demo-client-test-${randomUUID().slice(0, 8)}`,
    log: (line) => logs.push(line),
  });
}

/** Reads `ledger.stats` over plain HTTP, the way any tRPC client would. */
export async function ledgerStats(url: string): Promise<LedgerStats & { store: string }> {
  const response = await fetch(`${url}/trpc/ledger.stats`);
  if (!response.ok) throw new Error(`ledger.stats answered ${response.status}`);
  const body = (await response.json()) as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
  return superjson.deserialize(body.result.data);
}
