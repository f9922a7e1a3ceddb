/** Reporting periods (`2025`, `2025-H1`) and their default windows from forms/periods.yaml. */
import type { PeriodsFile, PeriodType } from './definition.js';

const PERIOD_PATTERNS: Record<PeriodType, RegExp> = {
  annual: /^(\d{4})$/,
  'half-year': /^(\d{4})-(H1|H2)$/,
};

export interface ParsedPeriod {
  year: number;
  half?: 'H1' | 'H2';
}

export const parsePeriod = (periodType: PeriodType, period: string): ParsedPeriod | undefined => {
  const match = PERIOD_PATTERNS[periodType].exec(period);
  if (!match?.[1]) return undefined;
  const year = Number(match[1]);
  if (year < 2000 || year > 2100) return undefined;
  return match[2] === 'H1' || match[2] === 'H2' ? { year, half: match[2] } : { year };
};

/** The period year-over-year rules compare with: the same period one year earlier. */
export const previousPeriod = (periodType: PeriodType, period: string): string | undefined => {
  const parsed = parsePeriod(periodType, period);
  if (!parsed) return undefined;
  return parsed.half ? `${parsed.year - 1}-${parsed.half}` : String(parsed.year - 1);
};

export interface PeriodWindow {
  opensAt: string;
  dueAt: string;
  locksAt: string;
}

/**
 * What a filled template must be: an ISO 8601 date-time with its offset. `Date.parse` alone
 * also takes other shapes, e.g. it reads a misspelt `{yr}-06-01` as 1 June 2001.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

const fillTemplate = (template: string, year: number): string => {
  const filled = template.replace(/\{year(?:\+(\d+))?\}/g, (_, offset: string | undefined) =>
    String(year + Number(offset ?? 0)),
  );
  const time = DATE_TIME.test(filled) ? Date.parse(filled) : Number.NaN;
  if (Number.isNaN(time)) throw new Error(`Window template "${template}" gives no valid time`);
  return new Date(time).toISOString();
};

/** The default window of a period, as UTC ISO-8601 times. */
export const defaultWindow = (
  periods: PeriodsFile,
  periodType: PeriodType,
  period: string,
): PeriodWindow | undefined => {
  const parsed = parsePeriod(periodType, period);
  if (!parsed) return undefined;
  const template = periods.windows[parsed.half ?? 'annual'];
  return {
    opensAt: fillTemplate(template.opensAt, parsed.year),
    dueAt: fillTemplate(template.dueAt, parsed.year),
    locksAt: fillTemplate(template.locksAt, parsed.year),
  };
};

/** The year of an instant in Beijing time, where reporting periods and deadlines are set. */
const beijingYearHalf = (now: Date) => {
  const beijing = new Date(now.getTime() + 8 * 60 * 60 * 1000);
  return { year: beijing.getUTCFullYear(), half: beijing.getUTCMonth() < 6 ? 1 : 2 };
};

/**
 * The `count` most recent periods at `now`, newest first: the one running now (whose window
 * may not have opened yet) and those before it, which a library may still be reporting.
 */
export const recentPeriods = (periodType: PeriodType, now: Date, count = 3): string[] => {
  const { year, half } = beijingYearHalf(now);
  return Array.from({ length: count }, (_, index) => {
    if (periodType === 'annual') return String(year - index);
    const halvesBack = half - 1 - index;
    const periodYear = year + Math.floor(halvesBack / 2);
    return `${periodYear}-H${(((halvesBack % 2) + 2) % 2) + 1}`;
  });
};
