/**
 * The rollup of one form and period: what is published, the "run now" button that follows
 * the run until it finishes, and a download control for every file.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  api,
  type PublishedRollup,
  problemText,
  type RollupRun,
  type RollupStatus,
} from '../api.js';
import { Banner, type Loadable, TechnicalDetails } from '../components.js';
import { type Localized, type Translator, useT } from '../i18n.js';
import { TableScroll } from './table-scroll.js';

const POLL_INTERVAL_MS = 1500;
/** A run still unfinished this long after it started was abandoned by its worker (docs/api.md). */
const ABANDONED_AFTER_MS = 20 * 60 * 1000;

const isUnfinished = (run: RollupRun) => run.status === 'queued' || run.status === 'running';

const isAbandoned = (run: RollupRun) =>
  isUnfinished(run) && Date.now() - Date.parse(run.startedAt ?? run.createdAt) > ABANDONED_AFTER_MS;

/** A run worth following: started and neither finished nor abandoned. */
const isInProgress = (run: RollupRun | undefined): run is RollupRun =>
  run !== undefined && isUnfinished(run) && !isAbandoned(run);

export interface RollupState {
  status: Loadable<RollupStatus>;
  starting: boolean;
  /** Why starting or following a run failed; following stops until `retry`. */
  error?: unknown;
  start: () => void;
  retry: () => void;
}

/** Loads the rollup status and, while a run is queued or running, asks again every 1.5 s. */
export const useRollup = (formId: string, period: string): RollupState => {
  const [status, setStatus] = useState<Loadable<RollupStatus>>({ state: 'loading' });
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>();

  const refresh = useCallback(async () => {
    try {
      const value = await api.rollup(formId, period);
      setStatus({ state: 'ready', value });
    } catch (failure) {
      setStatus((current) =>
        current.state === 'ready' ? current : { state: 'failed', error: failure },
      );
      setError(failure);
    }
  }, [formId, period]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    const run = status.state === 'ready' ? status.value.latestRun : undefined;
    if (error !== undefined || !isInProgress(run)) return;
    const timer = setTimeout(() => void refresh(), POLL_INTERVAL_MS);
    return () => clearTimeout(timer);
  }, [status, error, refresh]);

  const start = useCallback(async () => {
    setStarting(true);
    setError(undefined);
    try {
      const run = await api.startRollup(formId, period);
      setStatus((current) => ({
        state: 'ready',
        value: {
          ...(current.state === 'ready' ? current.value : { formId, period }),
          latestRun: run,
        },
      }));
    } catch (failure) {
      setError(failure);
      // A run the worker could not take (503) is recorded as failed: show that record.
      await refresh();
    } finally {
      setStarting(false);
    }
  }, [formId, period, refresh]);

  const retry = useCallback(() => {
    setError(undefined);
    void refresh();
  }, [refresh]);

  return {
    status,
    starting,
    ...(error === undefined ? {} : { error }),
    start: () => void start(),
    retry,
  };
};

const runText = (run: RollupRun | undefined, t: Translator): string => {
  if (!run) return t('该报告期还没有汇总过。', 'This period has not been rolled up yet.');
  if (isAbandoned(run)) {
    return t(
      '上次汇总超过 20 分钟仍未完成，已中断，可以重新汇总。',
      'The last run did not finish within 20 minutes and was abandoned; you can run it again.',
    );
  }
  switch (run.status) {
    case 'queued':
      return t('汇总已排队，等待开始…', 'The rollup is queued…');
    case 'running':
      return t('正在汇总…', 'Rolling up…');
    case 'succeeded':
      return t(
        `最近一次汇总已完成（${t.dateTime(run.finishedAt ?? run.createdAt)}）。`,
        `The last rollup finished at ${t.dateTime(run.finishedAt ?? run.createdAt)}.`,
      );
    // The run's error is the worker's technical text; it is shown apart, under 技术信息.
    case 'failed':
      return t(
        '最近一次汇总未能完成，已发布的数据保持不变。可以重新汇总；如果再次失败，请把技术信息发给信息技术人员。',
        'The last rollup did not finish; the published data is unchanged. Run it again; if it fails again, send the technical details to your IT staff.',
      );
  }
};

