/** A table as the benches hand it to the writer: a header row and string cells. */
export interface Table {
  head: readonly string[];
  rows: readonly (readonly string[])[];
}

/** GitHub-flavoured markdown; `|` in a cell is escaped. */
export function renderTable({ head, rows }: Table): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
