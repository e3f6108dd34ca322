import { describe, expect, it } from 'vitest';
import { parseInfo, redisCli, startRedisCluster } from './cluster/index.js';
import { isProcessAlive } from './testing/isProcessAlive.js';

describe('startRedisCluster', () => {
  it('serves every slot; a cut-off master keeps acknowledging writes that die with it; stop() leaves nothing', async () => {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    try {
      expect(cluster.nodes.map((node) => node.role).sort()).toEqual([
        'master',
        'master',
        'master',
        'replica',
        'replica',
        'replica',
      ]);
      const info = parseInfo(await redisCli(cluster.nodes[0]!.port, 'CLUSTER', 'INFO'));
      expect(info).toMatchObject({ cluster_state: 'ok', cluster_slots_ok: '16384' });

      const master = await cluster.masterForKey('{k}');
      await redisCli(master.port, 'SET', '{k}:before', '1');
      await redisCli(master.port, 'WAIT', '1', '1000');
      const cut = await cluster.cutOffReplicasOf('{k}');
      expect(cut.master.port).toBe(master.port);
      await redisCli(master.port, 'SET', '{k}:during', '1');
      // No replica gets it: WAIT times out with none.
      expect(await redisCli(master.port, 'WAIT', '1', '100')).toBe('0\n');

      const failover = await cluster.killMasterOf('{k}', { afterKill: cut.resume });
      expect(failover.killed.port).toBe(master.port);
      expect(cut.replicas.map((node) => node.port)).toContain(failover.promoted.port);
      expect(await redisCli(failover.promoted.port, 'EXISTS', '{k}:before', '{k}:during')).toBe('1\n');
    } finally {
      await cluster.stop();
    }
    for (const node of cluster.nodes)
      expect(isProcessAlive(node.pid), `redis-server ${node.port}`).toBe(false);
  }, 60_000);
});
