/**
 * A library's page: each form with its recent periods, their status, window and due date,
 * and the province's comments on a returned report; earlier periods on request.
 */
import { useState } from 'preact/hooks';
import {
  api,
  type FormSummary,
  notFoundAsUndefined,
  problemText,
  type SubmissionView,
} from '../api.js';
import type { Session } from '../auth.js';
import {
  Banner,
  LoadFailed,
  Loading,
  type ReportStatus,
  StatusBadge,
  useLoad,
} from '../components.js';
import { type Translator, useT } from '../i18n.js';
import { byFormThenNewest, hasOlderPeriods, periodsBetween } from '../period-pages.js';
import { type LibraryWindow, libraryWindow } from '../period-window.js';
import { Link } from '../router.js';

interface PeriodRow {
  form: FormSummary;
  period: string;
  window: Awaited<ReturnType<typeof api.period>>;
  head?: SubmissionView;
}

/** Periods shown at first, and added by each "earlier periods". */
const PERIODS_PER_PAGE = 3;

/** Each form's periods from the `from`-th most recent to before the `to`-th, newest first. */
const loadPeriodRows = (
  libraryId: string,
  forms: readonly FormSummary[],
  from: number,
  to: number,
): Promise<PeriodRow[]> =>
  Promise.all(
    forms.flatMap((form) =>
      periodsBetween(form.periodType, from, to, new Date()).map(
        async (period): Promise<PeriodRow> => {
          const [window, head] = await Promise.all([
            api.period(form.formId, period),
            api.submission(libraryId, form.formId, period).catch(notFoundAsUndefined),
          ]);
          return { form, period, window, ...(head ? { head } : {}) };
        },
      ),
    ),
  );

const loadHome = async (libraryId: string) => {
  const [{ items: forms }, { items: libraries }] = await Promise.all([
    api.forms(),
    api.libraries(),
  ]);
  const library = libraries.find((candidate) => candidate.libraryId === libraryId);
  return {
    libraryName: library?.name ?? libraryId,
    forms,
    rows: await loadPeriodRows(libraryId, forms, 0, PERIODS_PER_PAGE),
  };
};

/** Older periods the librarian asked for, shown with the recent ones. */
interface EarlierRows {
  shown: number;
  rows: PeriodRow[];
  loading: boolean;
  error?: unknown;
}

const NO_EARLIER_ROWS: EarlierRows = { shown: PERIODS_PER_PAGE, rows: [], loading: false };

/** The window as the library stands in it: an exception keeps a locked period open for it. */
const windowText = (window: LibraryWindow, t: Translator) => {
  if (window.state === 'not-open')
    return t(`${t.date(window.opensAt)} 开放填报`, `Opens ${t.date(window.opensAt)}`);
  if (window.state === 'locked') return t('已截止', 'Closed');
  if (window.extendedUntil) {
    return t(
      `已逾期，本馆可补报至 ${t.date(window.extendedUntil)}`,
      `Overdue; this library may report until ${t.date(window.extendedUntil)}`,
    );
  }
  return window.overdue
    ? t(`已逾期（截止 ${t.date(window.dueAt)}）`, `Overdue (due ${t.date(window.dueAt)})`)
    : t(`截止 ${t.date(window.dueAt)}`, `Due ${t.date(window.dueAt)}`);
};

export const LibraryHome = (props: { session: Session; libraryId: string }) => {
  const t = useT();
  const [loaded, reload] = useLoad(() => loadHome(props.libraryId), [props.libraryId]);
  const [earlier, setEarlier] = useState<EarlierRows>(NO_EARLIER_ROWS);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <LoadFailed error={loaded.error} retry={reload} />;
  const { libraryName, forms } = loaded.value;
  const rows = byFormThenNewest(
    forms.map((form) => form.formId),
    [...loaded.value.rows, ...earlier.rows],
  );
  const showEarlier = async () => {
    const to = earlier.shown + PERIODS_PER_PAGE;
    setEarlier((current) => ({ ...current, loading: true, error: undefined }));
    try {
      const more = await loadPeriodRows(props.libraryId, forms, earlier.shown, to);
      setEarlier((current) => ({ shown: to, rows: [...current.rows, ...more], loading: false }));
    } catch (error) {
      setEarlier((current) => ({ ...current, loading: false, error }));
    }
  };
  return (
    <section>
      <h1>{libraryName}</h1>
      <ul class="period-list">
        {rows.map((row) => {
          const status: ReportStatus = row.head?.status ?? 'missing';
          const href = `/libraries/${props.libraryId}/submissions/${row.form.formId}/${row.period}`;
          // One reading of the window for both the text and the button, so they always agree.
          const window = libraryWindow(row.window, props.libraryId);
          const editable =
            props.session.role === 'library' &&
            window.state === 'open' &&
            (status === 'missing' || status === 'draft' || status === 'returned');
          return (
            <li key={`${row.form.formId}/${row.period}`} class="card period-card">
              <div class="period-head">
                <h2>
                  <Link href={href}>
                    {t(row.form.title)} · {row.period}
                  </Link>
                </h2>
                <StatusBadge status={status} />
              </div>
              <p class="muted">{windowText(window, t)}</p>
              {/* Locked before the report was done: the one way forward is an exception. */}
              {props.session.role === 'library' &&
              window.state === 'locked' &&
              (status === 'missing' || status === 'draft' || status === 'returned') ? (
                <p class="help">
                  {t(
                    '本期填报已截止。如需补报，请联系管理员开通例外。',
                    'This period is closed. To report late, ask an administrator for an exception.',
                  )}
                </p>
              ) : null}
              {row.head?.status === 'returned' && row.head.review ? (
                <Banner kind="warning">
                  <strong>{t('省馆退回意见：', 'Returned by the province: ')}</strong>
                  {row.head.review.message}
                </Banner>
              ) : null}
              <Link class={editable ? 'button' : 'button secondary'} href={href}>
                {editable
                  ? status === 'missing'
                    ? t('开始填报', 'Start the report')
                    : t('继续填报', 'Continue')
                  : t('查看', 'View')}
              </Link>
            </li>
          );
        })}
      </ul>
      {earlier.error ? <Banner kind="error">{problemText(earlier.error, t)}</Banner> : null}
      {hasOlderPeriods(
        forms.map((form) => form.periodType),
        earlier.shown,
        new Date(),
      ) ? (
        <button
          type="button"
          class="button secondary"
          disabled={earlier.loading}
          onClick={() => void showEarlier()}
        >
          {earlier.loading ? t('正在加载…', 'Loading…') : t('更早的期次', 'Earlier periods')}
        </button>
      ) : null}
    </section>
  );
};