const countsText = (counts: NonNullable<RollupRun['counts']>, t: Translator) => {
  const n = (value: number) => t.number(value);
  return t(
    `共 ${n(counts.libraries)} 馆：计入 ${n(counts.counted)} 馆（已通过 ${n(counts.accepted)}，已提交 ${n(counts.submitted)}），已退回 ${n(counts.returned)}，草稿 ${n(counts.draft)}，未填报 ${n(counts.missing)}。`,
    `${n(counts.libraries)} libraries: ${n(counts.counted)} counted (${n(counts.accepted)} accepted, ${n(counts.submitted)} submitted); ${n(counts.returned)} returned, ${n(counts.draft)} drafts, ${n(counts.missing)} not started.`,
  );
};

export const RollupSection = (props: { formId: string; period: string; rollup: RollupState }) => {
  const t = useT();
  const { status, starting, error } = props.rollup;
  if (status.state === 'loading') {
    return (
      <section class="card" aria-labelledby="rollup-heading">
        <h2 id="rollup-heading">{t('汇总与下载', 'Rollup and downloads')}</h2>
        <p class="muted" aria-live="polite">
          {t('正在加载…', 'Loading…')}
        </p>
      </section>
    );
  }
  if (status.state === 'failed') {
    return (
      <section class="card" aria-labelledby="rollup-heading">
        <h2 id="rollup-heading">{t('汇总与下载', 'Rollup and downloads')}</h2>
        <Banner kind="error">{problemText(status.error, t)}</Banner>
        <button type="button" class="button secondary" onClick={props.rollup.retry}>
          {t('重试', 'Retry')}
        </button>
      </section>
    );
  }
  const { latestRun, published } = status.value;
  const running = starting || isInProgress(latestRun);
  const publishedCounts =
    published && latestRun?.runId === published.runId ? latestRun.counts : undefined;
  return (
    <section class="card" aria-labelledby="rollup-heading">
      <h2 id="rollup-heading">{t('汇总与下载', 'Rollup and downloads')}</h2>
      {published ? (
        <p>
          {t(
            `已发布的汇总数据截至 ${t.dateTime(published.asOf)}。`,
            `The published rollup is as of ${t.dateTime(published.asOf)}.`,
          )}
          {publishedCounts ? ` ${countsText(publishedCounts, t)}` : null}
        </p>
      ) : (
        <p>
          {t(
            '还没有已发布的汇总结果。点击“立即汇总”生成对比表、统计和下载文件；每晚 2 点也会自动汇总。',
            'Nothing is published yet. Run the rollup to compile the comparison, statistics and files; it also runs every night at 02:00.',
          )}
        </p>
      )}
      <div class="rollup-run">
        <button
          type="button"
          class="button"
          onClick={props.rollup.start}
          disabled={running}
          aria-describedby="rollup-run-status"
        >
          {t('立即汇总', 'Run rollup now')}
        </button>
        <div id="rollup-run-status" class="rollup-run-status" role="status" aria-live="polite">
          {running ? <progress aria-label={t('汇总进度', 'Rollup progress')} /> : null}
          <span>
            {starting ? t('正在提交汇总请求…', 'Requesting a rollup…') : runText(latestRun, t)}
          </span>
        </div>
      </div>
      {!starting && latestRun?.status === 'failed' && latestRun.error ? (
        <TechnicalDetails text={latestRun.error} />
      ) : null}
      {error === undefined ? null : (
        <Banner kind="error">
          {problemText(error, t)}{' '}
          <button type="button" class="link-button" onClick={props.rollup.retry}>
            {t('刷新状态', 'Refresh the status')}
          </button>
        </Banner>
      )}
      {published ? (
        <Downloads formId={props.formId} period={props.period} published={published} />
      ) : null}
    </section>
  );
};

const OUTPUT_TEXT: Record<string, { title: Localized; description: Localized }> = {
  comparison: {
    title: { zh: '对比表', en: 'Comparison' },
    description: {
      zh: '每馆一行：各项指标、全省排名、同比变化、存在问题和未达标项',
      en: 'One row per library: indicators, province rank, year-over-year change, problems, standards missed',
    },
  },
  summary: {
    title: { zh: '汇总统计', en: 'Summary' },
    description: {
      zh: '全省和各市每项指标的合计、平均值、四分位数和未达标馆数',
      en: 'Totals, means, quartiles and libraries below standard, for the province and each city',
    },
  },
  problems: {
    title: { zh: '问题统计', en: 'Problems' },
    description: {
      zh: '每个问题的报告馆数、占比、馆名和分市分布',
      en: 'How many libraries reported each problem, their share, names and cities',
    },
  },
  completeness: {
    title: { zh: '填报情况', en: 'Completeness' },
    description: {
      zh: '每馆的填报状态、提交时间和是否按时提交',
      en: "Each library's status, submission time and whether it was on time",
    },
  },
  submissions: {
    title: { zh: '全部填报数据', en: 'All submitted data' },
    description: {
      zh: '每份计入的报告一行，含全部字段',
      en: 'One row per counted report with every field',
    },
  },
};

