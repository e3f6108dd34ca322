import type { FailoverRound } from './failover-storm.js';

/** The round as a table, one row per fleet. */
export function formatFailoverRound(round: FailoverRound, durationMs: number): string {
  const header = [
    'client',
    'intents',
    'executions',
    'doubles',
    'unanswered',
    'acked while cut off',
    'lost outcomes',
    'fenced owners',
    'guard reported',
    'p50 ms (quiet)',
    'p99 ms (quiet)',
    'failover ms',
  ];
  const rows = round.verdicts.map((verdict) => [
    verdict.label,
    verdict.intents,
    verdict.executions,
    verdict.doubles.length,
    verdict.unanswered.length,
    round.scenario === 'partition' ? verdict.ackedWhileCut.length : '–',
    verdict.lostOutcomes.length,
    verdict.fencedOwners.length,
    verdict.reported.length,
    verdict.p50,
    verdict.p99,
    round.failover.ms,
  ]);
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  const doubles = round.verdicts.flatMap((verdict) =>
    Object.entries(verdict.why).map(([key, why]) => `  ${verdict.label}: ${key} ran twice: ${why}`),
  );
  return [
    `failover (${round.scenario}): master ${round.failover.killed.port} of slot ${round.failover.slot} SIGKILLed, ` +
      `${round.failover.promoted.port} took over; round ${(durationMs / 1000).toFixed(1)} s`,
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    ...(doubles.length > 0 ? ['doubles:', ...doubles] : []),
  ].join('\n');
}
