/**
 * The latest published comparison, read from the rollup's `comparison.codes.csv` and
 * `problems.codes.csv`: a sortable table filtered by city and name, and the charts, for the
 * whole province or one city.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, type FormView, type PublishedRollup, type Standard } from '../api.js';
import {
  Banner,
  LoadFailed,
  Loading,
  type ReportStatus,
  StatusBadge,
  useLoad,
} from '../components.js';
import { type Localized, type Translator, translator, useT } from '../i18n.js';
import { Link } from '../router.js';
import { type DrawnChart, drawFrequencyChart, drawIndicatorChart } from './charts.js';
import {
  type ComparisonRow,
  comparisonRows,
  type ProblemCount,
  problemCounts,
  reportHref,
  type SortDirection,
  type SortValue,
  sortRows,
} from './data.js';
import { TableScroll } from './table-scroll.js';

/** The numbers the table shows, in order (columns of comparison.codes.csv). */
const TABLE_NUMBERS = [
  'servicePopulation',
  'holdingsTotal',
  'holdingsPerCapita',
  'bookFunds',
  'bookFundsPerCapita',
  'staffTotal',
  'staffPer10k',
];
/** The indicators charted library by library against their standard. */
const CHARTED = ['holdingsPerCapita', 'bookFundsPerCapita', 'staffPer10k'];
/** Status sorts by how far a report has come. */
const STATUS_ORDER: readonly ReportStatus[] = [
  'missing',
  'draft',
  'returned',
  'submitted',
  'accepted',
];
const isCounted = (row: ComparisonRow) => row.status === 'submitted' || row.status === 'accepted';

export interface City {
  code: string;
  name: string;
}

/** A field or derived indicator of the form, as the table and charts label it. */
interface Metric {
  key: string;
  label: Localized;
  unit?: Localized;
  digits: number;
}

const metricsOf = (form: FormView): Map<string, Metric> => {
  const metrics = new Map<string, Metric>();
  for (const field of form.sections.flatMap((section) => section.fields)) {
    metrics.set(field.key, {
      key: field.key,
      label: field.label,
      ...(field.unit ? { unit: field.unit } : {}),
      digits: 2,
    });
  }
  for (const indicator of form.derived) {
    metrics.set(indicator.key, {
      key: indicator.key,
      label: indicator.label,
      ...(indicator.unit ? { unit: indicator.unit } : {}),
      digits: indicator.scale,
    });
  }
  return metrics;
};

const metricOf = (metrics: ReadonlyMap<string, Metric>, key: string): Metric =>
  metrics.get(key) ?? { key, label: { zh: key, en: key }, digits: 2 };

/** The standard drawn as a line: a numeric threshold on the indicator. */
const standardOf = (form: FormView, indicator: string): Standard | undefined =>
  form.standards.find(
    (standard) => standard.indicator === indicator && typeof standard.value === 'number',
  );

/** A translator that keeps its identity while the language stays, so memoized charts stay drawn. */
const useStableT = (): Translator => {
  const { lang } = useT();
  return useMemo(() => translator(lang), [lang]);
};

const FILE_UNREADABLE: Localized = {
  zh: '无法读取汇总文件。',
  en: 'Cannot read the rollup files.',
};

/** A file of the published run, fetched straight from its (cross-origin, presigned) link. */
const fetchFile = async (published: PublishedRollup, name: string): Promise<string | undefined> => {
  const file = published.files.find((candidate) => candidate.name === name);
  if (!file) return undefined;
  let response: Response;
  try {
    response = await fetch(file.downloadUrl);
  } catch {
    throw new ApiError(0, { status: 0, message: FILE_UNREADABLE });
  }
  if (!response.ok)
    throw new ApiError(response.status, { status: response.status, message: FILE_UNREADABLE });
  return response.text();
};

