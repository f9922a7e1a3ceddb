import { describe, expect, it } from '@jest/globals';
import type { PeriodsFile } from './definition.js';
import { realPeriods } from './fixtures.js';
import { defaultWindow, parsePeriod, previousPeriod, recentPeriods } from './periods.js';

describe('parsePeriod and previousPeriod', () => {
  it.each([
    ['annual', '2025', { year: 2025 }, '2024'],
    ['annual', '2000', { year: 2000 }, '1999'],
    ['annual', '2100', { year: 2100 }, '2099'],
    ['half-year', '2025-H1', { year: 2025, half: 'H1' }, '2024-H1'],
    ['half-year', '2025-H2', { year: 2025, half: 'H2' }, '2024-H2'],
  ] as const)('%s %s', (type, period, parsed, previous) => {
    expect(parsePeriod(type, period)).toEqual(parsed);
    expect(previousPeriod(type, period)).toBe(previous);
  });

  it.each([
    ['annual', '25'],
    ['annual', '1999'],
    ['annual', '2101'],
    ['annual', '2025-H1'],
    ['annual', ' 2025'],
    ['annual', '2025\n'],
    ['annual', ''],
    ['half-year', '2025'],
    ['half-year', '2025-H3'],
    ['half-year', '2025-h1'],
    ['half-year', '2025H1'],
    ['half-year', '1999-H1'],
  ] as const)('rejects %s %j', (type, period) => {
    expect(parsePeriod(type, period)).toBeUndefined();
    expect(previousPeriod(type, period)).toBeUndefined();
  });
});

describe('defaultWindow', () => {
  const periods = realPeriods();

  it('opens the 2025 annual report on 1 November Beijing time, as UTC', () => {
    expect(defaultWindow(periods, 'annual', '2025')).toEqual({
      opensAt: '2025-10-31T16:00:00.000Z',
      dueAt: '2026-01-31T15:59:59.000Z',
      locksAt: '2026-03-31T15:59:59.000Z',
    });
  });

  it('gives the half-year windows', () => {
    expect(defaultWindow(periods, 'half-year', '2025-H1')).toEqual({
      opensAt: '2025-04-30T16:00:00.000Z',
      dueAt: '2025-07-31T15:59:59.000Z',
      locksAt: '2025-08-31T15:59:59.000Z',
    });
    expect(defaultWindow(periods, 'half-year', '2025-H2')).toEqual(
      defaultWindow(periods, 'annual', '2025'),
    );
  });

  it('is undefined for a period that does not parse', () => {
    expect(defaultWindow(periods, 'annual', '2025-H1')).toBeUndefined();
    expect(defaultWindow(periods, 'half-year', '2025')).toBeUndefined();
  });

  it('throws on a template that gives no valid time', () => {
    const broken: PeriodsFile = {
      windows: { ...periods.windows, annual: { ...periods.windows.annual, dueAt: '{year}-13-45' } },
    };
    expect(() => defaultWindow(broken, 'annual', '2025')).toThrow(
      'Window template "{year}-13-45" gives no valid time',
    );
    const unknown: PeriodsFile = {
      windows: { ...periods.windows, H1: { ...periods.windows.H1, opensAt: '{yr}-06-01' } },
    };
    expect(() => defaultWindow(unknown, 'half-year', '2030-H1')).toThrow(/no valid time/);
  });

  it.each([
    '{year}-06-01',
    'June 1, {year} 00:00',
    '{year}-06-01T00:00:00',
    '{year}-06-01 00:00:00+08:00',
  ])('throws on %j, a time that is not ISO 8601 with an offset', (opensAt) => {
    const loose: PeriodsFile = {
      windows: { ...periods.windows, H1: { ...periods.windows.H1, opensAt } },
    };
    expect(() => defaultWindow(loose, 'half-year', '2030-H1')).toThrow(/no valid time/);
  });

  it('fills {year+n} offsets', () => {
    const custom: PeriodsFile = {
      windows: {
        ...periods.windows,
        annual: {
          opensAt: '{year}-01-01T00:00:00Z',
          dueAt: '{year+1}-01-01T00:00:00Z',
          locksAt: '{year+2}-01-01T00:00:00Z',
        },
      },
    };
    expect(defaultWindow(custom, 'annual', '2030')).toEqual({
      opensAt: '2030-01-01T00:00:00.000Z',
      dueAt: '2031-01-01T00:00:00.000Z',
      locksAt: '2032-01-01T00:00:00.000Z',
    });
  });
});

describe('recentPeriods', () => {
  it('lists the running year and those before it, in Beijing time', () => {
    expect(recentPeriods('annual', new Date('2026-11-30T12:00:00Z'))).toEqual([
      '2026',
      '2025',
      '2024',
    ]);
    // 2026-12-31T17:00Z is already 2027-01-01 in Beijing.
    expect(recentPeriods('annual', new Date('2026-12-31T17:00:00Z'), 2)).toEqual(['2027', '2026']);
  });

  it('lists halves across a year boundary', () => {
    expect(recentPeriods('half-year', new Date('2026-03-01T00:00:00Z'), 4)).toEqual([
      '2026-H1',
      '2025-H2',
      '2025-H1',
      '2024-H2',
    ]);
    expect(recentPeriods('half-year', new Date('2026-08-01T00:00:00Z'), 2)).toEqual([
      '2026-H2',
      '2026-H1',
    ]);
  });
});
