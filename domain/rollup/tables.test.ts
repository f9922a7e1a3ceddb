import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { FormValues } from '../forms/compile.js';
import type { Standard } from '../forms/definition.js';
import { wuxiangReport2025 } from '../forms/fixtures.js';
import { childrenRoomForm, ROOM, SEAT_SHARE, SEATS } from '../forms/show-when-fixtures.js';
import type { SubmissionHead } from '../submissions/model.js';
import {
  DUE_AT,
  fixtureHeads,
  fixtureInput,
  fixtureLibraries,
  headOf,
  LOUFAN,
  LOUFAN_NAME,
  loufanReport2025,
  QINGXU,
  QINGXU_DETAILS,
  QINXIAN,
  QINYUAN,
  qingxuReport2025,
  WUXIANG,
  YANGQU,
} from './__fixtures__/province.js';
import { csvCells } from './csv.js';
import { renderTables } from './render.js';
import {
  buildTables,
  formatPlain,
  OUTPUT_NAMES,
  type OutputName,
  previousValuesOf,
  type RollupInput,
  RollupTables,
  sameInBothVariants,
  type Table,
  yearOverYearKeys,
} from './tables.js';

const tables = (input: RollupInput = fixtureInput()) => buildTables(input);

const tableOf = (name: OutputName, input?: RollupInput): Table => {
  const table = tables(input).find((candidate) => candidate.name === name);
  if (!table) throw new Error(`No table ${name}`);
  return table;
};

const columnIndex = (table: Table, key: string): number => {
  const index = table.columns.findIndex((column) => column.key === key);
  if (index < 0) throw new Error(`No column ${key} in ${table.name}`);
  return index;
};

/** Every cell of the row whose first cell is `first`, by column key. */
const rowOf = (table: Table, first: string): Record<string, unknown> => {
  const row = table.rows.find((candidate) => candidate[0] === first);
  if (!row) throw new Error(`No row ${first} in ${table.name}`);
  return Object.fromEntries(table.columns.map((column, index) => [column.key, row[index]]));
};

/** The summary row of a scope ('全省' or a city name) and a metric or standard key. */
const summaryRow = (
  scope: string,
  metric: string,
  input?: RollupInput,
): Record<string, unknown> => {
  const table = tableOf('summary', input);
  const scopeAt = columnIndex(table, 'scope');
  const metricAt = columnIndex(table, 'metric');
  const row = table.rows.find(
    (candidate) => candidate[scopeAt] === scope && candidate[metricAt] === metric,
  );
  if (!row) throw new Error(`No summary row ${scope} ${metric}`);
  return Object.fromEntries(table.columns.map((column, index) => [column.key, row[index]]));
};

/** The keys of the standards in a `flags` cell. */
const flagKeys = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap((item: unknown) =>
        typeof item === 'object' && item !== null && 'key' in item && typeof item.key === 'string'
          ? [item.key]
          : [],
      )
    : [];

const ALL_IDS = [QINGXU, YANGQU, LOUFAN, WUXIANG, QINXIAN, QINYUAN];

/**
 * The fixture with 沁县 resubmitted, its indicators just under standards they print equal to:
 * holdings 1.0199… (scale 2), new acquisitions 0.01990… (scale 3), staff 0.4975… (scale 1).
 */
const withValuesRoundingUp = (): RollupInput => {
  const input = fixtureInput();
  const heads = input.heads.map((head) =>
    head.libraryId === QINXIAN
      ? {
          ...head,
          status: 'submitted' as const,
          values: {
            ...head.values,
            servicePopulation: 100500,
            holdingsTotal: 102500,
            newAcquisitions: 2000,
            staffTotal: 5,
            staffEstablished: 5,
          },
        }
      : head,
  );
  return { ...input, heads };
};

describe('buildTables', () => {
  it('builds the five outputs in order', () => {
    expect(tables().map((table) => table.name)).toEqual([...OUTPUT_NAMES]);
  });

  it('gives every row as many cells as its table has columns', () => {
    for (const table of tables()) {
      for (const row of table.rows) expect(row).toHaveLength(table.columns.length);
    }
  });
});