export const ComparisonSection = (props: {
  formId: string;
  period: string;
  form: FormView;
  published: PublishedRollup;
  cities: readonly City[];
  cityCode: string;
  onCityCode: (cityCode: string) => void;
}) => {
  const t = useT();
  // Kept here, not in the table, so that they survive the reload after a new run.
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<TableSort>();
  const problemKey = props.form.definition.rollup.problems;
  const retried = useRef(false);
  const [tables, reloadTables] = useLoad(async () => {
    // The links are short-lived: after a failure (a page left open, say) a retry asks for new
    // ones for the same run.
    const fresh = retried.current
      ? (await api.rollup(props.formId, props.period)).published
      : undefined;
    const published = fresh?.runId === props.published.runId ? fresh : props.published;
    const [comparison, problems] = await Promise.all([
      fetchFile(published, 'comparison.codes.csv'),
      fetchFile(published, 'problems.codes.csv'),
    ]);
    return {
      rows: comparison ? comparisonRows(comparison, TABLE_NUMBERS, problemKey) : [],
      problems: problems ? problemCounts(problems) : [],
    };
  }, [props.published.runId]);
  const retryTables = useCallback(() => {
    retried.current = true;
    reloadTables();
  }, [reloadTables]);
  const metrics = useMemo(() => metricsOf(props.form), [props.form]);
  const cityName = props.cities.find((city) => city.code === props.cityCode)?.name;
  const allRows = tables.state === 'ready' ? tables.value.rows : undefined;
  const cityRows = useMemo(
    () =>
      allRows && cityName ? allRows.filter((row) => row.cityName === cityName) : (allRows ?? []),
    [allRows, cityName],
  );

  return (
    <>
      <section class="card" aria-labelledby="comparison-heading">
        <h2 id="comparison-heading">{t('对比表', 'Comparison')}</h2>
        <p class="muted">
          {t(
            `数据截至 ${t.dateTime(props.published.asOf)}，只计入已提交和已通过的报告。完整数据请下载对比表。`,
            `As of ${t.dateTime(props.published.asOf)}; only submitted and accepted reports count. Download the comparison for every column.`,
          )}
        </p>
        <div class="filters">
          <div class="filter">
            <label for="comparison-city">{t('城市', 'City')}</label>
            <select
              id="comparison-city"
              value={props.cityCode}
              onChange={(event) => props.onCityCode(event.currentTarget.value)}
            >
              <option value="">{t('全省', 'All cities')}</option>
              {props.cities.map((city) => (
                <option key={city.code} value={city.code}>
                  {city.name}
                </option>
              ))}
            </select>
          </div>
          <div class="filter">
            <label for="comparison-search">{t('按馆名或馆代码查找', 'Find by name or code')}</label>
            <input
              id="comparison-search"
              type="search"
              value={search}
              onInput={(event) => setSearch(event.currentTarget.value)}
            />
          </div>
        </div>
        {tables.state === 'loading' ? (
          <Loading />
        ) : tables.state === 'failed' ? (
          <LoadFailed error={tables.error} retry={retryTables} />
        ) : (
          <ComparisonTable
            formId={props.formId}
            period={props.period}
            form={props.form}
            metrics={metrics}
            rows={cityRows}
            search={search}
            sort={sort}
            onSort={setSort}
          />
        )}
      </section>
      {tables.state === 'ready' ? (
        <Charts
          form={props.form}
          metrics={metrics}
          rows={cityRows}
          problems={tables.value.problems}
          problemKey={problemKey}
          cityName={cityName}
        />
      ) : null}
    </>
  );
};

interface TableSort {
  key: string;
  direction: SortDirection;
}

interface Column {
  key: string;
  label: string;
  unit?: string;
  /** Numbers align right; lists of problems and flags get room to stay readable. */
  kind: 'text' | 'number' | 'list';
  /** Rankings read best from the top, so numbers sort high to low first. */
  firstDirection: SortDirection;
  sortValue: (row: ComparisonRow) => SortValue;
  cell: (row: ComparisonRow) => ComponentChildren;
}

const cellClass = (column: Column) => (column.kind === 'text' ? undefined : column.kind);

