/**
 * Who has reported, live from the report heads: counts by city, the libraries behind in each
 * city, and the reports waiting for review. Returning and accepting happen on the report's
 * own page, which each entry links to.
 */
import { firstSubmissionOf, isWithinBound } from '../../../domain/periods/writable.js';
import {
  allSubmissions,
  type HeadSummary,
  type Library,
  type PeriodView,
  problemText,
} from '../api.js';
import {
  Banner,
  Loading,
  type ReportStatus,
  STATUS_TEXT,
  StatusBadge,
  useLoad,
} from '../components.js';
import { type Translator, useT } from '../i18n.js';
import { Link } from '../router.js';
import {
  type LibraryProgress,
  type Progress,
  progressByCity,
  reportHref,
  resubmitStanding,
} from './data.js';
import { TableScroll } from './table-scroll.js';

const COUNT_COLUMNS: readonly ReportStatus[] = [
  'accepted',
  'submitted',
  'returned',
  'draft',
  'missing',
];

const LateBadge = () => {
  const t = useT();
  return <span class="badge late-badge">{t('逾期', 'late')}</span>;
};

/** When a late report first went in: what lateness is judged by, not its latest submission. */
const FirstSubmitted = (props: { head: HeadSummary }) => {
  const t = useT();
  const first = firstSubmissionOf(props.head);
  if (!first) return null;
  return (
    <span class="muted">
      {' '}
      {t(`首次提交于 ${t.dateTime(first)}`, `first submitted ${t.dateTime(first)}`)}
    </span>
  );
};

const reportedShare = (progress: Progress, t: Translator) =>
  progress.total === 0
    ? '–'
    : `${t.number(((progress.byStatus.accepted + progress.byStatus.submitted) / progress.total) * 100, 0)}%`;

const ProgressCells = (props: { progress: Progress }) => {
  const t = useT();
  return (
    <>
      <td class="number">{t.number(props.progress.total)}</td>
      {COUNT_COLUMNS.map((status) => (
        <td key={status} class="number">
          {t.number(props.progress.byStatus[status])}
        </td>
      ))}
      <td class="number">{t.number(props.progress.late)}</td>
      <td class="number">{reportedShare(props.progress, t)}</td>
    </>
  );
};

const LibraryName = (props: { entry: LibraryProgress; formId: string; period: string }) =>
  props.entry.head ? (
    <Link href={reportHref(props.entry.library.libraryId, props.formId, props.period)}>
      {props.entry.library.name}
    </Link>
  ) : (
    props.entry.library.name
  );

export const CompletenessSection = (props: {
  formId: string;
  period: string;
  window: PeriodView;
  libraries: readonly Library[];
}) => {
  const t = useT();
  const [loaded, reload] = useLoad(
    async () => ({ heads: await allSubmissions(props.formId, props.period), at: new Date() }),
    [props.formId, props.period],
  );
  const { dueAt } = props.window;
  const overdue = !isWithinBound(new Date(), dueAt);
  return (
    <>
      <section class="card" aria-labelledby="completeness-heading">
        <div class="section-head">
          <h2 id="completeness-heading">{t('填报情况', 'Completeness')}</h2>
          <button
            type="button"
            class="button secondary"
            onClick={reload}
            disabled={loaded.state === 'loading'}
          >
            {t('刷新', 'Refresh')}
          </button>
        </div>
        <p class="muted">
          {t(
            `截止时间：${t.dateTime(dueAt)}（北京时间）`,
            `Due ${t.dateTime(dueAt)} (Beijing time)`,
          )}
          {overdue ? t('，已过截止时间。', '; the due date has passed.') : null}
        </p>
        {loaded.state === 'loading' ? (
          <Loading />
        ) : loaded.state === 'failed' ? (
          <Banner kind="error">{problemText(loaded.error, t)}</Banner>
        ) : (
          <CityTable
            formId={props.formId}
            period={props.period}
            heads={loaded.value.heads}
            at={loaded.value.at}
            dueAt={dueAt}
            libraries={props.libraries}
          />
        )}
      </section>
      {loaded.state === 'ready' ? (
        <ReviewQueue
          formId={props.formId}
          period={props.period}
          heads={loaded.value.heads}
          at={loaded.value.at}
          window={props.window}
          libraries={props.libraries}
        />
      ) : null}
    </>
  );
};