describe('comparison', () => {
  const comparison = () => tableOf('comparison');

  it('has one row per registry library, ordered by code, with its status', () => {
    const table = comparison();
    expect(table.rows).toHaveLength(fixtureLibraries().length);
    expect(table.rows.map((row) => row[0])).toEqual(ALL_IDS);
    expect(table.rows.map((row) => row[columnIndex(table, 'status')])).toEqual([
      'submitted',
      'draft',
      'submitted',
      'accepted',
      'returned',
      'none',
    ]);
    expect(rowOf(table, LOUFAN)).toMatchObject({ name: LOUFAN_NAME, cityName: '太原市' });
  });

  it('leaves every value of a draft, a returned report and a missing one empty', () => {
    const table = comparison();
    const libraryKeys = new Set(['libraryId', 'name', 'cityName', 'status']);
    for (const id of [YANGQU, QINXIAN, QINYUAN]) {
      const row = rowOf(table, id);
      for (const [key, value] of Object.entries(row)) {
        if (libraryKeys.has(key)) continue;
        if (key === 'flags') expect(value).toEqual([]);
        else expect({ key, value }).toEqual({ key, value: undefined });
      }
    }
  });

  it('copies the compared fields of a counted report', () => {
    expect(rowOf(comparison(), WUXIANG)).toMatchObject({
      servicePopulation: 165000,
      floorArea: 2861.4,
      holdingsTotal: 129000,
      newAcquisitions: 2200,
      visits: 80000,
      loans: 60000,
      eventsTotal: 48,
      staffTotal: 6,
      staffEstablished: 5,
      fundingTotal: 1290000,
      bookFunds: 30000,
      dedicatedBookBudget: false,
      problemCategories: ['space', 'staffShortage', 'bookFunding'],
    });
  });

  it('computes the derived indicators by their formulas (hand-computed)', () => {
    const table = comparison();
    const qingxu = rowOf(table, QINGXU);
    // 250000 / 200000, 5000 / 200000, 300000 / 200000, 150000 / 200000,
    // 4000 / 200000 * 1000, 12 / 200000 * 10000, (1 + 5) / 12, 400000 / 200000, 2400000 / 200000
    expect(qingxu.holdingsPerCapita).toBeCloseTo(1.25, 10);
    expect(qingxu.newAcquisitionsPerCapita).toBeCloseTo(0.025, 10);
    expect(qingxu.visitsPerCapita).toBeCloseTo(1.5, 10);
    expect(qingxu.loansPerCapita).toBeCloseTo(0.75, 10);
    expect(qingxu.floorAreaPer1000).toBeCloseTo(20, 10);
    expect(qingxu.staffPer10k).toBeCloseTo(0.6, 10);
    expect(qingxu.professionalShare).toBeCloseTo(0.5, 10);
    expect(qingxu.bookFundsPerCapita).toBeCloseTo(2, 10);
    expect(qingxu.fundingPerCapita).toBeCloseTo(12, 10);

    // Rounded once to each indicator's scale, as the files print them.
    const wuxiang = rowOf(table, WUXIANG);
    expect(wuxiang.holdingsPerCapita).toBe(0.78); // 129000 / 165000 = 0.7818…, scale 2
    expect(wuxiang.newAcquisitionsPerCapita).toBe(0.013); // 2200 / 165000 = 0.01333…, scale 3
    expect(wuxiang.visitsPerCapita).toBe(0.48); // 80000 / 165000 = 0.4848…
    expect(wuxiang.loansPerCapita).toBe(0.36); // 60000 / 165000 = 0.3636…
    expect(wuxiang.floorAreaPer1000).toBe(17.3); // 2861.4 / 165000 * 1000 = 17.3418…, scale 1
    expect(wuxiang.staffPer10k).toBe(0.4); // 6 / 165000 * 10000 = 0.3636…, scale 1
    expect(wuxiang.professionalShare).toBe(0.333); // (0 + 2) / 6, scale 3
    expect(wuxiang.bookFundsPerCapita).toBe(0.18); // 30000 / 165000 = 0.1818…
    expect(wuxiang.fundingPerCapita).toBe(7.82); // 1290000 / 165000 = 7.8181…
  });

  it('leaves an indicator empty when an optional input is missing', () => {
    const loufan = rowOf(comparison(), LOUFAN);
    // staffSeniorTitle and staffMidTitle were left empty.
    expect(loufan.professionalShare).toBeUndefined();
    expect(loufan.professionalShareRank).toBeUndefined();
    expect(loufan.holdingsPerCapita).toBeCloseTo(1.02, 10);
  });

  it('rounds indicators in the files to the scale the form declares', () => {
    const table = comparison();
    const formatted = (key: string, id: string, variant: 'zh' | 'codes' = 'zh') => {
      const column = table.columns[columnIndex(table, key)];
      return column?.format?.(rowOf(table, id)[key], variant);
    };
    expect(formatted('holdingsPerCapita', WUXIANG)).toBe('0.78'); // scale 2
    expect(formatted('newAcquisitionsPerCapita', WUXIANG)).toBe('0.013'); // scale 3
    expect(formatted('floorAreaPer1000', WUXIANG)).toBe('17.3'); // scale 1
    expect(formatted('professionalShare', WUXIANG)).toBe('0.333'); // scale 3
    expect(formatted('staffPer10k', LOUFAN)).toBe('0.4'); // 0.39999… in binary
    expect(formatted('professionalShare', LOUFAN)).toBe('');
    expect(formatted('dedicatedBookBudget', WUXIANG)).toBe('否');
    expect(formatted('dedicatedBookBudget', WUXIANG, 'codes')).toBe('false');
    expect(formatted('problemCategories', QINGXU)).toBe('馆舍空间不足;专业人才缺乏');
    expect(formatted('problemCategories', QINGXU, 'codes')).toBe('space;staffExpertise');
  });

  it('ranks the counted libraries on each indicator, highest first, ties sharing a rank', () => {
    const table = comparison();
    const ranks = (key: string) =>
      Object.fromEntries(ALL_IDS.map((id) => [id, rowOf(table, id)[`${key}Rank`]]));
    const none = { [YANGQU]: undefined, [QINXIAN]: undefined, [QINYUAN]: undefined };
    // 1.25, 1.02, 0.78
    expect(ranks('holdingsPerCapita')).toEqual({ [QINGXU]: 1, [LOUFAN]: 2, [WUXIANG]: 3, ...none });
    // 20, 17.0, 17.34: 武乡 has the larger floor area per person than 娄烦.
    expect(ranks('floorAreaPer1000')).toEqual({ [QINGXU]: 1, [WUXIANG]: 2, [LOUFAN]: 3, ...none });
    // 12, 12, 7.82: a tie at the top.
    expect(ranks('fundingPerCapita')).toEqual({ [QINGXU]: 1, [LOUFAN]: 1, [WUXIANG]: 3, ...none });
    // 0.5, missing, 0.33: a library without the value is not ranked.
    expect(ranks('professionalShare')).toEqual({
      [QINGXU]: 1,
      [LOUFAN]: undefined,
      [WUXIANG]: 2,
      ...none,
    });
    // 0.6, 0.4, 0.3636… printed 0.4: values that print alike tie.
    expect(ranks('staffPer10k')).toEqual({ [QINGXU]: 1, [LOUFAN]: 2, [WUXIANG]: 2, ...none });
  });

  it('ties what prints alike and ranks the next after all of them (1, 2, 2, 4)', () => {
    const table = tableOf('comparison', withValuesRoundingUp());
    const ranks = (key: string) =>
      [QINGXU, LOUFAN, QINXIAN, WUXIANG].map((id) => rowOf(table, id)[`${key}Rank`]);
    // 1.25; 1.02 and 1.0199… printed 1.02; 0.78.
    expect(ranks('holdingsPerCapita')).toEqual([1, 2, 2, 4]);
    // 0.6; 0.4; 0.4975… printed 0.5; 0.3636… printed 0.4.
    expect(ranks('staffPer10k')).toEqual([1, 3, 2, 3]);
  });

  it('computes the year-over-year change in percent against the previous period', () => {
    const table = comparison();
    const qingxu = rowOf(table, QINGXU);
    expect(qingxu.holdingsTotalChangePct).toBeCloseTo(((250000 - 240000) / 240000) * 100, 10);
    expect(qingxu.fundingTotalChangePct).toBeCloseTo(20, 10);
    expect(qingxu.bookFundsChangePct).toBeCloseTo(-20, 10);
    expect(qingxu.staffTotalChangePct).toBeCloseTo(-25, 10);

    const wuxiang = rowOf(table, WUXIANG);
    expect(wuxiang.holdingsTotalChangePct).toBeCloseTo(7.5, 10);
    expect(wuxiang.fundingTotalChangePct).toBeCloseTo(-14, 10);
    // The previous book funds were 0: no percentage.
    expect(wuxiang.bookFundsChangePct).toBeUndefined();
    expect(wuxiang.staffTotalChangePct).toBe(0);
  });

  it('leaves the change empty without a counted previous report', () => {
    const table = comparison();
    for (const key of [
      'holdingsTotalChangePct',
      'fundingTotalChangePct',
      'bookFundsChangePct',
      'staffTotalChangePct',
    ]) {
      // 娄烦 had only a draft in 2024; 沁县 has a 2024 report but none counted now.
      expect(rowOf(table, LOUFAN)[key]).toBeUndefined();
      expect(rowOf(table, QINXIAN)[key]).toBeUndefined();
    }
    const withoutPrevious = rowOf(
      tableOf('comparison', { ...fixtureInput(), previous: new Map() }),
      QINGXU,
    );
    expect(withoutPrevious.holdingsTotalChangePct).toBeUndefined();
  });

  it('flags exactly the standards a library falls short of', () => {
    const table = comparison();
    // Floor area 4000 m² < 5000; every per-capita value meets its standard.
    expect(flagKeys(rowOf(table, QINGXU).flags)).toEqual(['floorAreaMin']);
    // Holdings per capita exactly 1.02 and new acquisitions exactly 0.02 are not short.
    expect(flagKeys(rowOf(table, LOUFAN).flags)).toEqual([
      'bookFundsPerCapitaMin', // 1.0 < 1.6
      'loansMin', // 40000 < 120000
      'floorAreaMin', // 1700 < 5000
      'staffPer10kMin', // 0.4 < 0.5
    ]);
    expect(flagKeys(rowOf(table, WUXIANG).flags)).toEqual([
      'holdingsPerCapitaMin', // 0.78 < 1.02
      'bookFundsPerCapitaMin', // 0.18 < 1.6
      'newAcquisitionsPerCapitaMin', // 0.013 < 0.02
      'loansMin', // 60000 < 120000
      'floorAreaMin', // 2861.4 < 5000
      'staffPer10kMin', // 0.36 < 0.5
      'dedicatedBookBudgetPresent', // dedicatedBookBudget false
    ]);
    // floorAreaPer1000 (17.3 ≥ 16) is met by all.
    const flags = table.columns[columnIndex(table, 'flags')];
    expect(flags?.format?.(rowOf(table, QINGXU).flags, 'zh')).toBe(
      '馆舍建筑面积不少于 5000 平方米',
    );
    expect(flags?.format?.(rowOf(table, LOUFAN).flags, 'codes')).toBe(
      'bookFundsPerCapitaMin;loansMin;floorAreaMin;staffPer10kMin',
    );
  });

  it('judges a standard by the value as printed: one that rounds up to the threshold meets it', () => {
    const input = withValuesRoundingUp();
    const qinxian = rowOf(tableOf('comparison', input), QINXIAN);
    expect(qinxian).toMatchObject({
      holdingsPerCapita: 1.02, // 102500 / 100500 = 1.0199…
      newAcquisitionsPerCapita: 0.02, // 2000 / 100500 = 0.01990…
      staffPer10k: 0.5, // 5 / 100500 * 10000 = 0.4975…
    });
    expect(flagKeys(qinxian.flags)).toEqual([
      'bookFundsPerCapitaMin', // 0.995… printed 0.99 < 1.6: still short
      'loansMin',
      'floorAreaMin',
    ]);
    // The summary counts the same flags: only 武乡 falls short of 1.02 volumes.
    expect(summaryRow('全省', 'holdingsPerCapitaMin', input)).toMatchObject({ n: 4, flagged: 1 });
  });

  it('does not flag a standard whose value is missing', () => {
    const seats: Standard = {
      key: 'readingSeatsMin',
      formId: 'county-annual-report',
      indicator: 'readingSeats',
      operator: '>=',
      value: 500,
      label: { zh: '阅览座席不少于 500 个', en: 'At least 500 seats' },
      source: 'test',
      provisional: true,
    };
    const table = tableOf('comparison', { ...fixtureInput(), standards: [seats] });
    expect(flagKeys(rowOf(table, QINGXU).flags)).toEqual(['readingSeatsMin']); // 400 < 500
    expect(flagKeys(rowOf(table, LOUFAN).flags)).toEqual([]); // left empty
  });

  it('lays out the Chinese and the codes headers', () => {
    const table = comparison();
    const header = (key: string) => table.columns[columnIndex(table, key)]?.label;
    expect(header('libraryId')).toBe('馆代码');
    expect(header('name')).toBe('图书馆');
    expect(header('holdingsTotal')).toBe('总藏量（册(件)）');
    expect(header('holdingsPerCapita')).toBe('人均藏书量（册/人）');
    expect(header('holdingsPerCapitaRank')).toBe('人均藏书量全省排名');
    expect(header('holdingsTotalChangePct')).toBe('总藏量同比变化（%）');
    expect(header('flags')).toBe('未达标项');
  });
});