const CODES_SUFFIX = '.codes.csv';
const EXCEL_SUFFIX = '.csv';

/** The files by output, each with its Excel (Chinese headers) and program (field keys) variant. */
const groupFiles = (files: PublishedRollup['files']) => {
  const outputs = new Map<string, { excel?: string; codes?: string; rows: number }>();
  for (const file of files) {
    const codes = file.name.endsWith(CODES_SUFFIX);
    const base = codes
      ? file.name.slice(0, -CODES_SUFFIX.length)
      : file.name.endsWith(EXCEL_SUFFIX)
        ? file.name.slice(0, -EXCEL_SUFFIX.length)
        : file.name;
    const entry = outputs.get(base) ?? { rows: file.rows };
    outputs.set(base, { ...entry, ...(codes ? { codes: file.name } : { excel: file.name }) });
  }
  return [...outputs];
};

const NO_FILE: Localized = {
  zh: '该文件已不在最新的汇总结果中，请刷新页面。',
  en: 'The latest rollup no longer has this file; reload the page.',
};

/**
 * Download links expire after five minutes, so each click asks for fresh ones and follows the
 * file's link; S3 answers with `content-disposition: attachment`, so the page stays.
 */
const Downloads = (props: { formId: string; period: string; published: PublishedRollup }) => {
  const t = useT();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();

  const download = async (name: string) => {
    setBusy(name);
    setError(undefined);
    try {
      const fresh = await api.rollup(props.formId, props.period);
      const file = fresh.published?.files.find((candidate) => candidate.name === name);
      if (!file) throw new ApiError(404, { status: 404, message: NO_FILE });
      const link = document.createElement('a');
      link.href = file.downloadUrl;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };

  const button = (name: string | undefined) =>
    name ? (
      <button
        type="button"
        class="button secondary download-button"
        disabled={busy !== undefined}
        onClick={() => void download(name)}
      >
        {busy === name
          ? t(`正在准备 ${name}…`, `Preparing ${name}…`)
          : t(`下载 ${name}`, `Download ${name}`)}
      </button>
    ) : null;

  return (
    <>
      <h3>{t('下载文件', 'Files')}</h3>
      <p class="muted">
        {t(
          'Excel 用文件带中文表头，可直接用 Excel 打开；程序用文件以字段代码为表头，便于程序处理。',
          'The Excel files have Chinese headers and open directly in Excel; the program files use field keys as headers.',
        )}
      </p>
      <TableScroll label={t('表格：下载文件', 'Table: files')}>
        <table class="files-table">
          <thead>
            <tr>
              <th scope="col">{t('内容', 'Content')}</th>
              <th scope="col" class="number">
                {t('行数', 'Rows')}
              </th>
              <th scope="col">{t('Excel 用（中文表头）', 'For Excel (Chinese headers)')}</th>
              <th scope="col">{t('程序用（字段代码）', 'For programs (field keys)')}</th>
            </tr>
          </thead>
          <tbody>
            {groupFiles(props.published.files).map(([base, files]) => {
              const text = OUTPUT_TEXT[base];
              return (
                <tr key={base}>
                  <th scope="row">
                    {text ? t(text.title) : base}
                    {text ? <div class="muted file-description">{t(text.description)}</div> : null}
                  </th>
                  <td class="number" data-label={t('行数：', 'Rows: ')}>
                    {t.number(files.rows)}
                  </td>
                  <td>{button(files.excel)}</td>
                  <td>{button(files.codes)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      <p class="muted" role="status" aria-live="polite">
        {busy ? t('正在获取下载链接…', 'Getting a download link…') : ''}
      </p>
      {error === undefined ? null : <Banner kind="error">{problemText(error, t)}</Banner>}
    </>
  );
};
