/**
 * The province dashboard at /province: pick a form and period, then see who has reported
 * (live), what waits for review, the rollup with its files, and the latest comparison as a
 * table and charts. The choice lives in the URL query, so a reload or a shared link keeps it.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { parsePeriod, recentPeriods } from '../../../domain/forms/periods.js';
import { api, type FormSummary, type Library } from '../api.js';
import type { Session } from '../auth.js';
import { LoadFailed, Loading, useLoad } from '../components.js';
import { type Translator, useT } from '../i18n.js';
import { type City, ComparisonSection } from './comparison.js';
import { CompletenessSection } from './completeness.js';
import { RollupSection, useRollup } from './rollup.js';

const PERIOD_CHOICES = 3;

const query = () => new URLSearchParams(location.search);

/** Rewrites the query without a history entry: choosing a period is not a navigation. */
const replaceQuery = (changes: Record<string, string>) => {
  const next = query();
  for (const [name, value] of Object.entries(changes)) {
    if (value) next.set(name, value);
    else next.delete(name);
  }
  history.replaceState(history.state, '', `${location.pathname}?${next}`);
};

const periodsOf = (form: FormSummary) => recentPeriods(form.periodType, new Date(), PERIOD_CHOICES);

/** The newest period whose window has opened; the newest of all when none has (or none answers). */
const newestOpenPeriod = async (
  formId: string,
  periods: readonly string[],
): Promise<string | undefined> => {
  const windows = await Promise.all(
    periods.map((period) => api.period(formId, period).catch(() => undefined)),
  );
  const now = Date.now();
  const opened = periods.find((_, index) => {
    const window = windows[index];
    return window !== undefined && Date.parse(window.opensAt) <= now;
  });
  return opened ?? periods[0];
};

const periodLabel = (period: string, t: Translator) => {
  const [year, half] = period.split('-');
  if (half === 'H1') return t(`${year} 年上半年`, `${year} first half`);
  if (half === 'H2') return t(`${year} 年下半年`, `${year} second half`);
  return t(`${period} 年度`, period);
};

const citiesOf = (libraries: readonly Library[]): City[] =>
  [...new Map(libraries.map((library) => [library.cityCode, library.cityName]))]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, name]) => ({ code, name }));

export const Dashboard = (_props: { session: Session }) => {
  const t = useT();
  const [loaded, reload] = useLoad(() => Promise.all([api.forms(), api.libraries()]), []);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <LoadFailed error={loaded.error} retry={reload} />;
  const [{ items: forms }, { items: libraries }] = loaded.value;
  const [firstForm] = forms;
  if (!firstForm) {
    return (
      <section class="card">
        <h1>{t('全省概览', 'Province overview')}</h1>
        <p>{t('目前没有启用的表单。', 'No form is active.')}</p>
      </section>
    );
  }
  return <Overview forms={forms} firstForm={firstForm} libraries={libraries} />;
};

const Overview = (props: {
  forms: FormSummary[];
  firstForm: FormSummary;
  libraries: Library[];
}) => {
  const t = useT();
  const [formId, setFormId] = useState(
    () =>
      props.forms.find((form) => form.formId === query().get('form'))?.formId ??
      props.firstForm.formId,
  );
  const form = props.forms.find((candidate) => candidate.formId === formId) ?? props.firstForm;
  // A linked period (any well-formed one, e.g. an old year) joins the recent ones in the picker.
  const linked = useMemo(() => {
    const wanted = query().get('period');
    return wanted && parsePeriod(form.periodType, wanted) ? wanted : undefined;
  }, [form]);
  const periods = useMemo(() => {
    const recent = periodsOf(form);
    return linked && !recent.includes(linked) ? [...recent, linked] : recent;
  }, [form, linked]);
  const [period, setPeriod] = useState<string | undefined>(linked);
  const cities = useMemo(() => citiesOf(props.libraries), [props.libraries]);
  const [cityCode, setCityCode] = useState(() => {
    const wanted = query().get('city');
    return cities.some((city) => city.code === wanted) ? (wanted ?? '') : '';
  });

  useEffect(() => {
    if (period !== undefined) return;
    let current = true;
    void newestOpenPeriod(form.formId, periods).then((found) => {
      if (current) setPeriod(found);
    });
    return () => {
      current = false;
    };
  }, [form.formId, periods, period]);

  useEffect(() => {
    if (period !== undefined) replaceQuery({ form: formId, period, city: cityCode });
  }, [formId, period, cityCode]);

  return (
    <div class="province-dashboard">
      <section class="card" aria-labelledby="dashboard-heading">
        <h1 id="dashboard-heading">{t('全省概览', 'Province overview')}</h1>
        <div class="filters">
          <div class="filter">
            <label for="dashboard-form">{t('表单', 'Form')}</label>
            <select
              id="dashboard-form"
              value={formId}
              onChange={(event) => {
                setFormId(event.currentTarget.value);
                setPeriod(undefined);
              }}
            >
              {props.forms.map((candidate) => (
                <option key={candidate.formId} value={candidate.formId}>
                  {t(candidate.title)}
                </option>
              ))}
            </select>
          </div>
          <div class="filter">
            <label for="dashboard-period">{t('报告期', 'Period')}</label>
            <select
              id="dashboard-period"
              value={period ?? ''}
              disabled={period === undefined}
              onChange={(event) => setPeriod(event.currentTarget.value)}
            >
              {periods.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {periodLabel(candidate, t)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </section>
      {period === undefined ? (
        <Loading />
      ) : (
        <PeriodOverview
          key={`${formId}/${period}`}
          formId={formId}
          period={period}
          libraries={props.libraries}
          cities={cities}
          cityCode={cityCode}
          onCityCode={setCityCode}
        />
      )}
    </div>
  );
};

const PeriodOverview = (props: {
  formId: string;
  period: string;
  libraries: Library[];
  cities: City[];
  cityCode: string;
  onCityCode: (cityCode: string) => void;
}) => {
  const [context, reloadContext] = useLoad(
    () => Promise.all([api.form(props.formId), api.period(props.formId, props.period)]),
    [props.formId, props.period],
  );
  const rollup = useRollup(props.formId, props.period);
  if (context.state === 'loading') return <Loading />;
  if (context.state === 'failed') return <LoadFailed error={context.error} retry={reloadContext} />;
  const [form, window] = context.value;
  const published = rollup.status.state === 'ready' ? rollup.status.value.published : undefined;
  return (
    <>
      <CompletenessSection
        formId={props.formId}
        period={props.period}
        window={window}
        libraries={props.libraries}
      />
      <RollupSection formId={props.formId} period={props.period} rollup={rollup} />
      {published ? (
        <ComparisonSection
          formId={props.formId}
          period={props.period}
          form={form}
          published={published}
          cities={props.cities}
          cityCode={props.cityCode}
          onCityCode={props.onCityCode}
        />
      ) : null}
    </>
  );
};
