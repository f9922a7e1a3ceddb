/**
 * The rollup's outputs as tables: comparison, summary, problems, completeness, submissions.
 * Pure: the caller streams the heads in and writes each table twice (Chinese headers for
 * Excel, field keys for programs).
 */
import type { CompiledForm, FormValues } from '../forms/compile.js';
import { answeredValues, computeDerived, withShowWhenInputs } from '../forms/compile.js';
import {
  CSV_VARIANTS,
  type CsvVariant,
  csvColumns,
  formatCell,
  LIST_SEPARATOR,
} from '../forms/csv-layout.js';
import type { Standard } from '../forms/definition.js';
import { keysAcrossVersions } from '../forms/migrate.js';
import { type RollupMetric, rollupSpec } from '../forms/rollup-metrics.js';
import { firstSubmissionOf, submittedOnTime } from '../periods/writable.js';
import type { Library } from '../registry/library.js';
import type { SubmissionHead, SubmissionStatus } from '../submissions/model.js';
import { csvCells } from './csv.js';
import { changePercent, rankDescending, summarize } from './statistics.js';

export type OutputName = 'comparison' | 'summary' | 'problems' | 'completeness' | 'submissions';
export const OUTPUT_NAMES: readonly OutputName[] = [
  'comparison',
  'summary',
  'problems',
  'completeness',
  'submissions',
];

export interface Column {
  key: string;
  /** The Chinese header of the Excel file. */
  label: string;
  format?: (value: unknown, variant: CsvVariant) => string;
}

export interface Table {
  name: OutputName;
  columns: Column[];
  rows: unknown[][];
  /**
   * The cells of each row from column `from` on, already written as CSV text (cells joined
   * with commas) in both variants: a table can be written row by row as its reports come in,
   * rather than all at once at the end. Each must be what the columns' formats make of the
   * row's cells.
   */
  written?: { from: number; rows: Record<CsvVariant, string>[] };
}

/** Only submitted and accepted reports count; drafts and returned ones are listed, not used. */
export const COUNTED: readonly SubmissionStatus[] = ['submitted', 'accepted'];

const STATUS_LABELS: Record<SubmissionStatus | 'none', string> = {
  none: '未填报',
  draft: '草稿',
  submitted: '已提交',
  returned: '已退回',
  accepted: '已通过',
};

const formatStatus = (value: unknown, variant: CsvVariant) =>
  variant === 'zh'
    ? (STATUS_LABELS[value as SubmissionStatus | 'none'] ?? String(value))
    : String(value);

const formatYesNo = (value: unknown, variant: CsvVariant) =>
  value === undefined ? '' : variant === 'zh' ? (value ? '是' : '否') : String(value);

/** Formats that write a value the same way in the Chinese and the codes file. */
const SAME_IN_BOTH = new WeakSet<NonNullable<Column['format']>>();

const roundings = new Map<number, Intl.NumberFormat>();

/**
 * A number rounded to `places` decimals, half away from zero on its decimal digits, as the web
 * app shows it (Intl.NumberFormat), so 1.015 is 1.02 in both (toFixed would give 1.01, from the
 * binary value just below). An integer is kept as it is, without the cost of formatting.
 */
const roundTo = (value: number, places: number): number => {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value;
  let rounding = roundings.get(places);
  if (rounding === undefined) {
    rounding = new Intl.NumberFormat('en-US', {
      maximumFractionDigits: places,
      useGrouping: false,
    });
    roundings.set(places, rounding);
  }
  return Number(rounding.format(value));
};

/** Numbers plain with at most `places` decimals, no thousands separators. */
const fixed = (places: number) => {
  const format = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? String(roundTo(value, places)) : '';
  SAME_IN_BOTH.add(format);
  return format;
};

/**
 * Whether a cell reads the same in the Chinese and the codes file, so that it is formatted
 * once for both: a column formatted by `fixed`, or a plain one whose value is not yes/no.
 */
export const sameInBothVariants = (column: Column, value: unknown): boolean =>
  column.format === undefined ? typeof value !== 'boolean' : SAME_IN_BOTH.has(column.format);