describe('summary', () => {
  it('gives province medians and quartiles of the counted reports only (hand-computed)', () => {
    // Counted: 娄烦 100000, 武乡 165000, 清徐 200000; the draft's values are ignored.
    expect(summaryRow('全省', 'servicePopulation')).toMatchObject({
      cityCode: '',
      n: 3,
      total: 465000,
      mean: 155000,
      min: 100000,
      q1: 132500,
      median: 165000,
      q3: 182500,
      max: 200000,
    });
    const holdings = summaryRow('全省', 'holdingsTotal');
    expect(holdings.total).toBe(102000 + 129000 + 250000);
    expect(holdings.median).toBe(129000);

    // 0.7818… as printed (0.78), 1.02, 1.25: statistics of the figures the province reads.
    const perCapita = summaryRow('全省', 'holdingsPerCapita');
    expect(perCapita.n).toBe(3);
    expect(perCapita.total).toBeUndefined(); // a sum of ratios means nothing
    expect(perCapita.min).toBe(0.78);
    expect(perCapita.q1).toBeCloseTo((0.78 + 1.02) / 2, 10);
    expect(perCapita.median).toBeCloseTo(1.02, 10);
    expect(perCapita.q3).toBeCloseTo(1.135, 10);
    expect(perCapita.mean).toBeCloseTo((0.78 + 1.02 + 1.25) / 3, 10);
  });

  it('counts only the libraries that have the value', () => {
    const share = summaryRow('全省', 'professionalShare');
    expect(share.n).toBe(2);
    expect(share.median).toBeCloseTo((0.5 + 0.333) / 2, 10); // 2 / 6 printed 0.333
  });

  it('gives the same statistics per city', () => {
    expect(summaryRow('太原市', 'servicePopulation')).toMatchObject({
      cityCode: '1401',
      n: 2,
      total: 300000,
      q1: 125000,
      median: 150000,
      q3: 175000,
    });
    // One counted report in 长治市: every statistic is its value.
    expect(summaryRow('长治市', 'floorArea')).toMatchObject({
      cityCode: '1404',
      n: 1,
      total: 2861.4,
      min: 2861.4,
      q1: 2861.4,
      median: 2861.4,
      q3: 2861.4,
      max: 2861.4,
    });
  });

  it('leaves yes/no fields out of the statistics', () => {
    const table = tableOf('summary');
    const metrics = table.rows.map((row) => row[columnIndex(table, 'metric')]);
    expect(metrics).not.toContain('dedicatedBookBudget');
    expect(metrics).toContain('dedicatedBookBudgetPresent');
  });

  it('counts flags per standard for the province and each city', () => {
    const flagged = (scope: string, key: string) => {
      const row = summaryRow(scope, key);
      return [row.n, row.flagged, row.flaggedShare];
    };
    const share = (percent: number) => expect.closeTo(percent, 10);
    expect(flagged('全省', 'floorAreaMin')).toEqual([3, 3, share(100)]);
    expect(flagged('全省', 'holdingsPerCapitaMin')).toEqual([3, 1, share(100 / 3)]);
    expect(flagged('全省', 'loansMin')).toEqual([3, 2, share(200 / 3)]);
    expect(flagged('全省', 'dedicatedBookBudgetPresent')).toEqual([3, 1, share(100 / 3)]);
    expect(flagged('全省', 'floorAreaPer1000Min')).toEqual([3, 0, share(0)]);
    expect(flagged('太原市', 'loansMin')).toEqual([2, 1, share(50)]);
    expect(flagged('太原市', 'dedicatedBookBudgetPresent')).toEqual([2, 0, share(0)]);
    expect(flagged('长治市', 'dedicatedBookBudgetPresent')).toEqual([1, 1, share(100)]);
  });

  it('keeps a city with nothing counted yet, with n = 0 and empty statistics', () => {
    const input = fixtureInput();
    const withDatong = {
      ...input,
      libraries: [
        ...input.libraries,
        {
          libraryId: '140221',
          name: '阳高县图书馆',
          countyName: '阳高县',
          cityCode: '1402',
          cityName: '大同市',
        },
      ],
    };
    const table = tableOf('summary', withDatong);
    const scopes = [...new Set(table.rows.map((row) => row[columnIndex(table, 'scope')]))];
    expect(scopes).toEqual(['全省', '太原市', '大同市', '长治市']);
    const datong = (metric: string) => summaryRow('大同市', metric, withDatong);
    expect(datong('servicePopulation')).toMatchObject({ cityCode: '1402', n: 0 });
    expect(datong('servicePopulation').median).toBeUndefined();
    expect(datong('loansMin')).toMatchObject({ n: 0, flagged: 0, flaggedShare: undefined });
  });

  it('lists the province, then the cities by code', () => {
    const table = tableOf('summary');
    const scopes = [...new Set(table.rows.map((row) => row[columnIndex(table, 'scope')]))];
    expect(scopes).toEqual(['全省', '太原市', '长治市']);
  });
});

