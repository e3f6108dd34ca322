import { parseArgs } from 'node:util';
import { UsageError } from '../storm-options.js';

export const FAULTS = [
  'stall-redis',
  'stall-gateway',
  'pause-server',
  'kill-server',
  'store-503',
  'store-drop',
  'outage',
] as const;
export type FaultKind = (typeof FAULTS)[number];

export interface NemesisOptions {
  /** Seeds the fault schedule and the shoppers: the same seed, the same run. */
  seed: number;
  /** Seconds during which intents start and faults strike. */
  durationS: number;
  servers: number;
  /** New intents per second. */
  rate: number;
  /** Requests per intent, spread over the servers. */
  duplicates: number;
  /** The idempotency lease of the servers, in seconds: faults last from a fraction of it to more. */
  leaseS: number;
  faults: FaultKind[];
  /** Share of requests whose response the server is asked to lose after running them. */
  flaky: number;
  json: boolean;
}

export const NEMESIS_USAGE = `Usage: pnpm nemesis -- [--seed N] [--duration S] [--servers N] [--rate N] [--duplicates N]
                      [--lease S] [--faults a,b,...] [--flaky 0..1] [--json]

Starts upstash-local in its own process and N demo servers (each reaching it through a fault proxy),
fires intents at them while a seeded schedule stalls redis-server and the gateway, pauses and kills
servers, and breaks their link to the store; then checks that every intent got one answer and one
charge, and that every exception is one the guard reported. Exits 1 if not.

  --seed        seed of the fault schedule and the shoppers  (default: random, printed)
  --duration    seconds of intents and faults                (default 60)
  --servers     demo-server processes                        (default 3)
  --rate        new intents per second                       (default 4)
  --duplicates  requests per intent                          (default 4)
  --lease       idempotency lease of the servers, seconds    (default 2)
  --faults      ${FAULTS.join(',')} (default: all)
  --flaky       share of responses lost after the handler ran (default 0.1)
  --json        print the verdict as JSON`;

export function parseNemesisOptions(argv: string[]): NemesisOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      seed: { type: 'string' },
      duration: { type: 'string', default: '60' },
      servers: { type: 'string', default: '3' },
      rate: { type: 'string', default: '4' },
      duplicates: { type: 'string', default: '4' },
      lease: { type: 'string', default: '2' },
      faults: { type: 'string', default: FAULTS.join(',') },
      flaky: { type: 'string', default: '0.1' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  const faults = values.faults.split(',').filter(Boolean) as FaultKind[];
  for (const fault of faults) {
    if (!FAULTS.includes(fault))
      throw new UsageError(`--faults: "${fault}" is not one of ${FAULTS.join(', ')}`);
  }
  const flaky = Number(values.flaky);
  if (!(flaky >= 0 && flaky <= 1))
    throw new UsageError(`--flaky must be between 0 and 1, got ${values.flaky}`);
  return {
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positive('seed', values.seed, 0),
    durationS: positive('duration', values.duration),
    servers: positive('servers', values.servers),
    rate: positive('rate', values.rate),
    duplicates: positive('duplicates', values.duplicates),
    leaseS: positive('lease', values.lease),
    faults,
    flaky,
    json: values.json,
  };
}

function positive(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${text}`);
  return value;
}
