import { ownerOfSlot, parseClusterNodes } from './clusterNodes.js';
import { redisCli } from './redisCli.js';
import type { RedisCluster } from './startRedisCluster.js';

/** A slot half-way from one master to another; see {@link startSlotMove}. */
export interface SlotMove {
  slot: number;
  from: number;
  to: number;
  /** Migrates the slot's keys still on `from`, then gives the slot to `to` on every master. */
  finish(): Promise<void>;
}

/**
 * Starts moving the slot of `key` to the master on `toPort`, the way `redis-cli --cluster
 * reshard` does, and stops half-way: `to` is importing, `from` migrating. Until `finish()`,
 * `from` still serves the slot's keys it holds and answers `ASK` for the others; after it, the
 * old owner answers `MOVED`.
 *
 * @example
 * const move = await startSlotMove(cluster, '{user:1}', otherMaster.port);
 * await move.finish();
 */
export async function startSlotMove(cluster: RedisCluster, key: string, toPort: number): Promise<SlotMove> {
  const masters = cluster.nodes.filter((node) => node.alive && node.role === 'master');
  const slot = Number(await redisCli(toPort, 'CLUSTER', 'KEYSLOT', key));
  const view = parseClusterNodes(await redisCli(toPort, 'CLUSTER', 'NODES'));
  const from = ownerOfSlot(view, slot)!;
  const to = view.find((node) => node.port === toPort)!;
  if (from.port === to.port) throw new Error(`slot ${slot} is already served by ${toPort}`);
  await redisCli(to.port, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id);
  await redisCli(from.port, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id);
  return {
    slot,
    from: from.port,
    to: to.port,
    async finish() {
      for (;;) {
        const keys = (await redisCli(from.port, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '100'))
          .split('\n')
          .filter(Boolean);
        if (keys.length === 0) break;
        await redisCli(from.port, 'MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', ...keys);
      }
      // The new owner first, then the old one, then everyone else (what redis-cli does).
      const order = [to.port, from.port, ...masters.map((node) => node.port)];
      for (const port of new Set(order)) {
        await redisCli(port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
      }
    },
  };
}
