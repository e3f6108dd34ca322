import { expect, it } from 'vitest';
import { upstashStore } from '../stores/upstash/upstash-store.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import { formatCostTable, measureRoundTrips } from '../testing/round-trips.js';

const { gateway, redis } = gatewayForThisFile();

it('meets the DESIGN.md cost targets, counted as HTTP requests at the gateway', async () => {
  const rows = await measureRoundTrips(upstashStore(redis()), () => gateway().stats().requests);
  console.log(`store round trips per call (upstash store, steady state)\n${formatCostTable(rows)}`);
  for (const row of rows) expect(row.measured, row.call).toBe(row.target);
});

it('meets them with a client that has auto-pipelining off too', async () => {
  const rows = await measureRoundTrips(
    upstashStore(redis({ enableAutoPipelining: false })),
    () => gateway().stats().requests,
  );
  for (const row of rows) expect(row.measured, row.call).toBe(row.target);
});
