import { describe, expect, it } from '@jest/globals';
import { realForm, wuxiangReport2025 } from '../../../domain/forms/fixtures.js';
import {
  mergeAfterConflict,
  parseMoneyText,
  parseNumberText,
  sameValue,
  savableValues,
  submissionBlockers,
} from './draft-state.js';

const form = realForm();

describe('reading what people type', () => {
  it('reads plain, full-width and separated numbers', () => {
    expect(parseNumberText('12345')).toEqual({ value: 12345 });
    expect(parseNumberText(' １２,３４５ ')).toEqual({ value: 12345 });
    expect(parseNumberText('54。9')).toEqual({ value: 54.9 });
    expect(parseNumberText('')).toEqual({ value: undefined });
  });

  it('refuses text that is not a number, in both languages', () => {
    expect(parseNumberText('12万')).toEqual({ error: { zh: '请输入数字', en: 'Enter a number' } });
    expect(parseNumberText('1.2.3')).toHaveProperty('error');
  });

  it('converts 万元 to whole yuan exactly and refuses fractions of a yuan', () => {
    expect(parseMoneyText('12.9', 'wan')).toEqual({ value: 129000 });
    expect(parseMoneyText('129000', 'yuan')).toEqual({ value: 129000 });
    expect(parseMoneyText('1.23456', 'wan')).toHaveProperty(
      'error.en',
      'At most 4 decimals in 万元 (whole yuan)',
    );
    expect(parseMoneyText('12.5', 'yuan')).toHaveProperty(
      'error.en',
      'Must be a whole number of yuan',
    );
  });
});

describe('what a draft save carries', () => {
  it('leaves out values that fail their own checks and empty ones, keeps the rest', () => {
    expect(
      savableValues(form, {
        servicePopulation: 150000,
        holdingsTotal: -5,
        problemDetails: '',
        problemCategories: [],
      }),
    ).toEqual({ servicePopulation: 150000 });
  });
});

describe('keeping local edits after a conflicting save', () => {
  it('applies only the fields this page changed on top of the newer revision', () => {
    const lastSaved = { servicePopulation: 100000, holdingsTotal: 5000, staffEstablished: 4 };
    const theirs = { servicePopulation: 100000, holdingsTotal: 6000, staffEstablished: 5 };
    const local = { servicePopulation: 120000, holdingsTotal: 5000 };
    expect(mergeAfterConflict(theirs, lastSaved, local)).toEqual({
      servicePopulation: 120000,
      holdingsTotal: 6000,
    });
  });
});

describe('what blocks a submission', () => {
  it('lists missing required fields', () => {
    const { blockers } = submissionBlockers(form, { servicePopulation: 150000 }, undefined, {}, {});
    expect(blockers).toContainEqual(
      expect.objectContaining({ kind: 'field', field: 'holdingsTotal' }),
    );
  });

  it('asks for an explanation of a warning until one is given', () => {
    const values = wuxiangReport2025();
    const previous = { ...values, holdingsTotal: Number(values.holdingsTotal) / 2 };
    const unexplained = submissionBlockers(form, values, previous, {}, {});
    expect(unexplained.blockers).toEqual([
      expect.objectContaining({
        kind: 'explanation',
        field: 'holdingsTotal',
        ruleId: 'holdingsJump',
      }),
    ]);
    const explained = submissionBlockers(
      form,
      values,
      previous,
      { holdingsJump: '新馆开放，接收捐赠图书' },
      {},
    );
    expect(explained.blockers).toEqual([]);
  });

  it('reports a number still being typed as a blocker at its field', () => {
    const { blockers } = submissionBlockers(
      form,
      {},
      undefined,
      {},
      {
        holdingsTotal: { zh: '请输入数字', en: 'Enter a number' },
      },
    );
    expect(blockers).toContainEqual({
      kind: 'input',
      field: 'holdingsTotal',
      message: { zh: '请输入数字', en: 'Enter a number' },
    });
  });
});

describe('comparing values', () => {
  it('ignores key order', () => {
    expect(sameValue({ a: 1, b: [{ x: 1, y: 2 }] }, { b: [{ y: 2, x: 1 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
  });
});
