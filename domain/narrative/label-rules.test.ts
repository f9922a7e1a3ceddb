import { describe, expect, it } from '@jest/globals';
import { extractNarrative } from './extract.js';
import { labelRule, labelUnits, labelWords } from './label-rules.js';
import type { NarrativeFieldSpec } from './model.js';

describe('labelWords', () => {
  it('takes the label without asides, framing and a counting suffix', () => {
    expect(labelWords('志愿者人数')).toEqual(['志愿者人数', '志愿者']);
    expect(labelWords('在编人员（含借调）')).toEqual(['在编人员']);
    expect(labelWords('其中少儿图书')).toEqual(['少儿图书']);
    expect(labelWords('专项购书经费金额')).toEqual(['专项购书经费金额', '专项购书经费']);
  });

  it('takes each thing a label names, and strips what it counts in', () => {
    expect(labelWords('到馆/流通人次')).toEqual(['到馆', '流通人次', '流通']);
    expect(labelWords('讲座、展览场次')).toEqual(['讲座', '展览场次', '展览']);
    expect(labelWords('志愿服务人次')).toEqual(['志愿服务人次', '志愿服务']);
  });

  it('reads the label as the normalised prose reads it: Simplified and half-width', () => {
    expect(labelWords('少兒圖書（冊）')).toEqual(['少儿图书']);
  });

  it('keeps no word of one character', () => {
    expect(labelWords('人数')).toEqual([]);
    expect(labelWords('其中书')).toEqual([]);
  });
});

describe('labelUnits', () => {
  it('reads the units the scanner knows from the field’s unit', () => {
    expect(labelUnits('int', '册(件)')).toEqual(['册', '件', '本']);
    expect(labelUnits('int', '人次')).toEqual(['人次']);
    expect(labelUnits('int', '人')).toEqual(['人', '名', '位']);
    expect(labelUnits('decimal', '平方米')).toEqual(['平方米', '平米', '平方', '㎡', 'm²', 'm2']);
    expect(labelUnits('money', '元')).toEqual(['元']);
  });

  it('finds none in a unit the scanner does not read, a rate, or none at all', () => {
    expect(labelUnits('decimal', '比例（0–1）')).toEqual([]);
    expect(labelUnits('decimal', '册/人')).toEqual([]);
    expect(labelUnits('decimal', '人/万人')).toEqual([]);
    expect(labelUnits('int', '台')).toEqual([]);
    expect(labelUnits('int', undefined)).toEqual([]);
  });
});

describe('labelRule', () => {
  it('makes no rule for a field that is not a number, or says too little', () => {
    expect(labelRule({ key: 'notes', type: 'text', label: '备注说明' })).toBeUndefined();
    expect(
      labelRule({ key: 'share', type: 'decimal', label: '占比', unit: '比例' }),
    ).toBeUndefined();
    expect(labelRule({ key: 'pcs', type: 'int', label: '电脑台数', unit: '台' })).toBeUndefined();
    expect(labelRule({ key: 'n', type: 'int', label: '数', unit: '个' })).toBeUndefined();
  });

  it('escapes what a label may hold that a pattern would read otherwise', () => {
    const rule = labelRule({ key: 'x', type: 'int', label: '读者(持证)+访客', unit: '人' });
    expect(rule?.before).toEqual(['读者\\+访客']);
  });
});

describe('extractNarrative with label rules', () => {
  const fields = new Map<string, NarrativeFieldSpec>([
    ['holdingsTotal', { type: 'int', min: 0 }],
    ['volunteers', { type: 'int', min: 0 }],
    ['dedicatedBookBudgetAmount', { type: 'money', min: 0 }],
  ]);
  const labelRules = [
    labelRule({ key: 'volunteers', type: 'int', label: '志愿者人数', unit: '人' }),
    labelRule({
      key: 'dedicatedBookBudgetAmount',
      type: 'money',
      label: '专项购书经费金额',
      unit: '元',
    }),
    // A generic label a careless edit might give: it must not take the written rules' figures.
    labelRule({ key: 'books', type: 'int', label: '图书', unit: '册' }),
  ].flatMap((rule) => (rule ? [rule] : []));
  const extract = (text: string) =>
    extractNarrative(`示范县图书馆2025年度工作总结\n${text}`, {
      fields: new Map([...fields, ['books', { type: 'int', min: 0 }]]),
      labelRules,
    });

  it('reads a field by its label before the figure, or after a measure word', () => {
    expect(extract('全馆现有志愿者人数86人。').values).toEqual({ volunteers: 86 });
    expect(extract('组建了一支120名志愿者的服务队。').values).toEqual({ volunteers: 120 });
    expect(extract('本年度专项购书经费8万元。').values).toEqual({
      dedicatedBookBudgetAmount: 80_000,
    });
  });

  it('applies the distractors to label rules too', () => {
    const result = extract('建馆以来累计招募志愿者3000人。明年计划专项购书经费10万元。');
    expect(result.values).toEqual({});
    expect(result.unmapped.map((item) => [item.field, item.reason])).toEqual([
      ['volunteers', 'runningTotal'],
      ['dedicatedBookBudgetAmount', 'plan'],
    ]);
  });

  it('leaves a figure a written rule takes for a field of the form to that rule', () => {
    // "图书" stands nearer the figure than "馆藏", but holdings has a written rule.
    expect(extract('馆藏图书12万册。').values).toEqual({ holdingsTotal: 120_000 });
  });

  it('gives a figure to a label whose word holds the written rule’s word', () => {
    const result = extractNarrative(
      '示范县图书馆2025年度工作总结\n专项购书经费8万元，购书经费共12万元。',
      {
        fields: new Map([...fields, ['bookFunds', { type: 'money', min: 0 }]]),
        labelRules,
      },
    );
    expect(result.values).toEqual({ dedicatedBookBudgetAmount: 80_000, bookFunds: 120_000 });
  });

  it('gives a figure to the noun a measure word counts, over a written word before it', () => {
    const result = extractNarrative(
      '示范县图书馆2025年度工作总结\n全馆职工带领120名志愿者开展服务。',
      {
        fields: new Map([...fields, ['staffTotal', { type: 'int', min: 0 }]]),
        labelRules,
      },
    );
    expect(result.values).toEqual({ volunteers: 120 });
  });

  it('leaves a figure a written word names to it, also for a field the form lacks', () => {
    // "新增" says new acquisitions: the form lacks them, and 图书 does not make them books.
    const result = extractNarrative('示范县图书馆2025年度工作总结\n全年新增图书5000册。', {
      fields: new Map([['books', { type: 'int', min: 0 }]]),
      labelRules,
    });
    expect(result.values).toEqual({});
    expect(result.unmapped.map((item) => [item.field, item.reason])).toEqual([
      ['newAcquisitions', 'notInForm'],
    ]);
  });

  it('finds nothing by labels when it is given none', () => {
    const result = extractNarrative('示范县图书馆2025年度工作总结\n全馆现有志愿者86人。', {
      fields,
    });
    expect(result.values).toEqual({});
    expect(result.unmapped.map((item) => item.reason)).toEqual(['noField']);
  });
});