describe('problems', () => {
  it('tallies each problem code over the counted reports, with share and cities', () => {
    const table = tableOf('problems');
    expect(table.rows.map((row) => row[0])).toEqual([
      'space',
      'staffShortage',
      'staffExpertise',
      'bookFunding',
      'operatingFunding',
      'facilities',
      'digital',
      'collection',
      'other',
    ]);
    expect(rowOf(table, 'space')).toEqual({
      code: 'space',
      label: '馆舍空间不足',
      libraries: 3,
      share: 100,
      libraryNames: ['清徐县图书馆', LOUFAN_NAME, '武乡县图书馆'],
      byCity: ['太原市:2', '长治市:1'],
    });
    expect(rowOf(table, 'staffExpertise')).toMatchObject({
      libraries: 1,
      share: expect.closeTo(100 / 3, 10),
      libraryNames: ['清徐县图书馆'],
      byCity: ['太原市:1'],
    });
  });

  it('ignores the problems of drafts and returned reports', () => {
    const table = tableOf('problems');
    // Only the draft chose `other`, only the returned report `digital`.
    expect(rowOf(table, 'other')).toMatchObject({ libraries: 0, share: 0, libraryNames: [] });
    expect(rowOf(table, 'digital')).toMatchObject({ libraries: 0, share: 0, byCity: [] });
  });
});

