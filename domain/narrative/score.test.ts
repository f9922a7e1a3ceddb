import { describe, expect, it } from '@jest/globals';
import { addScores, precisionOf, recallOf, scoreValues } from './score.js';

describe('scoreValues', () => {
  it('counts right, wrong and missing values, codes one by one, and ignores prose', () => {
    const score = scoreValues(
      {
        visits: 100,
        loans: 200,
        dedicatedBookBudget: false,
        problemCategories: ['space', 'other'],
      },
      {
        visits: 100,
        loans: 250,
        holdingsTotal: 5,
        dedicatedBookBudget: false,
        problemCategories: ['space', 'digital'],
        problemDetails: '馆舍狭小，设备陈旧。',
      },
    );
    expect(score).toMatchObject({ truePositives: 3, falsePositives: 3, falseNegatives: 2 });
    expect(precisionOf(score)).toBe(0.5);
    expect(recallOf(score)).toBe(0.6);
  });

  it('has no precision without suggestions and no recall without labels', () => {
    const empty = scoreValues({}, {});
    expect(precisionOf(empty)).toBeUndefined();
    expect(recallOf(empty)).toBeUndefined();
    const total = addScores([scoreValues({ a: 1 }, { a: 1 }), scoreValues({}, { b: 2 })]);
    expect(total).toMatchObject({ truePositives: 1, falsePositives: 1, falseNegatives: 0 });
  });
});
