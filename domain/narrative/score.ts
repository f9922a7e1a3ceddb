/**
 * Precision and recall of suggested values against hand-labelled ones. Each scalar field is one
 * item; each code of a multi-choice field (problemCategories) is one item; free text is not
 * scored. A suggestion counts as correct when it equals the label (for a qualified figure such
 * as 12.9万余册, the label is the stated number).
 */
export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** What went wrong, for the report: `field: expected → suggested`. */
  mistakes: string[];
}

const items = (values: Readonly<Record<string, unknown>>): Map<string, unknown> => {
  const result = new Map<string, unknown>();
  for (const [field, value] of Object.entries(values)) {
    if (Array.isArray(value)) {
      for (const code of value) result.set(`${field}:${String(code)}`, true);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      result.set(field, value);
    } else if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)) {
      result.set(field, value); // a choice code; prose is not scored
    }
  }
  return result;
};

const same = (left: unknown, right: unknown) =>
  typeof left === 'number' && typeof right === 'number'
    ? Math.abs(left - right) < 1e-9
    : left === right;

export const scoreValues = (
  expected: Readonly<Record<string, unknown>>,
  suggested: Readonly<Record<string, unknown>>,
): Score => {
  const want = items(expected);
  const got = items(suggested);
  const score: Score = { truePositives: 0, falsePositives: 0, falseNegatives: 0, mistakes: [] };
  for (const [key, value] of got) {
    if (want.has(key) && same(want.get(key), value)) {
      score.truePositives += 1;
    } else {
      score.falsePositives += 1;
      score.mistakes.push(
        `${key}: ${want.has(key) ? JSON.stringify(want.get(key)) : '(none)'} → ${JSON.stringify(value)}`,
      );
    }
  }
  for (const [key, value] of want) {
    if (!(got.has(key) && same(got.get(key), value))) {
      score.falseNegatives += 1;
      if (!got.has(key)) score.mistakes.push(`${key}: ${JSON.stringify(value)} → (missing)`);
    }
  }
  return score;
};

export const addScores = (scores: readonly Score[]): Score => ({
  truePositives: scores.reduce((sum, score) => sum + score.truePositives, 0),
  falsePositives: scores.reduce((sum, score) => sum + score.falsePositives, 0),
  falseNegatives: scores.reduce((sum, score) => sum + score.falseNegatives, 0),
  mistakes: scores.flatMap((score) => score.mistakes),
});

/** Precision: correct suggestions / suggestions; undefined when nothing was suggested. */
export const precisionOf = (score: Score): number | undefined => {
  const suggested = score.truePositives + score.falsePositives;
  return suggested === 0 ? undefined : score.truePositives / suggested;
};

/** Recall: correct suggestions / labelled items; undefined when nothing was labelled. */
export const recallOf = (score: Score): number | undefined => {
  const labelled = score.truePositives + score.falseNegatives;
  return labelled === 0 ? undefined : score.truePositives / labelled;
};
