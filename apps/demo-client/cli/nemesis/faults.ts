import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet } from './fleet.js';
import type { FaultKind } from './nemesis-options.js';
import type { Random } from './prng.js';

/** One fault the schedule struck. */
export interface FaultRecord {
  kind: FaultKind;
  /** The demo server it hit, for server and store-link faults. */
  server?: number;
  /** Milliseconds since the run started. */
  at: number;
  durationMs: number;
}

/**
 * Strikes one fault at a time until `until` (epoch ms): a pause of 0.5–2 s, then a fault of the
 * seeded kind lasting 0.3 to 2.5 leases (so some outlast the lease), then its repair.
 */
export async function runFaultSchedule(options: {
  fleet: Fleet;
  kinds: readonly FaultKind[];
  random: Random;
  leaseMs: number;
  startedAt: number;
  until: number;
}): Promise<FaultRecord[]> {
  const { fleet, kinds, random, leaseMs, startedAt, until } = options;
  const records: FaultRecord[] = [];
  if (kinds.length === 0) return records;
  while (Date.now() < until) {
    await sleep(random.int(500, 2_000));
    if (Date.now() >= until) break;
    const kind = random.pick(kinds);
    const server = fleet.servers[random.int(0, fleet.servers.length - 1)]!;
    const durationMs = Math.round(leaseMs * (0.3 + random.next() * 2.2));
    records.push({
      kind,
      ...(kind.endsWith('-server') || kind.startsWith('store-') ? { server: server.index } : {}),
      at: Date.now() - startedAt,
      durationMs,
    });
    switch (kind) {
      case 'stall-redis':
      case 'stall-gateway': {
        const target = kind === 'stall-redis' ? 'redis' : 'gateway';
        fleet.gateway.signal(target, 'SIGSTOP');
        await sleep(durationMs);
        fleet.gateway.signal(target, 'SIGCONT');
        break;
      }
      case 'pause-server':
        server.signal('SIGSTOP');
        await sleep(durationMs);
        server.signal('SIGCONT');
        break;
      case 'kill-server':
        await server.kill();
        await sleep(durationMs);
        await server.restart();
        break;
      case 'outage':
        // The store unreachable for every server at once (503 on every link).
        for (const each of fleet.servers) each.proxy.mode = 'unavailable';
        await sleep(durationMs);
        for (const each of fleet.servers) each.proxy.mode = 'pass';
        break;
      case 'store-503':
      case 'store-drop':
        server.proxy.mode = kind === 'store-503' ? 'unavailable' : 'drop';
        await sleep(durationMs);
        server.proxy.mode = 'pass';
        break;
    }
  }
  return records;
}
