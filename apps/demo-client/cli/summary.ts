import type { StormResult } from './storm-run.js';

/** Whether the storm proved the point: one charge per intent, none twice. */
export function stormPassed(result: StormResult): boolean {
  return (
    result.ledger.charges === result.options.intents &&
    result.ledger.doubleCharges === 0 &&
    result.tally.intentsDone === result.options.intents &&
    result.tally.inconsistentIntents === 0
  );
}

/** The summary table: what the client saw beside what the servers' shared ledger counted. */
export function formatSummary(result: StormResult): string {
  const { options, tally, ledger } = result;
  const rows: [string, string | number, string | number][] = [
    ['requests sent', tally.requests, '–'],
    ['executions (handler ran)', tally.executions, ledger.executions],
    ['replays', tally.replays, ledger.replays],
    ['conflicts (409)', tally.conflicts, ledger.conflicts],
    ['rate limited (429)', tally.rateLimited, ledger.limited],
    ['responses lost, retried', tally.lostResponses, ledger.droppedResponses],
    ['server errors (5xx), retried', tally.serverErrors, ledger.storeErrors],
    ['other errors', tally.errors, '–'],
    ['intents completed', `${tally.intentsDone}/${options.intents}`, '–'],
    ['charges', '–', ledger.charges],
    ['double charges', '–', ledger.doubleCharges],
  ];
  const widths = [
    Math.max(...rows.map((row) => row[0].length), 6),
    Math.max(...rows.map((row) => String(row[1]).length), 6),
    Math.max(...rows.map((row) => String(row[2]).length), 6),
  ];
  const format = (cells: (string | number)[]) =>
    `  ${String(cells[0]).padEnd(widths[0]!)}  ${String(cells[1]).padStart(widths[1]!)}  ${String(cells[2]).padStart(widths[2]!)}`;
  const verdict = stormPassed(result)
    ? `OK: charges (${ledger.charges}) == intents (${options.intents})`
    : `FAILED: charges (${ledger.charges}) != intents (${options.intents}) or an intent was charged twice`;
  return [
    `storm: ${options.intents} intents × ${options.duplicates} duplicates over ${options.urls.length} server(s), ` +
      `store: ${result.store}, ${(result.durationMs / 1000).toFixed(1)} s`,
    '',
    format(['', 'client', 'ledger']),
    format(['-'.repeat(widths[0]!), '-'.repeat(widths[1]!), '-'.repeat(widths[2]!)]),
    ...rows.map(format),
    '',
    'client: what the storm saw; ledger: what the servers counted (a lost response hides what it carried).',
    verdict,
  ].join('\n');
}
