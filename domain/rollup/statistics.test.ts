import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { changePercent, quantile, rankDescending, summarize } from './statistics.js';

describe('quantile (Excel QUARTILE.INC)', () => {
  it('interpolates between the two nearest values', () => {
    const sorted = [1, 2, 3, 4];
    expect(quantile(sorted, 0.25)).toBeCloseTo(1.75, 10);
    expect(quantile(sorted, 0.5)).toBeCloseTo(2.5, 10);
    expect(quantile(sorted, 0.75)).toBeCloseTo(3.25, 10);
  });

  it("matches Microsoft's documented example QUARTILE.INC({1,2,4,7,8,9,10,12}, 1) = 3.5", () => {
    const sorted = [1, 2, 4, 7, 8, 9, 10, 12];
    expect(quantile(sorted, 0.25)).toBeCloseTo(3.5, 10);
    // Hand-computed: positions 3.5 and 5.25 of 0..7.
    expect(quantile(sorted, 0.5)).toBeCloseTo(7.5, 10);
    expect(quantile(sorted, 0.75)).toBeCloseTo(9.25, 10);
  });

  it('lands on a value when the position is whole', () => {
    const sorted = [10, 20, 30, 40, 50];
    expect(quantile(sorted, 0.25)).toBe(20);
    expect(quantile(sorted, 0.5)).toBe(30);
    expect(quantile(sorted, 0.75)).toBe(40);
  });

  it('gives the minimum at 0 and the maximum at 1', () => {
    expect(quantile([3, 5, 8], 0)).toBe(3);
    expect(quantile([3, 5, 8], 1)).toBe(8);
  });

  it('gives the single value for every quartile of one value', () => {
    for (const q of [0, 0.25, 0.5, 0.75, 1]) expect(quantile([42], q)).toBe(42);
  });

  it('is undefined for no values', () => {
    expect(quantile([], 0.5)).toBeUndefined();
  });
});

describe('summarize', () => {
  it('sorts its input and gives count, total, mean, extremes and quartiles', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({
      n: 4,
      total: 10,
      mean: 2.5,
      min: 1,
      q1: 1.75,
      median: 2.5,
      q3: 3.25,
      max: 4,
    });
  });

  it('gives one value as every statistic', () => {
    expect(summarize([165000])).toEqual({
      n: 1,
      total: 165000,
      mean: 165000,
      min: 165000,
      q1: 165000,
      median: 165000,
      q3: 165000,
      max: 165000,
    });
  });

  it('sorts numerically, not as text', () => {
    const stats = summarize([100000, 9, 20000]);
    expect(stats?.min).toBe(9);
    expect(stats?.median).toBe(20000);
    expect(stats?.max).toBe(100000);
  });

  it('is undefined for no values', () => {
    expect(summarize([])).toBeUndefined();
  });
});

describe('rankDescending', () => {
  it('ranks highest first and lets ties share a rank, skipping the next (1, 2, 2, 4)', () => {
    const ranks = rankDescending(
      new Map([
        ['140105', 5],
        ['140121', 10],
        ['140122', 8],
        ['140123', 8],
      ]),
    );
    expect(Object.fromEntries(ranks)).toEqual({
      '140121': 1,
      '140122': 2,
      '140123': 2,
      '140105': 4,
    });
  });

  it('gives a tie at the top rank 1 to both', () => {
    const ranks = rankDescending(
      new Map([
        ['a', 12],
        ['b', 7.8],
        ['c', 12],
      ]),
    );
    expect(Object.fromEntries(ranks)).toEqual({ a: 1, c: 1, b: 3 });
  });

  it('ranks negative values and zero below positive ones', () => {
    const ranks = rankDescending(
      new Map([
        ['down', -20],
        ['flat', 0],
        ['up', 4.2],
      ]),
    );
    expect(Object.fromEntries(ranks)).toEqual({ up: 1, flat: 2, down: 3 });
  });

  it('ranks nothing when there are no values', () => {
    expect(rankDescending(new Map()).size).toBe(0);
  });
});

describe('changePercent', () => {
  it('gives a rise as a positive percentage', () => {
    expect(changePercent(250000, 240000)).toBeCloseTo(4.1667, 4);
    expect(changePercent(2400000, 2000000)).toBeCloseTo(20, 10);
  });

  it('gives a fall as a negative percentage', () => {
    expect(changePercent(12, 16)).toBeCloseTo(-25, 10);
    expect(changePercent(0, 500)).toBeCloseTo(-100, 10);
  });

  it('gives 0 for no change', () => {
    expect(changePercent(6, 6)).toBe(0);
  });

  it('is undefined when the previous value is 0', () => {
    expect(changePercent(30000, 0)).toBeUndefined();
  });

  it('is undefined when either value is missing or not a number', () => {
    expect(changePercent(100, undefined)).toBeUndefined();
    expect(changePercent(undefined, 100)).toBeUndefined();
    expect(changePercent(100, null)).toBeUndefined();
    expect(changePercent('110', 100)).toBeUndefined();
  });
});

describe('summarize and rankDescending against the plain definitions', () => {
  /** The statistics as first written: a copy sorted with a comparator, summed in order. */
  const reference = (values: readonly number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const total = sorted.reduce((sum, value) => sum + value, 0);
    return {
      n: sorted.length,
      total,
      mean: total / sorted.length,
      min: sorted[0],
      q1: quantile(sorted, 0.25),
      median: quantile(sorted, 0.5),
      q3: quantile(sorted, 0.75),
      max: sorted.at(-1),
    };
  };
  const referenceRanks = (values: ReadonlyMap<string, number>) => {
    const sorted = [...values.values()].sort((a, b) => b - a);
    const rankOfValue = new Map<number, number>();
    sorted.forEach((value, index) => {
      if (!rankOfValue.has(value)) rankOfValue.set(value, index + 1);
    });
    return new Map([...values].map(([id, value]) => [id, rankOfValue.get(value) ?? 0]));
  };
  /** -0 and 0 print alike; only their order may differ. */
  const plain = (value: unknown) =>
    JSON.parse(JSON.stringify(value, (_key, v) => (Object.is(v, -0) ? 0 : v)));
  const numbers = fc.array(
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom(0, -0, 0.1, 0.2, 0.3),
    ),
    { minLength: 1, maxLength: 60 },
  );

  it('gives the same statistics', () => {
    fc.assert(
      fc.property(numbers, (values) => {
        expect(plain(summarize(values))).toEqual(plain(reference(values)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives the same ranks', () => {
    fc.assert(
      fc.property(numbers, (values) => {
        const byId = new Map(values.map((value, index) => [`lib${index}`, value]));
        expect([...rankDescending(byId)]).toEqual([...referenceRanks(byId)]);
      }),
      { numRuns: 1_000 },
    );
  });
});
