/** Descriptive statistics for the comparison; quartiles as Excel's QUARTILE.INC computes them. */

export const quantile = (sorted: ArrayLike<number>, q: number): number | undefined => {
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

/** Numbers in ascending order (a typed array sorts numerically, without a comparator). */
const ascending = (values: Iterable<number>): Float64Array => Float64Array.from(values).sort();

export const summarize = (values: readonly number[]): Summary | undefined => {
  if (values.length === 0) return undefined;
  const sorted = ascending(values);
  let total = 0;
  for (const value of sorted) total += value;
  return {
    n: sorted.length,
    total,
    mean: total / sorted.length,
    min: sorted[0] ?? 0,
    q1: quantile(sorted, 0.25) ?? 0,
    median: quantile(sorted, 0.5) ?? 0,
    q3: quantile(sorted, 0.75) ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
  };
};

/** Competition ranking, highest first: equal values share a rank (1, 2, 2, 4). */
export const rankDescending = (values: ReadonlyMap<string, number>): Map<string, number> => {
  const sorted = ascending(values.values());
  const rankOfValue = new Map<number, number>();
  for (let index = sorted.length - 1, rank = 1; index >= 0; index -= 1, rank += 1) {
    const value = sorted[index] as number;
    if (!rankOfValue.has(value)) rankOfValue.set(value, rank);
  }
  const ranks = new Map<string, number>();
  for (const [id, value] of values) ranks.set(id, rankOfValue.get(value) ?? 0);
  return ranks;
};

/** Change in percent from `previous` to `current`; undefined without a usable previous value. */
export const changePercent = (current: unknown, previous: unknown): number | undefined =>
  typeof current === 'number' && typeof previous === 'number' && previous !== 0
    ? ((current - previous) / previous) * 100
    : undefined;