describe('completeness', () => {
  it('lists every registry library with status, submission time and on-time flag', () => {
    const table = tableOf('completeness');
    expect(
      table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.key, row[i]]))),
    ).toEqual([
      {
        libraryId: QINGXU,
        name: '清徐县图书馆',
        cityName: '太原市',
        status: 'submitted',
        submittedAt: '2026-01-20T03:00:00.000Z',
        dueAt: DUE_AT,
        onTime: true,
        firstSubmittedAt: '2026-01-20T03:00:00.000Z',
      },
      {
        libraryId: YANGQU,
        name: '阳曲县图书馆',
        cityName: '太原市',
        status: 'draft',
        submittedAt: undefined,
        dueAt: DUE_AT,
        onTime: undefined,
        firstSubmittedAt: undefined,
      },
      {
        // Submitted at the due second: on time.
        libraryId: LOUFAN,
        name: LOUFAN_NAME,
        cityName: '太原市',
        status: 'submitted',
        submittedAt: DUE_AT,
        dueAt: DUE_AT,
        onTime: true,
        firstSubmittedAt: DUE_AT,
      },
      {
        // Late, though accepted since.
        libraryId: WUXIANG,
        name: '武乡县图书馆',
        cityName: '长治市',
        status: 'accepted',
        submittedAt: '2026-02-03T01:30:00.000Z',
        dueAt: DUE_AT,
        onTime: false,
        firstSubmittedAt: '2026-02-03T01:30:00.000Z',
      },
      {
        // Returned: its values do not count, but it was submitted, and on time.
        libraryId: QINXIAN,
        name: '沁县图书馆',
        cityName: '长治市',
        status: 'returned',
        submittedAt: '2026-01-25T00:00:00.000Z',
        dueAt: DUE_AT,
        onTime: true,
        firstSubmittedAt: '2026-01-25T00:00:00.000Z',
      },
      {
        libraryId: QINYUAN,
        name: '沁源县图书馆',
        cityName: '长治市',
        status: 'none',
        submittedAt: undefined,
        dueAt: DUE_AT,
        onTime: undefined,
        firstSubmittedAt: undefined,
      },
    ]);
  });

  /** 清徐's report in some history of submissions, returns and resubmissions. */
  const completenessOf = (changes: Partial<SubmissionHead>) => {
    const input = fixtureInput();
    const heads = input.heads.map((head) =>
      head.libraryId === QINGXU ? { ...head, ...changes } : head,
    );
    return rowOf(tableOf('completeness', { ...input, heads }), QINGXU);
  };

  it('judges on time by the first submission: a return and a resubmission after the due time do not make it late', () => {
    expect(
      completenessOf({
        status: 'submitted',
        firstSubmittedAt: '2026-01-20T03:00:00.000Z',
        submittedAt: '2026-02-05T02:00:00.000Z',
      }),
    ).toMatchObject({
      submittedAt: '2026-02-05T02:00:00.000Z',
      firstSubmittedAt: '2026-01-20T03:00:00.000Z',
      onTime: true,
    });
    expect(
      completenessOf({
        status: 'accepted',
        firstSubmittedAt: '2026-02-01T00:00:00.000Z',
        submittedAt: '2026-02-05T02:00:00.000Z',
      }),
    ).toMatchObject({ firstSubmittedAt: '2026-02-01T00:00:00.000Z', onTime: false });
  });

  it('counts the whole due second as on time, and the next one as late', () => {
    for (const [submittedAt, onTime] of [
      ['2026-01-31T15:59:59.400Z', true],
      ['2026-01-31T15:59:59.999Z', true],
      ['2026-01-31T16:00:00.000Z', false],
    ] as const) {
      expect(
        completenessOf({ firstSubmittedAt: submittedAt, submittedAt: submittedAt }),
      ).toMatchObject({ onTime });
    }
  });

  it('falls back to submittedAt for a head stored before firstSubmittedAt existed', () => {
    // The fixture heads have no firstSubmittedAt: their rows above show submittedAt in it.
    expect(fixtureHeads().every((head) => head.firstSubmittedAt === undefined)).toBe(true);
    expect(completenessOf({ submittedAt: '2026-01-31T15:59:59.400Z' })).toMatchObject({
      firstSubmittedAt: '2026-01-31T15:59:59.400Z',
      onTime: true,
    });
  });

  it('shows the submissions of a returned report, and of one edited as a draft since', () => {
    for (const status of ['returned', 'draft'] as const) {
      // First on time, returned, resubmitted late, returned again.
      expect(
        completenessOf({
          status,
          firstSubmittedAt: '2026-01-20T03:00:00.000Z',
          submittedAt: '2026-02-05T02:00:00.000Z',
        }),
      ).toMatchObject({
        status,
        submittedAt: '2026-02-05T02:00:00.000Z',
        firstSubmittedAt: '2026-01-20T03:00:00.000Z',
        onTime: true,
      });
    }
    expect(
      completenessOf({ status: 'returned', submittedAt: '2026-02-01T00:00:00.000Z' }),
    ).toMatchObject({ firstSubmittedAt: '2026-02-01T00:00:00.000Z', onTime: false });
  });
});

