/** Which periods a library's home page lists, and in what order. */
import type { PeriodType } from '../../domain/forms/definition.js';
import { parsePeriod, recentPeriods } from '../../domain/forms/periods.js';

/**
 * A period type's periods from the `from`-th most recent to before the `to`-th, newest first;
 * none before 2000, which the API does not know.
 */
export const periodsBetween = (periodType: PeriodType, from: number, to: number, now: Date) =>
  recentPeriods(periodType, now, to)
    .slice(from)
    .filter((period) => parsePeriod(periodType, period) !== undefined);

/** Whether any of these period types has a period older than the `shown` most recent ones. */
export const hasOlderPeriods = (periodTypes: readonly PeriodType[], shown: number, now: Date) =>
  periodTypes.some((periodType) => periodsBetween(periodType, shown, shown + 1, now).length > 0);

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
