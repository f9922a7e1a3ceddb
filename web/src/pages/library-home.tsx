/**
 * A library's page: each form with its recent periods, their status, window and due date,
 * and the province's comments on a returned report.
 */
import { recentPeriods } from '../../../domain/forms/periods.js';
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
  Loading,
  libraryMayWrite,
  type ReportStatus,
  StatusBadge,
  useLoad,
} from '../components.js';
import { useT } from '../i18n.js';
import { Link } from '../router.js';

interface PeriodRow {
  form: FormSummary;
  period: string;
  window: Awaited<ReturnType<typeof api.period>>;
  head?: SubmissionView;
}

const loadRows = async (libraryId: string): Promise<{ libraryName: string; rows: PeriodRow[] }> => {
  const [{ items: forms }, { items: libraries }] = await Promise.all([
    api.forms(),
    api.libraries(),
  ]);
  const library = libraries.find((candidate) => candidate.libraryId === libraryId);
  const rows = await Promise.all(
    forms.flatMap((form) =>
      recentPeriods(form.periodType, new Date()).map(async (period): Promise<PeriodRow> => {
        const [window, head] = await Promise.all([
          api.period(form.formId, period),
          api.submission(libraryId, form.formId, period).catch(notFoundAsUndefined),
        ]);
        return { form, period, window, ...(head ? { head } : {}) };
      }),
    ),
  );
  return { libraryName: library?.name ?? libraryId, rows };
};

const windowText = (row: PeriodRow, t: ReturnType<typeof useT>) => {
  const now = Date.now();
  if (now < Date.parse(row.window.opensAt))
    return t(`${t.date(row.window.opensAt)} 开放填报`, `Opens ${t.date(row.window.opensAt)}`);
  if (now > Date.parse(row.window.locksAt)) return t('已截止', 'Closed');
  const overdue = now > Date.parse(row.window.dueAt);
  return overdue
    ? t(`已逾期（截止 ${t.date(row.window.dueAt)}）`, `Overdue (due ${t.date(row.window.dueAt)})`)
    : t(`截止 ${t.date(row.window.dueAt)}`, `Due ${t.date(row.window.dueAt)}`);
};

export const LibraryHome = (props: { session: Session; libraryId: string }) => {
  const t = useT();
  const [loaded] = useLoad(() => loadRows(props.libraryId), [props.libraryId]);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed')
    return <Banner kind="error">{problemText(loaded.error, t)}</Banner>;
  const { libraryName, rows } = loaded.value;
  return (
    <section>
      <h1>{libraryName}</h1>
      <ul class="period-list">
        {rows.map((row) => {
          const status: ReportStatus = row.head?.status ?? 'missing';
          const href = `/libraries/${props.libraryId}/submissions/${row.form.formId}/${row.period}`;
          const editable =
            props.session.role === 'library' &&
            libraryMayWrite(row.window, props.libraryId) &&
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
              <p class="muted">{windowText(row, t)}</p>
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
    </section>
  );
};