describe('submissions', () => {
  it('has one row per counted report with every field of the form', () => {
    const table = tableOf('submissions');
    expect(table.rows.map((row) => row[0])).toEqual([QINGXU, LOUFAN, WUXIANG]);
    const form = fixtureInput().form;
    expect(table.columns.map((column) => column.key)).toEqual([
      'libraryId',
      'name',
      'cityName',
      'status',
      'formVersion',
      'submittedAt',
      ...form.fields.keys(),
    ]);
    const qingxu = rowOf(table, QINGXU);
    expect(qingxu).toMatchObject({
      formVersion: '2026.1',
      submittedAt: '2026-01-20T03:00:00.000Z',
      problemDetails: QINGXU_DETAILS,
    });
    const wuxiang = fixtureHeads().find((head) => head.libraryId === WUXIANG);
    expect(rowOf(table, WUXIANG).incidents).toEqual(wuxiang?.values.incidents);
  });

  it('writes each row from its status on as its report comes in: what the columns make of it', () => {
    const table = tableOf('submissions');
    const from = table.written?.from ?? -1;
    expect(table.columns[from]?.key).toBe('status');
    expect(table.written?.rows).toHaveLength(table.rows.length);
    table.rows.forEach((row, index) => {
      for (const variant of ['zh', 'codes'] as const) {
        const cells = table.columns
          .slice(from)
          .map((column, offset) => (column.format ?? formatPlain)(row[from + offset], variant));
        expect(table.written?.rows[index]?.[variant]).toBe(csvCells(cells));
      }
    });
  });
});