const ComparisonTable = (props: {
  formId: string;
  period: string;
  form: FormView;
  metrics: ReadonlyMap<string, Metric>;
  rows: readonly ComparisonRow[];
  /** Part of a library's name or code. */
  search: string;
  sort: TableSort | undefined;
  onSort: (sort: TableSort) => void;
}) => {
  const t = useT();
  const { sort } = props;
  const list = (items: string[]) => items.join(t.lang === 'zh' ? '、' : ', ');

  const problemField = props.form.sections
    .flatMap((section) => section.fields)
    .find((field) => field.key === props.form.definition.rollup.problems);
  const problemLabel = (code: string) => {
    const choice = problemField?.choices?.find((candidate) => candidate.code === code);
    return choice ? t(choice.label) : code;
  };
  // A flag is named by its indicator ("人均藏书量"); the standard's full text is in the charts.
  const flagLabel = (key: string) => {
    const standard = props.form.standards.find((candidate) => candidate.key === key);
    return standard ? t(metricOf(props.metrics, standard.indicator).label) : key;
  };
  const countOf = (row: ComparisonRow, items: string[]) =>
    isCounted(row) ? items.length : undefined;

  const columns: Column[] = [
    {
      key: 'name',
      label: t('图书馆', 'Library'),
      kind: 'text',
      firstDirection: 'ascending',
      sortValue: (row) => row.name,
      cell: (row) =>
        row.status === 'missing' ? (
          row.name
        ) : (
          <Link href={reportHref(row.libraryId, props.formId, props.period)}>{row.name}</Link>
        ),
    },
    {
      key: 'cityName',
      label: t('所属市', 'City'),
      kind: 'text',
      firstDirection: 'ascending',
      sortValue: (row) => row.cityName,
      cell: (row) => row.cityName,
    },
    {
      key: 'status',
      label: t('状态', 'Status'),
      kind: 'text',
      firstDirection: 'descending',
      sortValue: (row) => STATUS_ORDER.indexOf(row.status),
      cell: (row) => <StatusBadge status={row.status} />,
    },
    ...TABLE_NUMBERS.map((key): Column => {
      const metric = metricOf(props.metrics, key);
      return {
        key,
        label: t(metric.label),
        ...(metric.unit ? { unit: t(metric.unit) } : {}),
        kind: 'number',
        firstDirection: 'descending',
        sortValue: (row) => row.numbers[key],
        cell: (row) => {
          const value = row.numbers[key];
          return value === undefined ? '' : t.number(value, metric.digits);
        },
      };
    }),
    {
      key: 'problems',
      label: problemField ? t(problemField.label) : t('主要问题', 'Main problems'),
      kind: 'list',
      firstDirection: 'descending',
      sortValue: (row) => countOf(row, row.problems),
      cell: (row) => list(row.problems.map(problemLabel)),
    },
    {
      key: 'flags',
      label: t('未达标项', 'Standards missed'),
      kind: 'list',
      firstDirection: 'descending',
      sortValue: (row) => countOf(row, row.flags),
      cell: (row) => list(row.flags.map(flagLabel)),
    },
  ];

  const query = props.search.trim().toLowerCase();
  const matching = query
    ? props.rows.filter(
        (row) => row.name.toLowerCase().includes(query) || row.libraryId.includes(query),
      )
    : props.rows;
  const sortColumn = columns.find((column) => column.key === sort?.key);
  const shown =
    sort && sortColumn
      ? sortRows(matching, sortColumn.sortValue, sort.direction, new Intl.Collator('zh-CN'))
      : matching;
  const counted = props.rows.filter(isCounted).length;

  const toggleSort = (column: Column) =>
    props.onSort(
      sort?.key === column.key
        ? {
            key: column.key,
            direction: sort.direction === 'ascending' ? 'descending' : 'ascending',
          }
        : { key: column.key, direction: column.firstDirection },
    );

  return (
    <>
      <p class="muted" role="status" aria-live="polite">
        {t(
          `显示 ${t.number(shown.length)} / ${t.number(props.rows.length)} 家，其中 ${t.number(counted)} 家计入汇总。`,
          `Showing ${t.number(shown.length)} of ${t.number(props.rows.length)} libraries; ${t.number(counted)} counted.`,
        )}
        {sort && sortColumn
          ? t(
              `按“${sortColumn.label}”${sort.direction === 'ascending' ? '升序' : '降序'}排列。`,
              ` Sorted by ${sortColumn.label}, ${sort.direction}.`,
            )
          : null}
      </p>
      {props.rows.length > 0 && counted === 0 ? (
        <Banner kind="info">
          {t(
            '这次汇总还没有计入任何报告：只有已提交和已通过的报告才计入。',
            'No report counted in this rollup yet: only submitted and accepted reports count.',
          )}
        </Banner>
      ) : null}
      <TableScroll label={t('表格：各馆指标', 'Table: libraries and indicators')}>
        <table class="comparison-table">
          <thead>
            <tr>
              {columns.map((column) => {
                const active = sort?.key === column.key ? sort.direction : undefined;
                return (
                  <th key={column.key} scope="col" class={cellClass(column)} aria-sort={active}>
                    <button type="button" class="sort-button" onClick={() => toggleSort(column)}>
                      <span class="sort-label">
                        {column.label}
                        <span class="sort-indicator" aria-hidden="true">
                          {active === 'ascending' ? '▲' : active === 'descending' ? '▼' : '↕'}
                        </span>
                      </span>
                      {column.unit ? <span class="sort-unit">{column.unit}</span> : null}
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.libraryId}>
                {columns.map((column, index) =>
                  index === 0 ? (
                    <th key={column.key} scope="row">
                      {column.cell(row)}
                    </th>
                  ) : (
                    <td key={column.key} class={cellClass(column)}>
                      {column.cell(row)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
};

/** A chart in a figure; the canvas carries a text summary for screen readers. */
const ChartFigure = (props: {
  caption: string;
  summary: string;
  draw: (canvas: HTMLCanvasElement) => DrawnChart;
}) => {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { draw } = props;
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart = draw(canvas);
    return () => chart.destroy();
  }, [draw]);
  return (
    <figure class="chart-figure">
      <figcaption>{props.caption}</figcaption>
      <div class="chart-box">
        <canvas ref={canvasRef} role="img" aria-label={props.summary} />
      </div>
    </figure>
  );
};

const Charts = (props: {
  form: FormView;
  metrics: ReadonlyMap<string, Metric>;
  rows: readonly ComparisonRow[];
  problems: readonly ProblemCount[];
  problemKey: string | undefined;
  cityName: string | undefined;
}) => {
  const t = useT();
  const scope = props.cityName ?? t('全省', 'the province');
  return (
    <section class="card" aria-labelledby="charts-heading">
      <h2 id="charts-heading">{t('图表', 'Charts')}</h2>
      <p class="muted">
        {t(`范围：${scope}。按上方的城市筛选。`, `Scope: ${scope}, as filtered by city above.`)}
      </p>
      {CHARTED.map((key) => (
        <IndicatorFigure
          key={key}
          metric={metricOf(props.metrics, key)}
          standard={standardOf(props.form, key)}
          rows={props.rows}
          scope={scope}
        />
      ))}
      <ProblemFigure
        form={props.form}
        problems={props.problems}
        problemKey={props.problemKey}
        rows={props.rows}
        cityName={props.cityName}
        scope={scope}
      />
    </section>
  );
};

const IndicatorFigure = (props: {
  metric: Metric;
  standard: Standard | undefined;
  rows: readonly ComparisonRow[];
  scope: string;
}) => {
  const t = useStableT();
  const { metric, standard, rows, scope } = props;
  const figure = useMemo(() => {
    // Values are already rounded to the indicator's places; axis steps (0.05…) may need more.
    const format = (value: number) => t.number(value, 3);
    const series = rows
      .flatMap((row) => {
        const value = row.numbers[metric.key];
        return value === undefined
          ? []
          : [{ name: row.name, value, below: standard ? row.flags.includes(standard.key) : false }];
      })
      .sort((a, b) => b.value - a.value);
    const label = t(metric.label);
    const unit = metric.unit ? t(metric.unit) : undefined;
    const titled = unit ? t(`${label}（${unit}）`, `${label} (${unit})`) : label;
    const standardValue = typeof standard?.value === 'number' ? standard.value : undefined;
    const standardText = standard
      ? `${t(standard.label)}${standard.provisional ? t('（暂定）', ' (provisional)') : ''}`
      : undefined;
    const highest = series[0];
    const lowest = series[series.length - 1];
    const belowCount = series.filter((entry) => entry.below).length;
    // One library is neither highest nor lowest: name it and where it stands against the standard.
    const only = series.length === 1 ? highest : undefined;
    const summary = only
      ? t(
          `${scope}仅 1 家图书馆有${label}数据：${only.name} ${format(only.value)}${standardText ? `，${only.below ? '低于' : '达到'}标准：${standardText}` : ''}。`,
          `${label} in ${scope}: one library with data, ${only.name} ${format(only.value)}${standardText ? `, ${only.below ? 'below' : 'meeting'} the standard (${standardText})` : ''}.`,
        )
      : highest && lowest
        ? t(
            `${scope} ${t.number(series.length)} 家图书馆有${label}数据${standardText ? `，${t.number(belowCount)} 家低于标准：${standardText}` : ''}。最高：${highest.name} ${format(highest.value)}；最低：${lowest.name} ${format(lowest.value)}。`,
            `${label} in ${scope}: ${t.number(series.length)} libraries with data${standardText ? `, ${t.number(belowCount)} below the standard (${standardText})` : ''}. Highest: ${highest.name} ${format(highest.value)}; lowest: ${lowest.name} ${format(lowest.value)}.`,
          )
        : '';
    const caption = standardText
      ? t(
          `${titled}，按馆从高到低；虚线为标准：${standardText}`,
          `${titled} by library, highest first; dashed line: ${standardText}`,
        )
      : t(`${titled}，按馆从高到低`, `${titled} by library, highest first`);
    return {
      caption,
      summary,
      empty: series.length === 0,
      draw: (canvas: HTMLCanvasElement) =>
        drawIndicatorChart(canvas, {
          labels: series.map((entry) => entry.name),
          values: series.map((entry) => entry.value),
          below: series.map((entry) => entry.below),
          legend: {
            indicator: titled,
            meets: t('达到标准', 'Meets the standard'),
            below: t('低于标准', 'Below the standard'),
          },
          ...(standardValue === undefined
            ? {}
            : {
                standard: {
                  value: standardValue,
                  label: t(`标准 ${format(standardValue)}`, `Standard ${format(standardValue)}`),
                },
              }),
          format,
        }),
    };
  }, [t, metric, standard, rows, scope]);
  if (figure.empty) return <EmptyFigure caption={figure.caption} />;
  return <ChartFigure caption={figure.caption} summary={figure.summary} draw={figure.draw} />;
};

const EmptyFigure = (props: { caption: string }) => {
  const t = useT();
  return (
    <figure class="chart-figure">
      <figcaption>{props.caption}</figcaption>
      <p class="muted">{t('没有可显示的数据。', 'No data to show.')}</p>
    </figure>
  );
};

const ProblemFigure = (props: {
  form: FormView;
  problems: readonly ProblemCount[];
  problemKey: string | undefined;
  rows: readonly ComparisonRow[];
  cityName: string | undefined;
  scope: string;
}) => {
  const t = useStableT();
  const { form, problems, problemKey, rows, cityName, scope } = props;
  const figure = useMemo(() => {
    const choices =
      form.sections.flatMap((section) => section.fields).find((field) => field.key === problemKey)
        ?.choices ?? [];
    const labelOf = (code: string) => {
      const choice = choices.find((candidate) => candidate.code === code);
      return choice ? t(choice.label) : code;
    };
    const reporting = rows.filter(isCounted).length;
    const series = problems
      .map((problem) => ({
        label: labelOf(problem.code),
        count: cityName === undefined ? problem.libraries : (problem.byCity.get(cityName) ?? 0),
      }))
      .sort((a, b) => b.count - a.count);
    const share = (count: number) => t.number(reporting === 0 ? 0 : (count / reporting) * 100, 0);
    const caption = t(
      `存在问题：报告各问题的图书馆数（共 ${t.number(reporting)} 家报送，可多选）`,
      `Problems: libraries reporting each (${t.number(reporting)} reporting, several allowed)`,
    );
    const summary = t(
      `${scope} ${t.number(reporting)} 家报送馆中：${series.map((entry) => `${entry.label} ${t.number(entry.count)} 家`).join('；')}。`,
      `Of ${t.number(reporting)} reporting libraries in ${scope}: ${series.map((entry) => `${entry.label} ${t.number(entry.count)}`).join('; ')}.`,
    );
    return {
      caption,
      summary,
      empty: reporting === 0 || series.length === 0,
      draw: (canvas: HTMLCanvasElement) =>
        drawFrequencyChart(canvas, {
          labels: series.map((entry) => entry.label),
          values: series.map((entry) => entry.count),
          legend: t('报告馆数', 'Libraries'),
          describe: (index) => {
            const count = series[index]?.count ?? 0;
            return t(
              `${t.number(count)} 家（占报送馆 ${share(count)}%）`,
              `${t.number(count)} libraries (${share(count)}% of those reporting)`,
            );
          },
          format: (value) => t.number(value, 0),
        }),
    };
  }, [t, form, problems, problemKey, rows, cityName, scope]);
  if (figure.empty) return <EmptyFigure caption={figure.caption} />;
  return <ChartFigure caption={figure.caption} summary={figure.summary} draw={figure.draw} />;
};
