/** Descriptive statistics for the comparison; quartiles as Excel's QUARTILE.INC computes them. */

export const quantile = (sorted: readonly number[], q: number): number | undefined => {
  if (sorted.length === 0) return undefined;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] ?? 0;
  const high = sorted[upper] ?? low;
  return low + (high - low) * (position - lower);
};

export interface Summary {
  n: number;
  total: number;
  mean: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

export const summarize = (values: readonly number[]): Summary | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    n: sorted.length,
    total,
    mean: total / sorted.length,
    min: sorted[0] ?? 0,
    q1: quantile(sorted, 0.25) ?? 0,
    median: quantile(sorted, 0.5) ?? 0,
    q3: quantile(sorted, 0.75) ?? 0,
    max: sorted.at(-1) ?? 0,
  };
};

/** Competition ranking, highest first: equal values share a rank (1, 2, 2, 4). */
export const rankDescending = (values: ReadonlyMap<string, number>): Map<string, number> => {
  const sorted = [...values.values()].sort((a, b) => b - a);
  const rankOfValue = new Map<number, number>();
  sorted.forEach((value, index) => {
    if (!rankOfValue.has(value)) rankOfValue.set(value, index + 1);
  });
  return new Map([...values].map(([id, value]) => [id, rankOfValue.get(value) ?? 0]));
};

/** Change in percent from `previous` to `current`; undefined without a usable previous value. */
export const changePercent = (current: unknown, previous: unknown): number | undefined =>
  typeof current === 'number' && typeof previous === 'number' && previous !== 0
    ? ((current - previous) / previous) * 100
    : undefined;
