/**
 * What `phoenix demo` shows (pure): one row per PhoenixMarket from its status, the MonitoringStack's
 * conditions, a fixed-width table for a terminal and one-line summaries for logs and pipes.
 */

/** The fields of a PhoenixMarket the demo reads (plain JSON from the API server). */
export interface MarketLike {
  metadata?: { name?: string };
  spec?: { zipCodes?: string[]; collector?: { replicas?: number } };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    conditions?: ConditionLike[];
    lastCollection?: {
      outcome?: string;
      completionTime?: string;
      propertiesStored?: number;
      zipCodesTotal?: number;
      zipCodesCompleted?: number;
    };
  };
}

export interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface StackLike {
  metadata?: { name?: string };
  status?: { conditions?: ConditionLike[] };
}

export interface MarketRow {
  name: string;
  zipCodes: string[];
  readyReplicas: number;
  desiredReplicas: number | undefined;
  /** Status of the Ready condition (`True`, `False`, `Unknown`), `-` before the first status. */
  ready: string;
  readyReason: string;
  /** Outcome of the last collection (`Running`, `Succeeded`, ...) or `-`. */
  collection: string;
  /** The last collection has ended (it has a completion time and is not running). */
  collectionDone: boolean;
  propertiesStored: number | undefined;
  zipProgress: string;
}

function collectionFields(
  last: NonNullable<MarketLike['status']>['lastCollection'],
  zipCount: number,
): Pick<MarketRow, 'collection' | 'collectionDone' | 'propertiesStored' | 'zipProgress'> {
  if (last === undefined) {
    return { collection: '-', collectionDone: false, propertiesStored: undefined, zipProgress: '' };
  }
  const outcome = last.outcome ?? '-';
  return {
    collection: outcome,
    collectionDone: last.completionTime !== undefined && outcome !== 'Running',
    propertiesStored: last.propertiesStored,
    zipProgress: `${last.zipCodesCompleted ?? 0}/${last.zipCodesTotal ?? zipCount}`,
  };
}

export function marketRow(m: MarketLike): MarketRow {
  const status = m.status ?? {};
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const zipCodes = m.spec?.zipCodes ?? [];
  return {
    name: m.metadata?.name ?? '?',
    zipCodes,
    readyReplicas: status.readyReplicas ?? 0,
    desiredReplicas: status.replicas ?? m.spec?.collector?.replicas,
    ready: ready?.status ?? '-',
    readyReason: ready?.reason ?? '',
    ...collectionFields(status.lastCollection, zipCodes.length),
  };
}

/** Every market is Ready and has finished a collection (what `--once` waits for). */
export function allDone(rows: readonly MarketRow[], expected: number): boolean {
  return rows.length >= expected && rows.every((r) => r.ready === 'True' && r.collectionDone);
}

/** Zip codes for a narrow column: the first few and how many more. */
export function zipSummary(zips: readonly string[], shown = 3): string {
  if (zips.length <= shown) return zips.join(',');
  return `${zips.slice(0, shown).join(',')} +${zips.length - shown}`;
}

function replicas(r: MarketRow): string {
  return `${r.readyReplicas}/${r.desiredReplicas ?? '?'}`;
}

function readyCell(r: MarketRow): string {
  return r.readyReason === '' ? r.ready : `${r.ready} (${r.readyReason})`;
}

function collectionCell(r: MarketRow): string {
  if (r.collection === '-') return 'not started';
  return r.zipProgress === '' ? r.collection : `${r.collection} (zip codes ${r.zipProgress})`;
}

const HEADERS = ['MARKET', 'ZIP CODES', 'REPLICAS', 'READY', 'LAST COLLECTION', 'STORED'];

function cells(r: MarketRow): string[] {
  return [
    r.name,
    `${r.zipCodes.length}: ${zipSummary(r.zipCodes)}`,
    replicas(r),
    readyCell(r),
    collectionCell(r),
    r.propertiesStored === undefined ? '-' : String(r.propertiesStored),
  ];
}

/** Left-aligned columns separated by two spaces. */
export function formatColumns(rows: readonly string[][]): string[] {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function conditionText(c: ConditionLike): string {
  return `${c.type}=${c.status}${c.reason === undefined || c.reason === '' ? '' : ` (${c.reason})`}`;
}

export function stackLines(stacks: readonly StackLike[]): string[] {
  if (stacks.length === 0) return ['MonitoringStack: none'];
  return stacks.map((s) => {
    const conditions = s.status?.conditions ?? [];
    const text = conditions.length === 0 ? 'no status yet' : conditions.map(conditionText).join(', ');
    return `MonitoringStack ${s.metadata?.name ?? '?'}: ${text}`;
  });
}

/** The table of markets and the MonitoringStack lines, for a terminal redraw. */
export function renderTable(rows: readonly MarketRow[], stacks: readonly StackLike[]): string {
  const lines = formatColumns([HEADERS, ...rows.map(cells)]);
  return [...lines, '', ...stackLines(stacks)].join('\n');
}

/** One line per market, for logs and pipes (printed when it changes). */
export function progressLine(r: MarketRow): string {
  const stored = r.propertiesStored === undefined ? '' : `, ${r.propertiesStored} properties stored`;
  return `${r.name}: Ready=${readyCell(r)}, replicas ${replicas(r)}, collection ${collectionCell(r)}${stored}`;
}
