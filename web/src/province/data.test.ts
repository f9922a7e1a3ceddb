import { describe, expect, it } from '@jest/globals';
import type { HeadSummary, Library, PeriodView } from '../api.js';
import {
  comparisonRows,
  isLate,
  parseByCity,
  problemCounts,
  progressByCity,
  resubmitStanding,
  sortRows,
} from './data.js';

const DUE = '2026-01-31T15:59:59.000Z';
const BEFORE_DUE = new Date('2026-01-20T00:00:00Z');
const AFTER_DUE = new Date('2026-02-10T00:00:00Z');

const library = (libraryId: string, cityCode: string, cityName: string): Library => ({
  libraryId,
  name: `${libraryId}馆`,
  countyName: libraryId,
  cityCode,
  cityName,
});

const head = (
  libraryId: string,
  status: HeadSummary['status'],
  submittedAt?: string,
  firstSubmittedAt?: string,
): HeadSummary => ({
  libraryId,
  formId: 'county-annual-report',
  period: '2025',
  formVersion: '2026.1',
  status,
  revision: 1,
  explanations: {},
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...(submittedAt ? { submittedAt } : {}),
  ...(firstSubmittedAt ? { firstSubmittedAt } : {}),
  updatedBy: { subject: 'someone', role: 'library', libraryId },
});

describe('isLate', () => {
  it('counts an unreported library as late only once the due date has passed', () => {
    expect(isLate(undefined, DUE, BEFORE_DUE)).toBe(false);
    expect(isLate(undefined, DUE, AFTER_DUE)).toBe(true);
    expect(isLate(head('1', 'returned', '2026-01-10T00:00:00Z'), DUE, AFTER_DUE)).toBe(true);
  });

  it('judges a reported library by when it submitted', () => {
    expect(isLate(head('1', 'submitted', '2026-01-10T00:00:00Z'), DUE, AFTER_DUE)).toBe(false);
    expect(isLate(head('1', 'accepted', '2026-02-01T00:00:00Z'), DUE, AFTER_DUE)).toBe(true);
  });

  it('judges by the first submission, so a return and a late resubmission stay on time', () => {
    const resubmitted = head('1', 'submitted', '2026-02-05T00:00:00Z', '2026-01-10T00:00:00Z');
    expect(isLate(resubmitted, DUE, AFTER_DUE)).toBe(false);
    expect(
      isLate(head('1', 'accepted', '2026-01-10T00:00:00Z', '2026-02-01T00:00:00Z'), DUE, AFTER_DUE),
    ).toBe(true);
  });

  it('counts the due second whole, as the due time is written to the second', () => {
    expect(isLate(head('1', 'submitted', '2026-01-31T15:59:59.800Z'), DUE, AFTER_DUE)).toBe(false);
    expect(isLate(head('1', 'submitted', '2026-01-31T16:00:00.000Z'), DUE, AFTER_DUE)).toBe(true);
    expect(isLate(undefined, DUE, new Date('2026-01-31T15:59:59.800Z'))).toBe(false);
    expect(isLate(undefined, DUE, new Date('2026-01-31T16:00:00.000Z'))).toBe(true);
  });
});

describe('progressByCity', () => {
  const libraries = [
    library('140202', '1402', '大同市'),
    library('140105', '1401', '太原市'),
    library('140106', '1401', '太原市'),
    library('140107', '1401', '太原市'),
  ];
  const heads = [
    head('140105', 'accepted', '2026-01-10T00:00:00Z'),
    head('140106', 'submitted', '2026-02-02T00:00:00Z'),
    head('999999', 'submitted', '2026-01-10T00:00:00Z'),
  ];

  it('tallies each city in city-code order and lists who is behind', () => {
    const { cities, province } = progressByCity(libraries, heads, DUE, AFTER_DUE);
    expect(cities.map((city) => [city.cityName, city.total, city.late])).toEqual([
      ['太原市', 3, 2],
      ['大同市', 1, 1],
    ]);
    const taiyuan = cities[0];
    expect(taiyuan?.byStatus).toEqual({
      missing: 1,
      draft: 0,
      submitted: 1,
      returned: 0,
      accepted: 1,
    });
    expect(
      taiyuan?.behind.map((entry) => [entry.library.libraryId, entry.status, entry.late]),
    ).toEqual([
      ['140106', 'submitted', true],
      ['140107', 'missing', true],
    ]);
    expect(province).toEqual({
      total: 4,
      byStatus: { missing: 2, draft: 0, submitted: 1, returned: 0, accepted: 1 },
      late: 3,
    });
  });

  it('ignores heads of libraries outside the registry', () => {
    const { province } = progressByCity(libraries, heads, DUE, BEFORE_DUE);
    expect(province.total).toBe(4);
    expect(province.late).toBe(1);
  });
});

