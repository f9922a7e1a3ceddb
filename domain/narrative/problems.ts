/**
 * The problems a summary names (存在的问题, 不足之处…) as problem codes, each with the sentence
 * that states it; the details are those sentences, joined. Only sentences under a problems
 * heading, or after a sentence that introduces problems in the same paragraph, are read, and
 * only a phrase that pairs a subject with a lack ("购书经费不足", "年龄结构偏大") counts.
 */
import type { Evidence, NarrativeFieldSpec } from './model.js';
import { PROBLEM_RULES } from './rules.js';
import type { DocumentShape, Sentence, Span } from './segment.js';

const PROBLEMS_INTRO = /(存在|面临)[^。\n]{0,8}(问题|不足|困难)|不足之处|薄弱环节/;
const LONG_QUOTE = 120;
const LEADING_NUMBERING =
  /^\s*([(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．](?!\d))\s*/;

const COMPILED = PROBLEM_RULES.map((rule) => ({
  code: rule.code,
  patterns: rule.patterns.map((pattern) => new RegExp(pattern)),
}));

/** Sentences that describe problems, in document order. */
const problemSentences = (normalized: string, shape: DocumentShape): Sentence[] => {
  const chosen = new Set<Sentence>();
  shape.sentences.forEach((sentence, index) => {
    if (sentence.context.plan) return;
    if (sentence.context.problems !== null) {
      chosen.add(sentence);
      return;
    }
    const text = normalized.slice(sentence.start, sentence.end);
    if (!PROBLEMS_INTRO.test(text)) return;
    chosen.add(sentence);
    const lineEnd = normalized.indexOf('\n', sentence.start);
    for (const next of shape.sentences.slice(index + 1)) {
      if (lineEnd !== -1 && next.start >= lineEnd) break;
      chosen.add(next);
    }
  });
  return [...chosen];
};

const trim = (text: string, span: Span): Span => {
  let { start, end } = span;
  while (start < end && /[\s•·,;。]/.test(text[start] ?? '')) start += 1;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end -= 1;
  return { start, end };
};

/** The sentence, or for a long one the clauses around the phrase. */
const quoteOf = (normalized: string, sentence: Sentence, at: number): Span => {
  const whole = trim(normalized, sentence);
  if (whole.end - whole.start <= LONG_QUOTE) return whole;
  const index = sentence.clauses.findIndex((clause) => at >= clause.start && at < clause.end);
  const clause = sentence.clauses[Math.max(0, index)] ?? sentence;
  const before = sentence.clauses[index - 1];
  return trim(normalized, { start: before?.start ?? clause.start, end: clause.end });
};

export const extractProblems = (
  original: string,
  normalized: string,
  shape: DocumentShape,
  fields: ReadonlyMap<string, NarrativeFieldSpec>,
): Evidence[] => {
  const categories = fields.get('problemCategories');
  if (categories?.type !== 'multi') return [];
  const allowed = new Set(categories.choices ?? []);
  const evidence: Evidence[] = [];
  const detailSpans: Span[] = [];
  const seen = new Set<string>();
  for (const sentence of problemSentences(normalized, shape)) {
    const text = normalized.slice(sentence.start, sentence.end);
    const codes: { code: string; start: number; end: number }[] = [];
    for (const rule of COMPILED) {
      if (!allowed.has(rule.code)) continue;
      for (const pattern of rule.patterns) {
        const found = pattern.exec(text);
        if (!found) continue;
        codes.push({
          code: rule.code,
          start: sentence.start + found.index,
          end: sentence.start + found.index + found[0].length,
        });
        break;
      }
    }
    // A sentence about book money is not also about running costs.
    const aboutBooks = codes.some((entry) => entry.code === 'bookFunding');
    const kept = codes.filter((entry) => !(aboutBooks && entry.code === 'operatingFunding'));
    if (kept.length === 0) continue;
    detailSpans.push(trim(normalized, sentence));
    for (const entry of kept) {
      if (seen.has(entry.code)) continue;
      seen.add(entry.code);
      const quote = quoteOf(normalized, sentence, entry.start);
      evidence.push({
        field: 'problemCategories',
        value: entry.code,
        quote: original.slice(quote.start, quote.end),
        start: entry.start,
        end: entry.end,
        qualifier: null,
        confidence: sentence.context.problems !== null ? 0.8 : 0.7,
      });
    }
  }
  const details = fields.get('problemDetails');
  const [first] = detailSpans;
  if (details?.type === 'text' && first) {
    const limit = details.maxLength ?? 4_000;
    let joined = '';
    for (const span of detailSpans) {
      const line = original.slice(span.start, span.end).replace(LEADING_NUMBERING, '').trim();
      const next = joined === '' ? line : `${joined}\n${line}`;
      if (next.length > limit) break;
      joined = next;
    }
    const last = detailSpans[detailSpans.length - 1] ?? first;
    if (joined !== '') {
      evidence.push({
        field: 'problemDetails',
        value: joined,
        quote: original.slice(first.start, Math.min(first.end, first.start + LONG_QUOTE)),
        start: first.start,
        end: last.end,
        qualifier: null,
        confidence: 0.8,
      });
    }
  }
  return evidence;
};