/** Plain cells: numbers as they are, lists joined with `;`, missing values empty. */
export const formatPlain = (value: unknown, variant: CsvVariant): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return formatYesNo(value, variant);
  if (Array.isArray(value)) return value.map(String).join(LIST_SEPARATOR);
  return String(value);
};

/** What the tables are computed from: the active form, the reports and what they compare to. */
export interface RollupSource {
  /** The form version the comparison is laid out by (the active one). */
  form: CompiledForm;
  /** The compiled form a report was written in, for its conditions and derived indicators. */
  formOf: (head: Pick<SubmissionHead, 'formVersion'>) => CompiledForm;
  /**
   * A report's values, written under `version`, in the active version's keys (`upgradeValues`);
   * absent: values are read as stored.
   */
  upgrade?: (values: FormValues, version: string) => FormValues;
  standards: readonly Standard[];
}

export interface RollupContext {
  libraries: readonly Library[];
  /**
   * Counted reports of the previous period, by library: their values as `previousValuesOf`
   * reads them (hidden ones left out by their own version, in the active version's keys).
   */
  previous: ReadonlyMap<string, FormValues>;
  dueAt: string;
}

export interface RollupInput extends RollupSource, RollupContext {
  heads: readonly SubmissionHead[];
}

/**
 * What the tables keep of a report: its listing fields and, when it counts, its values with
 * the indicators derived from them and the standards they fall short of. Explanations, review
 * comments and the rest of the head are not kept.
 */
interface HeadSummary {
  status: SubmissionStatus;
  formVersion: string;
  submittedAt?: string;
  /** What on-time is judged by: the first submission (`firstSubmissionOf`). */
  firstSubmittedAt?: string;
  counted: boolean;
  values: FormValues;
  /** The active form's indicators, rounded to their scale (`roundedDerived`). */
  derived: Record<string, number>;
  flags: Standard[];
  /** A counted report's cells in submissions.csv after the library's, as CSV text. */
  submission?: Record<CsvVariant, string>;
}

interface LibraryRow {
  library: Library;
  head?: HeadSummary;
  counted: boolean;
  values: FormValues;
  derived: Record<string, number>;
  flags: Standard[];
}

const NO_VALUES: FormValues = Object.freeze({});
const NO_DERIVED: Record<string, number> = Object.freeze({});
const NO_FLAGS: Standard[] = [];

const withUnit = (metric: { label: { zh: string }; unit?: { zh: string } }) =>
  metric.unit ? `${metric.label.zh}（${metric.unit.zh}）` : metric.label.zh;

const metricValue = (
  row: Pick<LibraryRow, 'values' | 'derived'>,
  metric: Pick<RollupMetric, 'key' | 'source'>,
): unknown => (metric.source === 'derived' ? row.derived[metric.key] : row.values[metric.key]);

const fallsShort = (standard: Standard, value: unknown): boolean => {
  if (value === undefined || value === null) return false;
  switch (standard.operator) {
    case '>=':
      return (
        typeof value === 'number' && typeof standard.value === 'number' && value < standard.value
      );
    case '<=':
      return (
        typeof value === 'number' && typeof standard.value === 'number' && value > standard.value
      );
    case '==':
      return value !== standard.value;
  }
};

/** The fields the comparison compares with the previous period, in the active version. */
const yearOverYearFields = (form: CompiledForm): string[] =>
  rollupSpec(form).yearOverYear.map((metric) => metric.key);

/**
 * The fields to read of a previous period's reports, written in any of `versions` (every
 * version of the form, compiled): those compared year over year under every name they had,
 * and those each version's showWhen conditions read, which tell whether a kept value was
 * answered.
 */
export const yearOverYearKeys = (
  form: CompiledForm,
  versions: readonly CompiledForm[] = [form],
): string[] => {
  const names = keysAcrossVersions(
    versions.map((version) => version.definition),
    yearOverYearFields(form),
  );
  return [...new Set(versions.flatMap((version) => withShowWhenInputs(version, names)))];
};

