/** Which periods a library's home page lists, and in what order. */
import type { PeriodType } from '../../domain/forms/definition.js';
import { parsePeriod, recentPeriods } from '../../domain/forms/periods.js';

/** Whether any of these period types has a period older than the `shown` most recent ones. */
export const hasOlderPeriods = (periodTypes: readonly PeriodType[], shown: number, now: Date) =>
  periodTypes.some((periodType) => {
    const next = recentPeriods(periodType, now, shown + 1)[shown];
    // The API knows no period before 2000.
    return next !== undefined && parsePeriod(periodType, next) !== undefined;
  });

/** Rows of each form together, in the order of `formIds`, newest period first. */
export const byFormThenNewest = <Row extends { form: { formId: string }; period: string }>(
  formIds: readonly string[],
  rows: readonly Row[],
): Row[] =>
  [...rows].sort(
    (a, b) =>
      formIds.indexOf(a.form.formId) - formIds.indexOf(b.form.formId) ||
      b.period.localeCompare(a.period),
  );