describe('comparisonRows', () => {
  const csv = [
    'libraryId,name,cityName,status,holdingsTotal,holdingsPerCapita,problemCategories,flags',
    '140105,小店区图书馆,太原市,submitted,120664,0.18,staffShortage;bookFunding,holdingsPerCapitaMin',
    '140106,迎泽区图书馆,太原市,none,,,,',
    '',
  ].join('\r\n');

  it('reads numbers, lists and statuses, with `none` as not started', () => {
    expect(
      comparisonRows(csv, ['holdingsTotal', 'holdingsPerCapita'], 'problemCategories'),
    ).toEqual([
      {
        libraryId: '140105',
        name: '小店区图书馆',
        cityName: '太原市',
        status: 'submitted',
        numbers: { holdingsTotal: 120664, holdingsPerCapita: 0.18 },
        problems: ['staffShortage', 'bookFunding'],
        flags: ['holdingsPerCapitaMin'],
      },
      {
        libraryId: '140106',
        name: '迎泽区图书馆',
        cityName: '太原市',
        status: 'missing',
        numbers: { holdingsTotal: undefined, holdingsPerCapita: undefined },
        problems: [],
        flags: [],
      },
    ]);
  });
});

describe('problem counts', () => {
  it('reads the count per city, even for a name with a colon', () => {
    expect([...parseByCity('太原市:3;大同市:5;a:b市:2;broken')]).toEqual([
      ['太原市', 3],
      ['大同市', 5],
      ['a:b市', 2],
    ]);
  });

  it('reads problems.codes.csv', () => {
    const csv =
      'code,label,libraries,share,libraryNames,byCity\r\nspace,馆舍空间不足,2,50,甲;乙,太原市:2\r\nother,其他,0,0,,\r\n';
    expect(problemCounts(csv)).toEqual([
      { code: 'space', libraries: 2, byCity: new Map([['太原市', 2]]) },
      { code: 'other', libraries: 0, byCity: new Map() },
    ]);
  });
});

describe('sortRows', () => {
  const collator = new Intl.Collator('zh-CN');
  const rows = [{ v: 2 }, { v: undefined }, { v: 10 }, { v: 1 }];

  it('sorts numbers either way and keeps rows without a value last', () => {
    expect(sortRows(rows, (row) => row.v, 'ascending', collator).map((row) => row.v)).toEqual([
      1,
      2,
      10,
      undefined,
    ]);
    expect(sortRows(rows, (row) => row.v, 'descending', collator).map((row) => row.v)).toEqual([
      10,
      2,
      1,
      undefined,
    ]);
  });

  it('sorts text with the collator', () => {
    const names = [{ n: 'b' }, { n: 'a' }, { n: 'c' }];
    expect(sortRows(names, (row) => row.n, 'ascending', collator).map((row) => row.n)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

describe('resubmitStanding', () => {
  const window: PeriodView = {
    formId: 'county-annual-report',
    period: '2025',
    opensAt: '2025-12-31T16:00:00.000Z',
    dueAt: DUE,
    locksAt: '2026-02-28T15:59:59.000Z',
    source: 'default',
    exceptions: [
      {
        libraryId: '140429',
        until: '2026-03-15T15:59:59.000Z',
        grantedBy: { subject: 'admin', role: 'admin' },
        grantedAt: '2026-03-01T00:00:00.000Z',
      },
    ],
  };

  it('is open until the lock, overdue or not', () => {
    expect(resubmitStanding(window, '140725', AFTER_DUE)).toEqual({ state: 'open' });
    expect(resubmitStanding(window, '140725', new Date('2026-02-28T15:59:59.900Z'))).toEqual({
      state: 'open',
    });
  });

  it('is locked after the lock without an exception', () => {
    expect(resubmitStanding(window, '140725', new Date('2026-03-01T00:00:00Z'))).toEqual({
      state: 'locked',
    });
  });

  it('is extended while the exception for the library lasts, and locked after it', () => {
    expect(resubmitStanding(window, '140429', new Date('2026-03-05T00:00:00Z'))).toEqual({
      state: 'extended',
      until: '2026-03-15T15:59:59.000Z',
    });
    expect(resubmitStanding(window, '140429', new Date('2026-03-16T00:00:00Z'))).toEqual({
      state: 'locked',
    });
  });
});
