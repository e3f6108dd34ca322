#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type LimitAddress, remainingLimit, resetLimit } from '../admin/limits.js';
import { evictRecord, type InspectedRecord, inspectRecord, type RecordAddress } from '../admin/records.js';
import { formatTable, toJson } from './format.js';
import { parseLimiterSpec } from './limiter-spec.js';
import { storeFromEnv } from './store-from-env.js';
import { UsageError } from './usage-error.js';

const USAGE = `trpc-guardrails — read and repair what the guard stored

  trpc-guardrails inspect   --path <procedure> --key <key> [--owner <owner>]
  trpc-guardrails evict     --path <procedure> --key <key> [--owner <owner>] [--force]
  trpc-guardrails remaining --scope <scope> --identifier <id> --limiter <spec> [--bucket <name> | --procedure <path>]
  trpc-guardrails reset     --scope <scope> --identifier <id> [--bucket <name> | --procedure <path>]

  --prefix <prefix>  the guard's prefix (default: guardrails)
  --json             print JSON instead of a table
  --limiter          sliding:20/10s, fixed:100/1m or bucket:10/1m/100 (refill/interval/size)

The store comes from the environment: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN
(Upstash), or REDIS_URL (Redis over TCP, with ioredis or redis installed).
Exit codes: 0 done, 1 the store failed, 2 bad arguments; inspect exits 3 when the record is absent.`;

const OPTIONS = {
  path: { type: 'string' },
  key: { type: 'string' },
  owner: { type: 'string' },
  force: { type: 'boolean' },
  scope: { type: 'string' },
  identifier: { type: 'string' },
  limiter: { type: 'string' },
  bucket: { type: 'string' },
  procedure: { type: 'string' },
  prefix: { type: 'string', default: 'guardrails' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function main(argv: readonly string[]): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command "${command}"; use inspect, evict, remaining or reset`);
  const env = await storeFromEnv(process.env);
  try {
    return await run(values, env.store, (value, rows) =>
      console.log(values.json ? toJson(value) : `${formatTable(rows)}\n\nstore  ${env.describe}`),
    );
  } finally {
    await env.close();
  }
}

type Print = (value: unknown, rows: readonly (readonly [string, unknown])[]) => void;
type Command = (
  values: Values,
  store: Parameters<typeof inspectRecord>[0] &
    Parameters<typeof remainingLimit>[0] &
    Parameters<typeof resetLimit>[0],
  print: Print,
) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  async inspect(values, store, print) {
    const record = await inspectRecord(store, values.prefix, recordAddress(values));
    print(record, recordRows(record));
    return record.state === 'absent' ? 3 : 0;
  },
  async evict(values, store, print) {
    const result = await evictRecord(store, values.prefix, {
      ...recordAddress(values),
      force: values.force === true,
    });
    const note =
      result === 'in-progress'
        ? 'kept: its owner holds a live lease (--force evicts it; the owner is then fenced)'
        : result;
    print({ result }, [['result', note]]);
    return 0;
  },
  async remaining(values, store, print) {
    if (!values.limiter)
      throw new UsageError('remaining needs --limiter, the limiter that applies (e.g. sliding:20/10s)');
    const left = await remainingLimit(
      store,
      values.prefix,
      limitAddress(values),
      parseLimiterSpec(values.limiter),
    );
    print(left, [
      ['limit', left.limit],
      ['remaining', left.remaining],
      ['reset', left.reset],
    ]);
    return 0;
  },
  async reset(values, store, print) {
    const result = await resetLimit(store, values.prefix, limitAddress(values));
    print({ result }, [
      ['result', result === 'reset' ? 'reset: the identifier starts afresh' : 'absent: nothing was counted'],
    ]);
    return 0;
  },
};

function recordAddress(values: Values): RecordAddress {
  if (!values.path || !values.key)
    throw new UsageError('name the record with --path and --key (and --owner, when the guard has one)');
  return { path: values.path, key: values.key, ...(values.owner !== undefined && { owner: values.owner }) };
}

function limitAddress(values: Values): LimitAddress {
  if (!values.scope || values.identifier === undefined)
    throw new UsageError('name the limit with --scope and --identifier');
  return {
    scope: values.scope,
    identifier: values.identifier,
    ...(values.bucket !== undefined && { bucket: values.bucket }),
    ...(values.procedure !== undefined && { procedure: values.procedure }),
  };
}

function recordRows(record: InspectedRecord): [string, unknown][] {
  const rows: [string, unknown][] = [
    ['state', record.state],
    ['store key', record.storeKey],
  ];
  if (record.state === 'in-progress') {
    rows.push(
      ['token', record.token],
      ['takeover', record.takeover],
      ['lease until', record.leaseExpiresAt],
      ['expires', record.expiresAt],
    );
  }
  if (record.state === 'done') {
    rows.push(['token', record.token], ['outcome', record.outcome.kind]);
    if (record.outcome.kind === 'result') rows.push(['result', record.outcome.value]);
    if (record.outcome.kind === 'error')
      rows.push(['error', `${record.outcome.code}: ${record.outcome.message}`]);
    if (record.outcome.kind === 'unreplayable')
      rows.push(['not kept', `${record.outcome.cause}, ${record.outcome.bytes} bytes`]);
    rows.push(['stored at', record.completedAt], ['expires', record.expiresAt]);
  }
  return rows;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage =
      error instanceof UsageError || (error as { name?: string })?.name === 'GuardrailsConfigError';
    console.error(`trpc-guardrails: ${(error as Error)?.message ?? String(error)}`);
    if (usage) console.error('run trpc-guardrails --help for usage');
    process.exitCode = usage ? 2 : 1;
  },
);
