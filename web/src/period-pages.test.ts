import { describe, expect, it } from '@jest/globals';
import { byFormThenNewest, hasOlderPeriods, periodsBetween } from './period-pages.js';

describe('byFormThenNewest', () => {
  it('keeps each form together in the order given, newest period first', () => {
    const row = (formId: string, period: string) => ({ form: { formId }, period });
    const rows = [
      row('annual', '2026'),
      row('half', '2026-H2'),
      row('annual', '2023'),
      row('half', '2025-H1'),
      row('annual', '2025'),
    ];
    expect(byFormThenNewest(['annual', 'half'], rows)).toEqual([
      row('annual', '2026'),
      row('annual', '2025'),
      row('annual', '2023'),
      row('half', '2026-H2'),
      row('half', '2025-H1'),
    ]);
  });
});

describe('hasOlderPeriods', () => {
  const now = new Date('2026-12-01T00:00:00+08:00');

  it('offers earlier years down to 2000 and no further', () => {
    // 27 periods shown: 2026 … 2000; the next would be 1999.
    expect(hasOlderPeriods(['annual'], 26, now)).toBe(true);
    expect(hasOlderPeriods(['annual'], 27, now)).toBe(false);
  });

  it('counts half-years, and any form with older periods is enough', () => {
    // 2026-H2 … 2000-H1 is 54 half-years.
    expect(hasOlderPeriods(['half-year'], 53, now)).toBe(true);
    expect(hasOlderPeriods(['half-year'], 54, now)).toBe(false);
    expect(hasOlderPeriods(['annual', 'half-year'], 27, now)).toBe(true);
  });
});

describe('periodsBetween', () => {
  it('gives the asked slice of recent periods, newest first, and none before 2000', () => {
    const now = new Date('2026-12-01T00:00:00+08:00');
    expect(periodsBetween('annual', 3, 6, now)).toEqual(['2023', '2022', '2021']);
    expect(periodsBetween('annual', 25, 30, now)).toEqual(['2001', '2000']);
    expect(periodsBetween('half-year', 0, 2, now)).toEqual(['2026-H2', '2026-H1']);
  });
});