/**
 * A report's values as every table reads them: those of fields hidden by its own version's
 * conditions left out, then in the active version's keys.
 */
const readValues = (
  source: Pick<RollupSource, 'formOf' | 'upgrade'>,
  head: Pick<SubmissionHead, 'formVersion' | 'values'>,
): { answered: FormValues; values: FormValues } => {
  const answered = answeredValues(source.formOf(head), head.values);
  const values = source.upgrade ? source.upgrade(answered, head.formVersion) : answered;
  return { answered, values };
};

/**
 * What the comparison keeps of a previous period's counted report (`RollupContext.previous`):
 * its values read as the tables read this period's, and of them only those compared year over
 * year, so a caller need not keep whole reports of the previous period.
 */
export const previousValuesOf = (source: Pick<RollupSource, 'form' | 'formOf' | 'upgrade'>) => {
  const keys = yearOverYearFields(source.form);
  return (head: Pick<SubmissionHead, 'formVersion' | 'values'>): FormValues => {
    const { values } = readValues(source, head);
    const kept: FormValues = {};
    for (const key of keys) if (Object.hasOwn(values, key)) kept[key] = values[key];
    return kept;
  };
};

/**
 * The tables, built as the reports come in: `add` each head of the period (in any order, page
 * by page) and keep only what the tables need of it, then `build` once the registry and the
 * previous period are known.
 */
export class RollupTables {
  private readonly heads = new Map<string, HeadSummary>();
  private readonly standards: { standard: Standard; source: RollupMetric['source'] }[];
  private readonly submissionColumns: Column[];
  private readonly submissionFields: string[];
  /** Decimal places of each indicator of the active form, the scale its column is written to. */
  private readonly scales: ReadonlyMap<string, number>;

  constructor(private readonly source: RollupSource) {
    this.scales = new Map(source.form.derived.map((indicator) => [indicator.key, indicator.scale]));
    const derivedKeys = new Set(this.scales.keys());
    this.standards = source.standards.map((standard) => ({
      standard,
      source: derivedKeys.has(standard.indicator) ? 'derived' : 'field',
    }));
    this.submissionColumns = submissionsColumns(source.form);
    this.submissionFields = csvColumns(source.form).map((column) => column.key);
  }

  /**
   * A counted report's row of submissions.csv from its status on (the cells before are the
   * library's), written as CSV text in both variants now, while later pages are being read.
   */
  private writeSubmission(head: SubmissionHead): Record<CsvVariant, string> {
    const cells = submissionCells(head, this.submissionFields);
    const columns = this.submissionColumns;
    const written = { zh: '', codes: '' };
    for (const variant of CSV_VARIANTS) {
      const texts = cells.map((cell, index) =>
        (columns[SUBMISSION_WRITTEN_FROM + index]?.format ?? formatPlain)(cell, variant),
      );
      written[variant] = csvCells(texts);
    }
    return written;
  }

  /**
   * A report's indicators rounded once to the scale the comparison prints them with, so that
   * flags, ranks and statistics judge the figure the province reads (1.0199… printed 1.02
   * meets "≥ 1.02"; two libraries printed alike share a rank). Only the active form's
   * indicators are kept: no other is compared.
   */
  private roundedDerived(head: SubmissionHead, values: FormValues): Record<string, number> {
    const computed = computeDerived(this.source.formOf(head), values);
    const rounded: Record<string, number> = {};
    for (const [key, scale] of this.scales) {
      const value = computed[key];
      if (value !== undefined) rounded[key] = roundTo(value, scale);
    }
    return rounded;
  }

