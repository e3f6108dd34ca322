/**
 * The rows of the side-by-side table: trpc-guardrails on both transports and each peer, with the
 * call it makes, the procedure that makes it, and the trpc-guardrails row it is compared with.
 */
export type PeerCall =
  | '3 limits'
  | 'idempotent, first'
  | 'idempotent, replay'
  | '3 limits + idempotent, first'
  | '3 limits + idempotent, replay';

export interface PeerRow {
  implementation: string;
  transport: 'HTTP' | 'TCP';
  call: PeerCall;
  /** The procedure on its server, and how its input's key is made. */
  server: 'upstash' | 'redis' | 'peers';
  procedure: string;
  key: 'none' | 'fresh' | 'replay';
  /** The trpc-guardrails row it is compared with. */
  versus?: string;
}

export const G_UPSTASH = 'trpc-guardrails, `upstashStore`';
export const G_REDIS = 'trpc-guardrails, `redisStore` (ioredis)';

const guardrailsRows = (
  implementation: string,
  transport: 'HTTP' | 'TCP',
  server: 'upstash' | 'redis',
): PeerRow[] => [
  { implementation, transport, call: '3 limits', server, procedure: 'threeScopes', key: 'none' },
  { implementation, transport, call: 'idempotent, first', server, procedure: 'idempotent', key: 'fresh' },
  { implementation, transport, call: 'idempotent, replay', server, procedure: 'idempotent', key: 'replay' },
  {
    implementation,
    transport,
    call: '3 limits + idempotent, first',
    server,
    procedure: 'guarded',
    key: 'fresh',
  },
  {
    implementation,
    transport,
    call: '3 limits + idempotent, replay',
    server,
    procedure: 'guarded',
    key: 'replay',
  },
];

export const PEER_ROWS: readonly PeerRow[] = [
  ...guardrailsRows(G_UPSTASH, 'HTTP', 'upstash'),
  ...guardrailsRows(G_REDIS, 'TCP', 'redis'),
  ...(['3 limits + idempotent, first', '3 limits + idempotent, replay'] as const).map(
    (call): PeerRow => ({
      implementation: 'hand-written seed pattern (3 × `@upstash/ratelimit` in turn, GET / run / SET)',
      transport: 'HTTP',
      call,
      server: 'peers',
      procedure: 'seed',
      key: call.endsWith('first') ? 'fresh' : 'replay',
      versus: G_UPSTASH,
    }),
  ),
  {
    implementation: '`@upstash/ratelimit` × 3, awaited in turn',
    transport: 'HTTP',
    call: '3 limits',
    server: 'peers',
    procedure: 'ratelimitInTurn',
    key: 'none',
    versus: G_UPSTASH,
  },
  {
    implementation: '`@upstash/ratelimit` × 3, `Promise.all`',
    transport: 'HTTP',
    call: '3 limits',
    server: 'peers',
    procedure: 'ratelimitTogether',
    key: 'none',
    versus: G_UPSTASH,
  },
  ...(['idempotent, first', 'idempotent, replay'] as const).map(
    (call): PeerRow => ({
      implementation: '`@node-idempotency/core` + `storage-adapter-redis` (node-redis 4)',
      transport: 'TCP',
      call,
      server: 'peers',
      procedure: 'nodeIdempotency',
      key: call.endsWith('first') ? 'fresh' : 'replay',
      versus: G_REDIS,
    }),
  ),
];

export const rowName = (row: PeerRow) => `${row.implementation} · ${row.call}`;
