import { getCheckoutApp } from '@/server/checkout-app';

/** The ledger as JSON (Node runtime), for the browser tests and for a quick look with curl. */
export async function GET(): Promise<Response> {
  const app = getCheckoutApp();
  return Response.json({ store: app.env.store.kind, ...(await app.ledger.stats()) });
}

export const dynamic = 'force-dynamic';