  /**
   * Adds a report of the period; a later one of the same library replaces it. Of its values,
   * those of fields hidden by their showWhen are left out of every table, as validation left
   * them unchecked: a library with no children's room is not compared on seats it once typed.
   */
  add(head: SubmissionHead): void {
    const counted = COUNTED.includes(head.status);
    // Hidden and derived by the report's own version; compared in the active version's keys.
    const { answered, values } = counted
      ? readValues(this.source, head)
      : { answered: NO_VALUES, values: NO_VALUES };
    const derived = counted ? this.roundedDerived(head, answered) : NO_DERIVED;
    const flags = counted
      ? this.standards
          .filter(({ standard, source }) =>
            fallsShort(
              standard,
              metricValue({ values, derived }, { key: standard.indicator, source }),
            ),
          )
          .map(({ standard }) => standard)
      : NO_FLAGS;
    const firstSubmitted = firstSubmissionOf(head);
    this.heads.set(head.libraryId, {
      status: head.status,
      formVersion: head.formVersion,
      ...(head.submittedAt !== undefined ? { submittedAt: head.submittedAt } : {}),
      ...(firstSubmitted !== undefined ? { firstSubmittedAt: firstSubmitted } : {}),
      counted,
      values,
      derived,
      flags,
      ...(counted ? { submission: this.writeSubmission({ ...head, values }) } : {}),
    });
  }

  build(context: RollupContext): Table[] {
    const { form } = this.source;
    const spec = rollupSpec(form);
    const rows: LibraryRow[] = [...context.libraries]
      .sort((a, b) => a.libraryId.localeCompare(b.libraryId))
      .map((library) => {
        const head = this.heads.get(library.libraryId);
        return head
          ? {
              library,
              head,
              counted: head.counted,
              values: head.values,
              derived: head.derived,
              flags: head.flags,
            }
          : { library, counted: false, values: NO_VALUES, derived: NO_DERIVED, flags: NO_FLAGS };
      });
    const counted = rows.filter((row) => row.counted);
    return [
      comparison(spec.compare, spec.yearOverYear, spec.problems, rows, form, context.previous),
      summary(spec.compare, rows, this.source.standards),
      problems(spec.problems, counted),
      completeness(rows, context.dueAt),
      submissions(this.submissionColumns, this.submissionFields, counted),
    ];
  }
}

export const buildTables = (input: RollupInput): Table[] => {
  const tables = new RollupTables(input);
  for (const head of input.heads) tables.add(head);
  return tables.build(input);
};

const libraryColumns: Column[] = [
  { key: 'libraryId', label: '馆代码' },
  { key: 'name', label: '图书馆' },
  { key: 'cityName', label: '所属市' },
  { key: 'status', label: '填报状态', format: formatStatus },
];
const libraryCells = (row: LibraryRow) => [
  row.library.libraryId,
  row.library.name,
  row.library.cityName,
  row.head?.status ?? 'none',
];

const comparison = (
  compare: readonly RollupMetric[],
  yearOverYear: readonly RollupMetric[],
  problemSpec: ReturnType<typeof rollupSpec>['problems'],
  rows: readonly LibraryRow[],
  form: CompiledForm,
  previousValues: ReadonlyMap<string, FormValues>,
): Table => {
  const ranked = compare.filter((metric) => metric.source === 'derived');
  const ranks = new Map(
    ranked.map((metric) => {
      const values = new Map<string, number>();
      for (const row of rows) {
        const value = metricValue(row, metric);
        if (row.counted && typeof value === 'number') values.set(row.library.libraryId, value);
      }
      return [metric.key, rankDescending(values)] as const;
    }),
  );
  const problemField = problemSpec ? form.fields.get(problemSpec.key) : undefined;
  const columns: Column[] = [
    ...libraryColumns,
    ...compare.map((metric) => {
      const field = form.fields.get(metric.key);
      return {
        key: metric.key,
        label: withUnit(metric),
        format:
          metric.source === 'derived'
            ? // Already rounded to this scale when the report was added; writing is plain.
              fixed(metric.scale ?? 2)
            : field
              ? (value: unknown, variant: CsvVariant) => formatCell(field, value, variant)
              : formatPlain,
      };
    }),
    ...ranked.map((metric) => ({ key: `${metric.key}Rank`, label: `${metric.label.zh}全省排名` })),
    ...yearOverYear.map((metric) => ({
      key: `${metric.key}ChangePct`,
      label: `${metric.label.zh}同比变化（%）`,
      format: fixed(1),
    })),
    ...(problemField
      ? [
          {
            key: problemField.key,
            label: problemField.label.zh,
            format: (value: unknown, variant: CsvVariant) =>
              formatCell(problemField, value, variant),
          },
        ]
      : []),
    {
      key: 'flags',
      label: '未达标项',
      format: (value: unknown, variant: CsvVariant) =>
        (value as Standard[])
          .map((standard) => (variant === 'zh' ? standard.label.zh : standard.key))
          .join(LIST_SEPARATOR),
    },
  ];
  return {
    name: 'comparison',
    columns,
    rows: rows.map((row) => {
      const previous = previousValues.get(row.library.libraryId);
      return [
        ...libraryCells(row),
        ...compare.map((metric) => metricValue(row, metric)),
        ...ranked.map((metric) => ranks.get(metric.key)?.get(row.library.libraryId)),
        ...yearOverYear.map((metric) =>
          row.counted ? changePercent(row.values[metric.key], previous?.[metric.key]) : undefined,
        ),
        ...(problemField ? [row.values[problemField.key]] : []),
        row.flags,
      ];
    }),
  };
};

