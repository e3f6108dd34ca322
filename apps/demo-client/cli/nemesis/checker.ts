import type { Charge } from 'demo-server';
import type { FaultRecord } from './faults.js';
import type { ServerLogLine } from './fleet.js';
import type { Intent, ShopperTally } from './shoppers.js';

/** What the run proves, or the intents that break the promise. */
export interface Verdict {
  ok: boolean;
  intents: number;
  /** Intents whose every request was answered. */
  answered: number;
  /** Handler runs the servers logged (`executed`; a killed server's last ones are missing). */
  executions: number;
  /** Charges the provider made, and attempts it refused as stale (older fencing token). */
  charges: number;
  staleAttempts: number;
  /** Intents charged more than once, or answered with two charge ids; and why, when reported. */
  doubleCharged: number;
  inconsistent: number;
  /**
   * Intents the guard reported as possibly run twice: an `outcome-lost` line (an owner that lost
   * its lease while alive) or a takeover (`executed` with `takeover: true`: the owner vanished,
   * killed or paused, and may have done its side effect).
   */
  reported: { outcomeLost: number; takeovers: number };
  /** The broken promises: double charges and split answers the guard did not report. */
  unexplained: string[];
  /** What the servers logged about each unexplained or double-charged intent, to start from. */
  evidence: Record<string, string[]>;
  outcomesStoredLate: number;
  faults: Record<string, number>;
  shoppers: ShopperTally;
}

/**
 * Checks the run: every intent answered, each with one charge and one answer — except intents
 * the guard reported (outcome-lost, takeover), which are counted, never silently allowed.
 */
export function checkRun(options: {
  intents: Intent[];
  chargesOf: (intent: Intent) => Charge[];
  staleAttempts: number;
  log: ServerLogLine[];
  faults: FaultRecord[];
  shoppers: ShopperTally;
}): Verdict {
  const { intents, chargesOf, log } = options;
  const lostKeys = new Set(log.filter((line) => line.outcome === 'outcome-lost').map((line) => line.key));
  const takeoverKeys = new Set(
    log.filter((line) => line.outcome === 'executed' && line.takeover === true).map((line) => line.key),
  );
  const unexplained: string[] = [];
  let answered = 0;
  let charges = 0;
  let doubleCharged = 0;
  let inconsistent = 0;
  for (const intent of intents) {
    const charged = chargesOf(intent);
    charges += charged.length;
    const distinctAnswers = new Set(intent.answers);
    const reported = lostKeys.has(intent.idempotencyKey) || takeoverKeys.has(intent.idempotencyKey);
    if (intent.unanswered === 0 && intent.failures.length === 0) answered++;
    else if (intent.unanswered > 0 || !reported) {
      // A final error can be one of the split answers of a reported intent; a request left
      // without any answer never is.
      unexplained.push(
        `${intent.idempotencyKey}: ${intent.unanswered} request(s) unanswered ${intent.failures.join('; ')}`,
      );
    }
    if (charged.length > 1) {
      doubleCharged++;
      if (!reported)
        unexplained.push(`${intent.idempotencyKey}: charged ${charged.length} times, never reported`);
    }
    if (charged.length === 0 && intent.answers.length > 0) {
      unexplained.push(
        `${intent.idempotencyKey}: answered ${[...distinctAnswers].join(', ')} but never charged`,
      );
    }
    if (distinctAnswers.size + (intent.failures.length > 0 ? 1 : 0) > 1) {
      inconsistent++;
      if (!reported)
        unexplained.push(`${intent.idempotencyKey}: answered ${[...distinctAnswers].join(' and ')}`);
    }
  }
  const evidence: Record<string, string[]> = {};
  const doubles = intents
    .filter((intent) => chargesOf(intent).length > 1)
    .map((intent) => intent.idempotencyKey);
  for (const key of [...unexplained.map((line) => line.slice(0, line.indexOf(':'))), ...doubles]) {
    evidence[key] = log
      .filter((entry) => entry.key === key)
      .map((entry) => {
        const { server, time, msg: _msg, key: _key, owner: _owner, ...rest } = entry;
        return `${String(time ?? '')} server ${server} ${JSON.stringify(rest)}`;
      });
  }
  const faults: Record<string, number> = {};
  for (const fault of options.faults) faults[fault.kind] = (faults[fault.kind] ?? 0) + 1;
  return {
    ok: unexplained.length === 0,
    intents: intents.length,
    answered,
    executions: log.filter((line) => line.outcome === 'executed').length,
    charges,
    staleAttempts: options.staleAttempts,
    doubleCharged,
    inconsistent,
    reported: { outcomeLost: lostKeys.size, takeovers: takeoverKeys.size },
    unexplained,
    evidence,
    outcomesStoredLate: log.filter((line) => line.outcome === 'outcome-stored').length,
    faults,
    shoppers: options.shoppers,
  };
}

/** The verdict as the table the CLI prints. */
export function formatVerdict(verdict: Verdict, seed: number): string {
  const rows: [string, string | number][] = [
    ['seed', seed],
    [
      'faults struck',
      Object.entries(verdict.faults)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ') || 'none',
    ],
    ['intents', verdict.intents],
    ['answered (every request)', verdict.answered],
    [
      'requests sent / without response / 5xx / 409 in progress',
      `${verdict.shoppers.requests} / ${verdict.shoppers.noResponse} / ${verdict.shoppers.serverErrors} / ${verdict.shoppers.inProgress}`,
    ],
    ['handler executions logged', verdict.executions],
    ['charges', verdict.charges],
    ['stale attempts refused by the provider (fencing token)', verdict.staleAttempts],
    ['outcomes stored late (after the store came back)', verdict.outcomesStoredLate],
    ['intents charged twice (reported by the guard)', verdict.doubleCharged],
    ['intents with two answers (reported by the guard)', verdict.inconsistent],
    ['reported: outcome-lost / takeovers', `${verdict.reported.outcomeLost} / ${verdict.reported.takeovers}`],
    ['unexplained', verdict.unexplained.length],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  lines.push(
    verdict.ok
      ? `OK: every intent answered; every double charge or split answer (${verdict.doubleCharged}, ${verdict.inconsistent}) was reported`
      : `FAILED:\n  ${verdict.unexplained
          .slice(0, 10)
          .map(
            (line) =>
              `${line}\n    ${(verdict.evidence[line.slice(0, line.indexOf(':'))] ?? []).join('\n    ')}`,
          )
          .join('\n  ')}`,
  );
  return lines.join('\n');
}
