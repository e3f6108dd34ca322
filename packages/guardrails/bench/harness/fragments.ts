import { renderTable, type Table } from './markdown.js';

/** Every bench's section, in the order `docs/benchmarks.md` shows them. */
export const SECTIONS = [
  'latency-floor',
  'in-process',
  'throughput',
  'memory-store',
  'duplicates',
  'payloads',
  'scale',
  'peers',
  'hostile-input',
  'below-floor',
] as const;

export type SectionId = (typeof SECTIONS)[number];

/** One bench file's output: a titled section of tables with the notes that explain them. */
export interface Fragment {
  id: SectionId;
  title: string;
  /** What was measured and how, above the tables. */
  method: string;
  tables: { caption?: string; table: Table }[];
  /** Observations below the tables. */
  notes?: string[];
  /** Seconds the bench took, for the run's budget. */
  seconds?: number;
  /** The 1-minute load average when the bench started: the machine is shared. */
  load?: number;
}

export function renderFragment(fragment: Fragment, level = 2): string {
  const parts = [`${'#'.repeat(level)} ${fragment.title}`, fragment.method];
  for (const { caption, table } of fragment.tables) {
    if (caption) parts.push(caption);
    parts.push(renderTable(table));
  }
  if (fragment.notes?.length) parts.push(fragment.notes.map((note) => `- ${note}`).join('\n'));
  if (fragment.seconds !== undefined) {
    const load =
      fragment.load === undefined
        ? ''
        : `, 1-minute load average ${fragment.load.toFixed(1)} when it started`;
    parts.push(`<sub>bench time ${fragment.seconds.toFixed(0)} s${load}</sub>`);
  }
  return parts.join('\n\n');
}