const summary = (
  compare: readonly RollupMetric[],
  rows: readonly LibraryRow[],
  standards: readonly Standard[],
): Table => {
  const scopes: { name: string; cityCode: string; rows: LibraryRow[] }[] = [
    { name: '全省', cityCode: '', rows: rows.filter((row) => row.counted) },
  ];
  // Every city of the registry gets its rows, so one with nothing counted yet shows as n = 0
  // rather than disappearing from the comparison.
  const cities = new Map<string, { name: string; rows: LibraryRow[] }>();
  for (const row of rows) {
    const city = cities.get(row.library.cityCode) ?? { name: row.library.cityName, rows: [] };
    cities.set(row.library.cityCode, city);
    if (row.counted) city.rows.push(row);
  }
  for (const [cityCode, city] of [...cities].sort(([a], [b]) => a.localeCompare(b))) {
    scopes.push({ name: city.name, cityCode, rows: city.rows });
  }
  const stat = fixed(4);
  const columns: Column[] = [
    { key: 'scope', label: '范围' },
    { key: 'cityCode', label: '市代码' },
    { key: 'metric', label: '指标代码' },
    { key: 'metricLabel', label: '指标' },
    { key: 'n', label: '有效馆数' },
    { key: 'total', label: '合计', format: stat },
    { key: 'mean', label: '平均值', format: stat },
    { key: 'min', label: '最小值', format: stat },
    { key: 'q1', label: '下四分位数', format: stat },
    { key: 'median', label: '中位数', format: stat },
    { key: 'q3', label: '上四分位数', format: stat },
    { key: 'max', label: '最大值', format: stat },
    { key: 'flagged', label: '未达标馆数' },
    { key: 'flaggedShare', label: '未达标比例（%）', format: fixed(1) },
  ];
  const numeric = compare.filter((metric) => metric.numeric);
  const result: unknown[][] = [];
  for (const scope of scopes) {
    for (const metric of numeric) {
      const values: number[] = [];
      for (const row of scope.rows) {
        const value = metricValue(row, metric);
        if (typeof value === 'number') values.push(value);
      }
      const stats = summarize(values);
      result.push([
        scope.name,
        scope.cityCode,
        metric.key,
        withUnit(metric),
        stats?.n ?? 0,
        metric.source === 'field' ? stats?.total : undefined,
        stats?.mean,
        stats?.min,
        stats?.q1,
        stats?.median,
        stats?.q3,
        stats?.max,
        undefined,
        undefined,
      ]);
    }
    for (const standard of standards) {
      let flagged = 0;
      for (const row of scope.rows) if (row.flags.includes(standard)) flagged += 1;
      result.push([
        scope.name,
        scope.cityCode,
        standard.key,
        `未达标：${standard.label.zh}`,
        scope.rows.length,
        ...Array.from({ length: 7 }, () => undefined),
        flagged,
        scope.rows.length > 0 ? (flagged / scope.rows.length) * 100 : undefined,
      ]);
    }
  }
  return { name: 'summary', columns, rows: result };
};

