export { parseInfo, redisCli } from './redisCli.js';
export {
  type Failover,
  type RedisCluster,
  type RedisClusterNode,
  type ReplicaCutOff,
  type StartRedisClusterOptions,
  startRedisCluster,
} from './startRedisCluster.js';
export { type SlotMove, startSlotMove } from './startSlotMove.js';
