import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { formRegistry } from '../../adapters/form-catalog.js';
import {
  DISTRACTORS,
  NUMBER_FORMS,
  PROBLEMS,
  type SyntheticCase,
} from './__fixtures__/synthetic.js';
import { extractNarrative } from './extract.js';
import { importNarrative, narrativeFieldsOf } from './form.js';
import type { NarrativeImport } from './model.js';
import { precisionOf, recallOf, scoreValues } from './score.js';

const form = formRegistry.get('county-annual-report');
if (!form) throw new Error('the catalog must have the annual report');
const fields = narrativeFieldsOf(form);
const extract = (text: string) => extractNarrative(text, { fields });

const checkOffsets = (text: string, result: NarrativeImport) => {
  for (const item of result.evidence) {
    // The quote is the pasted text itself and holds what was taken from it.
    expect(text).toContain(item.quote);
    expect(item.start).toBeGreaterThanOrEqual(0);
    expect(item.end).toBeGreaterThan(item.start);
    expect(item.end).toBeLessThanOrEqual(text.length);
    if (item.field !== 'problemDetails')
      expect(item.quote).toContain(text.slice(item.start, item.end));
    expect(item.confidence).toBeGreaterThanOrEqual(0.6);
    expect(item.confidence).toBeLessThanOrEqual(1);
  }
  for (const item of result.unmapped) {
    expect(text.slice(item.start, item.end)).toBe(item.text);
    expect(text).toContain(item.quote);
  }
};

const runCase = (testCase: SyntheticCase) => {
  const result = extract(testCase.text);
  expect(result.values).toEqual(testCase.values);
  checkOffsets(testCase.text, result);
  for (const [figure, reason] of Object.entries(testCase.unmapped ?? {})) {
    const entry = result.unmapped.find((item) => item.text === figure);
    expect({ figure, reason: entry?.reason }).toEqual({ figure, reason });
  }
  for (const [field, qualifier] of Object.entries(testCase.qualifiers ?? {})) {
    expect(result.evidence.find((item) => item.field === field)?.qualifier).toBe(qualifier);
  }
  // One evidence entry per scalar value, its value the suggested one.
  for (const [field, value] of Object.entries(result.values)) {
    if (field === 'problemCategories') continue;
    expect(
      result.evidence.filter((item) => item.field === field).map((item) => item.value),
    ).toEqual([value]);
  }
};

describe('number forms, units and qualifiers', () => {
  it.each(NUMBER_FORMS.map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    (_name, testCase) => runCase(testCase),
  );
});

describe('distractors are not taken', () => {
  it.each(DISTRACTORS.map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    (_name, testCase) => runCase(testCase),
  );
});

describe('problems', () => {
  it.each(PROBLEMS.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) =>
    runCase(testCase),
  );

  it('quotes each problem and points at the phrase that states it', () => {
    const [section] = PROBLEMS;
    if (!section) throw new Error('fixture');
    const result = extract(section.text);
    const space = result.evidence.find((item) => item.value === 'space');
    expect(space?.quote).toBe('（一）馆舍面积狭小，书库已经饱和。');
    expect(section.text.slice(space?.start, space?.end)).toBe('馆舍面积狭小');
  });
});

describe('evidence', () => {
  it('gives the figure as written, its clause as the quote, and offsets into the pasted text', () => {
    const text =
      '示范县图书馆2025年度工作总结\n截至年底，本館館藏圖書達１２．９萬余冊，全年接待读者5万人次。';
    const result = extract(text);
    const holdings = result.evidence.find((item) => item.field === 'holdingsTotal');
    expect(holdings).toMatchObject({
      value: 129_000,
      qualifier: '余',
      quote: '本館館藏圖書達１２．９萬余冊',
    });
    expect(text.slice(holdings?.start, holdings?.end)).toBe('１２．９萬余冊');
  });

  it('lists figures it did not take, with the field they would have gone to', () => {
    const result = extract(
      '示范县图书馆2025年度工作总结\n上半年接待读者2万人次，举办猜谜活动，谜面150个。',
    );
    expect(result.values).toEqual({});
    expect(result.unmapped).toEqual([
      expect.objectContaining({
        text: '2万人次',
        value: 20_000,
        field: 'visits',
        reason: 'partialYear',
      }),
      expect.objectContaining({ text: '150个', value: 150, field: null, reason: 'noField' }),
    ]);
  });

  it('refuses values outside the form: bounds, whole numbers, decimals', () => {
    const result = extract(
      '示范县图书馆2025年度工作总结\n本县服务人口800人。馆藏图书2.5册。馆舍面积1200.25平方米。',
    );
    expect(result.values).toEqual({});
    expect(result.unmapped.map((item) => [item.field, item.reason])).toEqual([
      ['servicePopulation', 'outOfBounds'],
      ['holdingsTotal', 'notWhole'],
      ['floorArea', 'tooManyDecimals'],
    ]);
  });

  it('suggests only fields the form has', () => {
    const fewer = new Map([...fields].filter(([key]) => key !== 'loans'));
    const result = extractNarrative('全年外借图书3万册次，接待读者4万人次。', { fields: fewer });
    expect(result.values).toEqual({ visits: 40_000 });
    expect(result.unmapped).toEqual([
      expect.objectContaining({ text: '3万册次', field: 'loans', reason: 'notInForm' }),
    ]);
  });

  it('for a half-year form takes half-year figures and refuses whole-year ones', () => {
    const result = extractNarrative(
      '示范县图书馆2025年上半年工作总结\n上半年接待读者4万人次。全年接待读者9万人次。',
      { fields, periodType: 'half-year' },
    );
    expect(result.values).toEqual({ visits: 40_000 });
  });

  it('answers an empty result for text without figures', () => {
    expect(extract('今年我们认真学习，努力工作。')).toEqual({
      values: {},
      evidence: [],
      unmapped: [],
    });
  });

  const LONGEST = 50_000;
  const tail = '全年外借图书3万册次。';
  it.each([
    ['one sentence over and over', '接待读者12345人次，'.repeat(4200), { visits: 12_345 }],
    ['Chinese numerals alone', '一二三四五六七八九十'.repeat(5000), {}],
    ['a label without figures', '馆藏图书'.repeat(12_500), {}],
    ['one run of digits', '1'.repeat(LONGEST), {}],
    [
      'prose with one figure at its very end',
      `${'今年我们认真学习，努力工作。'.repeat(4000).slice(0, LONGEST - tail.length)}${tail}`,
      { loans: 30_000 },
    ],
  ])('reads the whole of 50,000 characters of %s', (_name, source, values) => {
    const text = source.slice(0, LONGEST);
    expect(text).toHaveLength(LONGEST);
    const result = extract(text);
    expect(result.values).toEqual(values);
    expect(result.unmapped).toEqual([]);
    checkOffsets(text, result);
  });
});

describe('whole synthetic reports', () => {
  it.each(['synthetic-a', 'synthetic-b'])('%s meets the precision and recall goals', (name) => {
    const text = readFileSync(
      new URL(`./__fixtures__/reports/${name}.txt`, import.meta.url),
      'utf8',
    );
    const labels = JSON.parse(
      readFileSync(
        new URL(`../../reference/narrative/expected/${name}.json`, import.meta.url),
        'utf8',
      ),
    ) as { values: Record<string, unknown> };
    const score = scoreValues(labels.values, importNarrative(form, text).values);
    expect(score.falsePositives).toBe(0);
    expect(recallOf(score)).toBeGreaterThanOrEqual(0.8);
    expect(precisionOf(score)).toBeGreaterThanOrEqual(0.95);
  });
});
