/**
 * What the dashboard shows, computed from the registry, the live report heads and the
 * rollup's `.codes.csv` files. Pure, so it is tested without a browser.
 */
import { isWithinBound, submittedOnTime } from '../../../domain/periods/writable.js';
import type { HeadSummary, Library, PeriodView } from '../api.js';
import type { ReportStatus } from '../components.js';
import { libraryWindow } from '../period-window.js';
import { parseCsvRecords } from './csv.js';

/** The report's own page, where the province returns it with comments or accepts it. */
export const reportHref = (libraryId: string, formId: string, period: string) =>
  `/libraries/${libraryId}/submissions/${formId}/${period}`;

/** Reports the rollup counts; anything else has not been reported yet. */
const isReported = (status: ReportStatus) => status === 'submitted' || status === 'accepted';

/**
 * Late: not reported while the due time has passed, or first submitted after it. The server's
 * rule (to the whole second, by the first submission), so the dashboard and the rollup's
 * 按时提交 column agree, and a return with a later resubmission keeps an on-time report on time.
 */
export const isLate = (head: HeadSummary | undefined, dueAt: string, now: Date): boolean => {
  if (!head || !isReported(head.status)) return !isWithinBound(now, dueAt);
  return submittedOnTime(head, dueAt) === false;
};

/**
 * Whether a returned report can still be resubmitted: until the period locks, or past the lock
 * while an administrator's exception for the library lasts (the server's own rule).
 */
export type ResubmitStanding =
  | { state: 'open' }
  | { state: 'extended'; until: string }
  | { state: 'locked' };

export const resubmitStanding = (
  window: PeriodView,
  libraryId: string,
  now: Date,
): ResubmitStanding => {
  const standing = libraryWindow(window, libraryId, now);
  if (standing.state === 'locked') return { state: 'locked' };
  if (standing.state === 'open' && standing.extendedUntil) {
    return { state: 'extended', until: standing.extendedUntil };
  }
  return { state: 'open' };
};

export interface LibraryProgress {
  library: Library;
  status: ReportStatus;
  head?: HeadSummary;
  late: boolean;
}

export interface Progress {
  total: number;
  byStatus: Record<ReportStatus, number>;
  late: number;
}

export interface CityProgress extends Progress {
  cityCode: string;
  cityName: string;
  libraries: LibraryProgress[];
  /** Libraries that have not reported or reported late, for the per-city list. */
  behind: LibraryProgress[];
}

const tally = (libraries: readonly LibraryProgress[]): Progress => {
  const byStatus: Record<ReportStatus, number> = {
    missing: 0,
    draft: 0,
    submitted: 0,
    returned: 0,
    accepted: 0,
  };
  for (const entry of libraries) byStatus[entry.status] += 1;
  return {
    total: libraries.length,
    byStatus,
    late: libraries.filter((entry) => entry.late).length,
  };
};

/** Every registry library's report state, by city (in city-code order), and the province's totals. */
export const progressByCity = (
  libraries: readonly Library[],
  heads: readonly HeadSummary[],
  dueAt: string,
  now: Date,
): { cities: CityProgress[]; province: Progress } => {
  const headOf = new Map(heads.map((head) => [head.libraryId, head]));
  const entries = [...libraries]
    .sort((a, b) => a.libraryId.localeCompare(b.libraryId))
    .map((library): LibraryProgress => {
      const head = headOf.get(library.libraryId);
      return {
        library,
        status: head?.status ?? 'missing',
        ...(head ? { head } : {}),
        late: isLate(head, dueAt, now),
      };
    });
  const byCity = new Map<string, LibraryProgress[]>();
  for (const entry of entries) {
    byCity.set(entry.library.cityCode, [...(byCity.get(entry.library.cityCode) ?? []), entry]);
  }
  const cities = [...byCity]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cityCode, cityEntries]) => ({
      cityCode,
      cityName: cityEntries[0]?.library.cityName ?? cityCode,
      libraries: cityEntries,
      behind: cityEntries.filter((entry) => !isReported(entry.status) || entry.late),
      ...tally(cityEntries),
    }));
  return { cities, province: tally(entries) };
};

/** One library of `comparison.codes.csv`: its numbers, problem codes and failed standards. */
export interface ComparisonRow {
  libraryId: string;
  name: string;
  cityName: string;
  status: ReportStatus;
  numbers: Record<string, number | undefined>;
  problems: string[];
  /** Keys of the standards it falls short of. */
  flags: string[];
}

const STATUSES: readonly ReportStatus[] = ['draft', 'submitted', 'returned', 'accepted'];

const numberOf = (cell: string | undefined): number | undefined => {
  if (cell === undefined || cell.trim() === '') return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
};

/** Lists in the rollup's files are joined with `;`. */
const listOf = (cell: string | undefined): string[] =>
  cell ? cell.split(';').filter(Boolean) : [];

export const comparisonRows = (
  csv: string,
  numericKeys: readonly string[],
  problemKey: string | undefined,
): ComparisonRow[] =>
  parseCsvRecords(csv).map((record) => {
    const status = STATUSES.find((candidate) => candidate === record.status) ?? 'missing';
    return {
      libraryId: record.libraryId ?? '',
      name: record.name ?? '',
      cityName: record.cityName ?? '',
      status,
      numbers: Object.fromEntries(numericKeys.map((key) => [key, numberOf(record[key])])),
      problems: problemKey ? listOf(record[problemKey]) : [],
      flags: listOf(record.flags),
    };
  });

/** One problem code of `problems.codes.csv`: how many libraries reported it, in all and by city name. */
export interface ProblemCount {
  code: string;
  libraries: number;
  byCity: Map<string, number>;
}

/** `太原市:3;大同市:5` → city name → count (the last colon separates, in case a name has one). */
export const parseByCity = (cell: string): Map<string, number> =>
  new Map(
    listOf(cell).flatMap((entry) => {
      const colon = entry.lastIndexOf(':');
      const count = numberOf(entry.slice(colon + 1));
      return colon > 0 && count !== undefined ? [[entry.slice(0, colon), count] as const] : [];
    }),
  );

export const problemCounts = (csv: string): ProblemCount[] =>
  parseCsvRecords(csv).map((record) => ({
    code: record.code ?? '',
    libraries: numberOf(record.libraries) ?? 0,
    byCity: parseByCity(record.byCity ?? ''),
  }));

export type SortDirection = 'ascending' | 'descending';
export type SortValue = number | string | undefined;

/**
 * Rows ordered by one value; rows without a value always come last, so sorting either way
 * keeps the libraries that have not reported out of the way. Equal values keep their order.
 */
export const sortRows = <Row>(
  rows: readonly Row[],
  valueFor: (row: Row) => SortValue,
  direction: SortDirection,
  collator: Intl.Collator,
): Row[] => {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const left = valueFor(a);
    const right = valueFor(b);
    if (left === undefined || right === undefined) {
      return left === right ? 0 : left === undefined ? 1 : -1;
    }
    const order =
      typeof left === 'number' && typeof right === 'number'
        ? left - right
        : collator.compare(String(left), String(right));
    return sign * order;
  });
};