const problems = (
  problemSpec: ReturnType<typeof rollupSpec>['problems'],
  counted: readonly LibraryRow[],
): Table => {
  const columns: Column[] = [
    { key: 'code', label: '问题代码' },
    { key: 'label', label: '问题' },
    { key: 'libraries', label: '报告馆数' },
    { key: 'share', label: '占报送馆比例（%）', format: fixed(1) },
    { key: 'libraryNames', label: '图书馆' },
    { key: 'byCity', label: '按市分布' },
  ];
  if (!problemSpec) return { name: 'problems', columns, rows: [] };
  return {
    name: 'problems',
    columns,
    rows: problemSpec.choices.map((choice) => {
      const reporting = counted.filter((row) => {
        const value = row.values[problemSpec.key];
        return Array.isArray(value) && value.includes(choice.code);
      });
      const byCity = new Map<string, number>();
      for (const row of reporting)
        byCity.set(row.library.cityName, (byCity.get(row.library.cityName) ?? 0) + 1);
      return [
        choice.code,
        choice.label.zh,
        reporting.length,
        counted.length > 0 ? (reporting.length / counted.length) * 100 : undefined,
        reporting.map((row) => row.library.name),
        [...byCity].map(([city, count]) => `${city}:${count}`),
      ];
    }),
  };
};

const completeness = (rows: readonly LibraryRow[], dueAt: string): Table => ({
  name: 'completeness',
  columns: [
    ...libraryColumns,
    { key: 'submittedAt', label: '提交时间（UTC）' },
    { key: 'dueAt', label: '截止时间（UTC）' },
    { key: 'onTime', label: '按时提交', format: formatYesNo },
    // Last, so the columns before keep their places for programs that read them by position.
    { key: 'firstSubmittedAt', label: '首次提交时间（UTC）' },
  ],
  // Whatever the status: a returned report (or one edited since) was still submitted, and
  // when; only a report never submitted has these cells empty.
  rows: rows.map((row) => [
    ...libraryCells(row),
    row.head?.submittedAt,
    dueAt,
    // By the first submission, so that a return and a resubmission after the due time do not
    // make an on-time report late; to the second, as the due time is written.
    row.head ? submittedOnTime(row.head, dueAt) : undefined,
    row.head?.firstSubmittedAt,
  ]),
});

/** The cells of submissions.csv from `SUBMISSION_WRITTEN_FROM` on: status, version, fields. */
const SUBMISSION_WRITTEN_FROM = 3;
const submissionCells = (
  head: Pick<HeadSummary, 'status' | 'formVersion' | 'submittedAt' | 'values'>,
  fields: readonly string[],
): unknown[] => [
  head.status,
  head.formVersion,
  head.submittedAt,
  ...fields.map((key) => head.values[key]),
];

const submissionsColumns = (form: CompiledForm): Column[] => [
  ...libraryColumns,
  { key: 'formVersion', label: '表单版本' },
  { key: 'submittedAt', label: '提交时间（UTC）' },
  ...csvColumns(form).map((column) => ({
    key: column.key,
    label: column.label,
    format: (value: unknown, variant: CsvVariant) => formatCell(column.field, value, variant),
  })),
];

const submissions = (
  columns: Column[],
  fields: readonly string[],
  counted: readonly LibraryRow[],
): Table => {
  const rows: unknown[][] = [];
  const written: Record<CsvVariant, string>[] = [];
  for (const row of counted) {
    if (!row.head?.submission) continue;
    rows.push([
      ...libraryCells(row).slice(0, SUBMISSION_WRITTEN_FROM),
      ...submissionCells(row.head, fields),
    ]);
    written.push(row.head.submission);
  }
  return {
    name: 'submissions',
    columns,
    rows,
    written: { from: SUBMISSION_WRITTEN_FROM, rows: written },
  };
};