const CityTable = (props: {
  formId: string;
  period: string;
  heads: readonly HeadSummary[];
  at: Date;
  dueAt: string;
  libraries: readonly Library[];
}) => {
  const t = useT();
  const { cities, province } = progressByCity(props.libraries, props.heads, props.dueAt, props.at);
  const behindCities = cities.filter((city) => city.behind.length > 0);
  return (
    <>
      <p class="muted" role="status" aria-live="polite">
        {t(
          `数据更新于 ${t.dateTime(props.at.toISOString())}`,
          `Updated ${t.dateTime(props.at.toISOString())}`,
        )}
        {props.heads.length === 0
          ? t('。还没有图书馆开始填报。', '. No library has started a report yet.')
          : null}
      </p>
      <TableScroll label={t('表格：各市填报情况', 'Table: completeness by city')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('市', 'City')}</th>
              <th scope="col" class="number">
                {t('馆数', 'Libraries')}
              </th>
              {COUNT_COLUMNS.map((status) => (
                <th key={status} scope="col" class="number">
                  {t(STATUS_TEXT[status])}
                </th>
              ))}
              <th scope="col" class="number">
                {t('逾期', 'Late')}
              </th>
              <th scope="col" class="number">
                {t('报送率', 'Reported')}
              </th>
            </tr>
          </thead>
          <tbody>
            {cities.map((city) => (
              <tr key={city.cityCode}>
                <th scope="row">{city.cityName}</th>
                <ProgressCells progress={city} />
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('全省', 'Province')}</th>
              <ProgressCells progress={province} />
            </tr>
          </tfoot>
        </table>
      </TableScroll>
      <h3 class="subheading">{t('未报送或逾期的图书馆', 'Libraries not reported or late')}</h3>
      {behindCities.length === 0 ? (
        <p>{t('所有图书馆均已按时报送。', 'Every library has reported on time.')}</p>
      ) : (
        <div class="behind-list">
          {behindCities.map((city) => {
            const notReported = city.total - city.byStatus.accepted - city.byStatus.submitted;
            return (
              <details key={city.cityCode}>
                <summary>
                  {t(
                    `${city.cityName}：未报送 ${t.number(notReported)} 家，逾期 ${t.number(city.late)} 家`,
                    `${city.cityName}: ${t.number(notReported)} not reported, ${t.number(city.late)} late`,
                  )}
                </summary>
                <ul>
                  {city.behind.map((entry) => (
                    <li key={entry.library.libraryId}>
                      <LibraryName entry={entry} formId={props.formId} period={props.period} />{' '}
                      <StatusBadge status={entry.status} /> {entry.late ? <LateBadge /> : null}
                      {entry.late && entry.head && entry.status !== 'returned' ? (
                        <FirstSubmitted head={entry.head} />
                      ) : null}
                    </li>
                  ))}
                </ul>
              </details>
            );
          })}
        </div>
      )}
    </>
  );
};

/** Whether a returned report can still be resubmitted, so no one waits on one that cannot. */
const Resubmit = (props: { window: PeriodView; libraryId: string; at: Date }) => {
  const t = useT();
  const standing = resubmitStanding(props.window, props.libraryId, props.at);
  if (standing.state === 'locked') {
    return (
      <div>
        <span class="badge late-badge resubmit-locked">
          {t('已截止，需开通例外才能重新提交', 'Locked: needs an exception to resubmit')}
        </span>
      </div>
    );
  }
  if (standing.state === 'extended') {
    return (
      <div class="muted resubmit-note">
        {t(
          `已开通例外，可重新提交至 ${t.dateTime(standing.until)}`,
          `Exception granted: may resubmit until ${t.dateTime(standing.until)}`,
        )}
      </div>
    );
  }
  return null;
};

const ReviewQueue = (props: {
  formId: string;
  period: string;
  heads: readonly HeadSummary[];
  at: Date;
  window: PeriodView;
  libraries: readonly Library[];
}) => {
  const t = useT();
  const libraryOf = new Map(props.libraries.map((library) => [library.libraryId, library]));
  const withLibrary = (status: ReportStatus) =>
    props.heads.flatMap((head) => {
      const library = libraryOf.get(head.libraryId);
      return head.status === status && library ? [{ head, library }] : [];
    });
  // The longest waiting first; the most recently returned first.
  const toReview = withLibrary('submitted').sort((a, b) =>
    (a.head.submittedAt ?? '').localeCompare(b.head.submittedAt ?? ''),
  );
  const returned = withLibrary('returned').sort((a, b) =>
    (b.head.review?.at ?? '').localeCompare(a.head.review?.at ?? ''),
  );
  const link = (library: Library) => (
    <Link href={reportHref(library.libraryId, props.formId, props.period)}>{library.name}</Link>
  );
  return (
    <section class="card" aria-labelledby="review-heading">
      <h2 id="review-heading">
        {t(`待审核（${t.number(toReview.length)}）`, `To review (${t.number(toReview.length)})`)}
      </h2>
      <p class="muted">
        {t(
          '点击馆名打开报告，在报告页面“通过”或“退回”（可附意见）。',
          "Open a report by its library's name to accept it or return it with comments.",
        )}
      </p>
      {toReview.length === 0 ? (
        <p>{t('没有待审核的报告。', 'No reports are waiting for review.')}</p>
      ) : (
        <TableScroll label={t('表格：待审核的报告', 'Table: reports to review')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('图书馆', 'Library')}</th>
                <th scope="col">{t('所属市', 'City')}</th>
                <th scope="col">{t('提交时间', 'Submitted')}</th>
              </tr>
            </thead>
            <tbody>
              {toReview.map(({ head, library }) => (
                <tr key={library.libraryId}>
                  <th scope="row">{link(library)}</th>
                  <td>{library.cityName}</td>
                  <td>{head.submittedAt ? t.dateTime(head.submittedAt) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h3 class="subheading">
        {t(`已退回（${t.number(returned.length)}）`, `Returned (${t.number(returned.length)})`)}
      </h3>
      {returned.length === 0 ? (
        <p>{t('没有退回待修改的报告。', 'No reports are returned for changes.')}</p>
      ) : (
        <TableScroll label={t('表格：已退回的报告', 'Table: returned reports')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('图书馆', 'Library')}</th>
                <th scope="col">{t('所属市', 'City')}</th>
                <th scope="col">{t('退回时间', 'Returned')}</th>
                <th scope="col">{t('退回意见', 'Comments')}</th>
              </tr>
            </thead>
            <tbody>
              {returned.map(({ head, library }) => (
                <tr key={library.libraryId}>
                  <th scope="row">
                    {link(library)}
                    <Resubmit window={props.window} libraryId={library.libraryId} at={props.at} />
                  </th>
                  <td>{library.cityName}</td>
                  <td>{head.review ? t.dateTime(head.review.at) : '–'}</td>
                  <td class="review-message">{head.review?.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
};