describe('RollupTables (built as the pages come in)', () => {
  /** Tables as data (columns by key and label, rows), and as the files they render to. */
  const comparable = (tables: Table[]) => ({
    tables: tables.map((table) => ({
      name: table.name,
      columns: table.columns.map(({ key, label }) => ({ key, label })),
      rows: table.rows,
    })),
    files: renderTables(tables).map((file) => [file.name, file.body.toString('utf8')]),
  });

  it('gives the same tables whatever the order and the pages the reports come in', () => {
    const input = fixtureInput();
    const expected = comparable(buildTables(input));
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...input.heads], { minLength: input.heads.length }),
        (heads) => {
          const tables = new RollupTables(input);
          for (const head of heads) tables.add(head);
          expect(comparable(tables.build(input))).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps the status a report had when it was added', () => {
    const input = fixtureInput();
    const tables = new RollupTables(input);
    // A head as the store hands it out; changing it afterwards must not matter.
    const heads = structuredClone(fixtureHeads());
    for (const head of heads) tables.add(head);
    for (const head of heads) {
      head.explanations = { changed: 'afterwards' };
      head.status = 'draft';
    }
    expect(comparable(tables.build(input))).toEqual(comparable(buildTables(input)));
  });

  it('needs of the previous period only the values compared year over year', () => {
    const input = fixtureInput();
    const keys = yearOverYearKeys(input.form);
    expect(keys).toEqual(['holdingsTotal', 'fundingTotal', 'bookFunds', 'staffTotal']);
    const narrow = previousValuesOf(input);
    const previous = new Map(
      [...input.previous].map(([id, values]) => [
        id,
        narrow({ formVersion: input.form.definition.version, values }),
      ]),
    );
    for (const values of previous.values()) {
      expect(Object.keys(values).every((key) => keys.includes(key))).toBe(true);
    }
    expect(comparable(buildTables({ ...input, previous }))).toEqual(comparable(buildTables(input)));
  });
});

describe('cells alike in both files', () => {
  it('are exactly those a column formats the same way for the Chinese and the codes file', () => {
    let alike = 0;
    for (const table of tables()) {
      for (const row of table.rows) {
        table.columns.forEach((column, index) => {
          if (!sameInBothVariants(column, row[index])) return;
          alike += 1;
          const format = column.format ?? formatPlain;
          expect(format(row[index], 'zh')).toBe(format(row[index], 'codes'));
        });
      }
    }
    expect(alike).toBeGreaterThan(1_000);
    // Statuses, yes/no and choices read differently.
    const comparison = tableOf('comparison');
    for (const key of ['status', 'dedicatedBookBudget', 'problemCategories', 'flags']) {
      const column = comparison.columns[columnIndex(comparison, key)];
      expect(column && sameInBothVariants(column, 'x')).toBe(false);
    }
    expect(sameInBothVariants({ key: 'plain', label: '' }, true)).toBe(false);
  });
});

