import { describe, expect, it } from 'vitest';
import { CLIENT_KINDS, type ClientKind } from '../../testing/redis-clients.js';
import { redisForThisFile, type Topology } from '../../testing/redis-fixtures.js';
import { formatCostTable, measureRoundTrips } from '../../testing/round-trips.js';
import { REDIS_SCRIPTS } from '../lua/registry.js';
import { createScriptStore } from '../lua/script-store.js';
import { createScriptRunner } from './script-runner.js';

/**
 * Round trips are counted where they happen: `run` calls of the runner (each sends every node
 * its part at once: one round trip in wall time), and pipelines per node (`onRoundTrip`).
 */
function countedStore(client: unknown) {
  let runs = 0;
  const perNode = new Map<string, number>();
  const runner = createScriptRunner(client, {
    onRoundTrip: (node) => perNode.set(node, (perNode.get(node) ?? 0) + 1),
  });
  const store = createScriptStore(
    {
      topology: runner.topology,
      run: (calls) => {
        runs++;
        return runner.run(calls);
      },
    },
    REDIS_SCRIPTS,
  );
  return { store, counter: { requests: () => runs, perNode: () => new Map(perNode) } };
}

describe.each<Topology>(['single', 'cluster'])('store round trips per call, redis %s', (topology) => {
  const redis = redisForThisFile(topology);

  it.each<ClientKind>(CLIENT_KINDS)('meets the DESIGN.md cost targets with %s', async (kind) => {
    const { store, counter } = countedStore(redis.client(kind));
    // On a cluster the claim and a refusing limit live in different slots: the claim is released
    // after the 429 is answered.
    const rows = await measureRoundTrips(store, counter, { limitDenied: topology === 'cluster' ? 2 : 1 });
    console.log(
      `store round trips per call (redis store, ${kind}, ${topology}, steady state)\n${formatCostTable(rows)}`,
    );
    for (const row of rows) expect(row.measured, row.call).toBe(row.target);
    if (topology === 'cluster') {
      // Three scopes of three identifiers: their slots spread over the masters, one pipeline each.
      const threeScopes = rows.find((row) => row.call === 'rate limit, 3 scopes')!;
      expect(threeScopes.perNode!.split(', ').length).toBeGreaterThan(1);
    }
  });
});