describe('number cells', () => {
  /** The format of a column of comparison or summary, e.g. fixed(2) or fixed(4). */
  const formatOf = (name: OutputName, key: string) => {
    const table = tableOf(name);
    const format = table.columns[columnIndex(table, key)]?.format;
    if (!format) throw new Error(`No format for ${key}`);
    return (value: unknown) => format(value, 'codes');
  };

  it.each([
    ['comparison', 'holdingsPerCapita', 2],
    ['comparison', 'newAcquisitionsPerCapita', 3],
    ['comparison', 'holdingsTotalChangePct', 1],
    ['summary', 'mean', 4],
  ] as const)(
    'writes %s.%s with at most %d decimals as the web app shows it',
    (name, key, places) => {
      const format = formatOf(name, key);
      // The web app's number format (web/src/i18n.tsx), without its grouping.
      const shown = new Intl.NumberFormat('zh-CN', {
        maximumFractionDigits: places,
        useGrouping: false,
      });
      fc.assert(
        fc.property(
          fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.integer().map((value) => value * 1000),
            fc.constantFrom(0, -0, 2 ** 53, 1e21, -1e22, Number.MAX_VALUE, 0.5, -2.5, 1.005),
          ),
          (value) => {
            expect(format(value)).toBe(String(Number(shown.format(value))));
          },
        ),
        { numRuns: 2_000 },
      );
      // Halfway on the decimal digits goes away from zero, as people round (toFixed gives 1.01
      // and 1, from the binary values just below).
      if (places === 2) {
        expect([1.015, 1.005, -1.015].map(format)).toEqual(['1.02', '1.01', '-1.02']);
      }
      expect(format(undefined)).toBe('');
      expect(format(Number.POSITIVE_INFINITY)).toBe('');
      expect(format(Number.NaN)).toBe('');
    },
  );
});

describe('a field hidden by its showWhen', () => {
  const roomForm = childrenRoomForm();
  const VERSION = roomForm.definition.version;
  const readPrevious = previousValuesOf({ form: roomForm, formOf: () => roomForm });
  /** 武乡 says it has no children's room, its 400 seats kept from before; 清徐 and 娄烦 have one. */
  const input = (): RollupInput => {
    const base = fixtureInput();
    const room = (room: boolean, seats: number) => ({ [ROOM]: room, [SEATS]: seats });
    return {
      ...base,
      form: roomForm,
      formOf: () => roomForm,
      heads: [
        headOf({
          libraryId: WUXIANG,
          status: 'submitted',
          values: { ...wuxiangReport2025(), ...room(false, 400) },
          submittedAt: DUE_AT,
        }),
        headOf({
          libraryId: QINGXU,
          status: 'submitted',
          values: { ...qingxuReport2025(), ...room(true, 80) },
          submittedAt: DUE_AT,
        }),
        headOf({
          libraryId: LOUFAN,
          status: 'accepted',
          values: { ...loufanReport2025(), ...room(true, 60) },
          submittedAt: DUE_AT,
        }),
      ],
      previous: new Map(
        (
          [
            [WUXIANG, { ...wuxiangReport2025(), ...room(true, 100) }],
            // 清徐 had no room the year before: its kept seats are no base for a change.
            [QINGXU, { ...qingxuReport2025(), ...room(false, 40) }],
            [LOUFAN, { ...loufanReport2025(), ...room(true, 50) }],
          ] as const
        ).map(([libraryId, values]) => [libraryId, readPrevious({ formVersion: VERSION, values })]),
      ),
    };
  };

  it('leaves the kept value out of the comparison, its indicators and the year-over-year change', () => {
    const comparison = tableOf('comparison', input());
    const wuxiang = rowOf(comparison, WUXIANG);
    expect(wuxiang[SEATS]).toBeUndefined();
    expect(wuxiang[SEAT_SHARE]).toBeUndefined();
    expect(wuxiang[`${SEAT_SHARE}Rank`]).toBeUndefined();
    expect(wuxiang[`${SEATS}ChangePct`]).toBeUndefined();
    expect(wuxiang.holdingsTotal).toBe(129000);
    expect(rowOf(comparison, QINGXU)[SEATS]).toBe(80);
    expect(rowOf(comparison, QINGXU)[`${SEATS}ChangePct`]).toBeUndefined();
    expect(rowOf(comparison, LOUFAN)[`${SEATS}ChangePct`]).toBeCloseTo(20);
    expect(summaryRow('全省', SEATS, input())).toMatchObject({ n: 2, total: 140 });
  });

  it('leaves it out of submissions.csv too, as every table reads the same answered values', () => {
    expect(rowOf(tableOf('submissions', input()), WUXIANG)).toMatchObject({
      [ROOM]: false,
      [SEATS]: undefined,
    });
    expect(rowOf(tableOf('submissions', input()), QINGXU)[SEATS]).toBe(80);
  });

  it('reads of the previous period the fields deciding whether a compared one was shown', () => {
    const keys = yearOverYearKeys(roomForm);
    expect(keys).toEqual([...yearOverYearKeys(fixtureInput().form), SEATS, ROOM]);
    // A previous report read with only those keys is read as the whole one.
    const whole: FormValues = { ...qingxuReport2025(), [ROOM]: false, [SEATS]: 40 };
    const read = Object.fromEntries(
      keys.flatMap((key) => (key in whole ? [[key, whole[key]]] : [])),
    );
    expect(readPrevious({ formVersion: VERSION, values: read })).toEqual(
      readPrevious({ formVersion: VERSION, values: whole }),
    );
    expect(readPrevious({ formVersion: VERSION, values: whole })[SEATS]).toBeUndefined();
  });
});
