/**
 * The extraction engine: from a pasted work summary to suggested values with their quotes.
 * Pure and browser-safe (no zod, no SDK). Precision before recall: a figure becomes a
 * suggestion only when a word naming a field stands next to it in its clause, its unit fits,
 * nothing around it says it is a running total, one room's figure, a capacity, part of a
 * year, a plan, a change or another institution's, and no other figure of the text claims the
 * same field with a different value. Everything else goes to `unmapped`, with the reason.
 */
import { decimalPlaces, decimalToNumber, isWhole } from './decimal.js';
import type {
  Evidence,
  NarrativeFieldSpec,
  NarrativeImport,
  NarrativeOptions,
  UnmappedFigure,
  UnmappedReason,
} from './model.js';
import { normalizeText } from './normalize.js';
import { type Figure, MEASURE_WORDS, scanFigures } from './numerals.js';
import { extractProblems } from './problems.js';
import {
  CUES,
  type CueKind,
  FIELD_RULES,
  type FieldRule,
  STATEMENT_RULES,
  type Trigger,
} from './rules.js';
import { analyzeDocument, type DocumentShape, type Sentence, type Span } from './segment.js';

/** Characters between a word before the figure and the figure, by default. */
const DEFAULT_DISTANCE = 12;
/** After a measure word the counted noun may carry a modifier ("3期总分馆制建设业务培训班"). */
const AFTER_MEASURE_DISTANCE = 10;
const AFTER_OTHER_DISTANCE = 2;
/** Below this a suggestion is not made. */
export const MIN_CONFIDENCE = 0.6;
/** Two different values for one field: the better is kept only when this much surer. */
export const CONFLICT_MARGIN = 0.15;
/** A quote shorter than this takes in the clauses before it, for context. */
const SHORT_QUOTE = 12;
/** A quote reaches at most this far before and after its figure. */
const QUOTE_BEFORE = 60;
const QUOTE_AFTER = 40;
/** A sentence without stops may run on for pages: cues are looked for this close at most. */
const SCOPE_LIMIT = 300;

interface CompiledTrigger {
  pattern: RegExp;
  within: number | undefined;
  sentence: RegExp | undefined;
}

interface CompiledRule {
  rule: FieldRule;
  units: ReadonlySet<string>;
  before: CompiledTrigger[];
  after: CompiledTrigger[];
  requireClause: RegExp | undefined;
  requireSentence: RegExp | undefined;
  exclude: RegExp | undefined;
  excludeClause: RegExp | undefined;
  excludeSentence: RegExp | undefined;
  ignore: ReadonlySet<CueKind>;
}

const anyOf = (patterns: readonly string[] | undefined): RegExp | undefined =>
  patterns && patterns.length > 0
    ? new RegExp(patterns.map((p) => `(?:${p})`).join('|'))
    : undefined;

const compileTrigger = (trigger: string | Trigger): CompiledTrigger => {
  const spec = typeof trigger === 'string' ? { pattern: trigger } : trigger;
  return {
    pattern: new RegExp(spec.pattern, 'g'),
    within: spec.within,
    sentence: anyOf(spec.sentence),
  };
};

const compileRule = (rule: FieldRule): CompiledRule => ({
  rule,
  units: new Set(rule.units),
  before: (rule.before ?? []).map(compileTrigger),
  after: (rule.after ?? []).map(compileTrigger),
  requireClause: anyOf(rule.requireClause),
  requireSentence: anyOf(rule.requireSentence),
  exclude: anyOf(rule.exclude),
  excludeClause: anyOf(rule.excludeClause),
  excludeSentence: anyOf(rule.excludeSentence),
  ignore: new Set(rule.ignore ?? []),
});

const COMPILED_RULES: readonly CompiledRule[] = FIELD_RULES.map(compileRule);

const COMPILED_CUES = (
  Object.entries(CUES) as [Exclude<CueKind, 'otherYear'>, (typeof CUES)[keyof typeof CUES]][]
).map(([kind, group]) => ({
  kind,
  scope: group.scope,
  anywhere: anyOf(group.patterns.filter((pattern) => !pattern.endsWith('$'))),
  atEnd: anyOf(group.patterns.filter((pattern) => pattern.endsWith('$'))),
}));

const YEAR_IN_TEXT = /(?<!\d)((?:19|20)\d\d)\s*年/g;

/** Units of one kind: a figure's window reaches back past figures of other kinds only. */
const UNIT_GROUPS: readonly (readonly string[])[] = [
  ['册', '本', '件', '部'],
  ['个', '家', '所', '处', '座', '张', '席'],
  ['人', '名', '位'],
  ['场', '场次', '次', '期', '项', '班'],
];
const unitGroup = (unit: string) =>
  UNIT_GROUPS.findIndex((group) => group.includes(unit)) + 1 || `unit:${unit}`;

interface Located {
  figure: Figure;
  sentence: Sentence;
  /** The figure's clause (or, for a very long one, the part around the figure). */
  clause: Span;
  clauseIndex: number;
  /** Where words before the figure are looked for. */
  windowStart: number;
  /** Where words after the figure are looked for. */
  rightEnd: number;
  /** The sentence's first figure: the sentence's topic is what comes before it. */
  topicEnd: number;
  /** The sentence, or for a very long one the part of it around the figure. */
  scope: Span;
}

interface Match {
  compiled: CompiledRule;
  side: 'before' | 'after';
  distance: number;
  start: number;
  end: number;
}

interface Candidate {
  located: Located;
  field: string;
  value: unknown;
  confidence: number;
  trigger: Match;
}

const locateFigures = (
  text: string,
  figures: readonly Figure[],
  shape: DocumentShape,
): Located[] => {
  const located: Located[] = [];
  let sentenceIndex = 0;
  let currentSentence: Sentence | undefined;
  let topicEnd = 0;
  figures.forEach((figure, index) => {
    while (
      sentenceIndex < shape.sentences.length &&
      (shape.sentences[sentenceIndex]?.end ?? 0) <= figure.start
    ) {
      sentenceIndex += 1;
    }
    const sentence = shape.sentences[sentenceIndex];
    if (!sentence) return;
    const clauseIndex = sentence.clauses.findIndex(
      (span) => figure.start >= span.start && figure.start < span.end,
    );
    const whole = sentence.clauses[clauseIndex] ?? sentence;
    const clause = {
      start: Math.max(whole.start, figure.start - SCOPE_LIMIT),
      end: Math.min(whole.end, figure.end + SCOPE_LIMIT),
    };
    let windowStart = clause.start;
    const group = unitGroup(figure.unit);
    for (let back = index - 1; back >= 0; back -= 1) {
      const previous = figures[back];
      if (!previous || previous.end <= clause.start) break;
      if (unitGroup(previous.unit) === group) {
        windowStart = previous.end;
        break;
      }
    }
    const next = figures[index + 1];
    const rightEnd = Math.min(
      clause.end,
      next && next.start < clause.end ? next.start : clause.end,
      figure.end + AFTER_MEASURE_DISTANCE + 12,
    );
    if (sentence !== currentSentence) {
      currentSentence = sentence;
      topicEnd = figure.start;
    }
    const scope = {
      start: Math.max(sentence.start, figure.start - SCOPE_LIMIT),
      end: Math.min(sentence.end, figure.end + SCOPE_LIMIT),
    };
    located.push({ figure, sentence, clause, clauseIndex, windowStart, rightEnd, topicEnd, scope });
  });
  return located.filter((entry) => entry.windowStart <= entry.figure.start && text.length > 0);
};

/** The best match of one rule's words around a figure. */
const matchRule = (text: string, compiled: CompiledRule, at: Located): Match[] => {
  const { figure } = at;
  const sentenceText = text.slice(at.scope.start, at.scope.end);
  const matches: Match[] = [];
  const window = text.slice(at.windowStart, figure.start);
  for (const trigger of compiled.before) {
    if (trigger.sentence && !trigger.sentence.test(sentenceText)) continue;
    const within = trigger.within ?? compiled.rule.maxDistance ?? DEFAULT_DISTANCE;
    trigger.pattern.lastIndex = 0;
    let best: RegExpExecArray | undefined;
    for (let found = trigger.pattern.exec(window); found; found = trigger.pattern.exec(window)) {
      if (found[0] === '') {
        trigger.pattern.lastIndex += 1;
        continue;
      }
      best = found;
    }
    if (!best) continue;
    const end = best.index + best[0].length;
    const distance = window.length - end;
    if (distance > within) continue;
    matches.push({
      compiled,
      side: 'before',
      distance,
      start: at.windowStart + best.index,
      end: at.windowStart + end,
    });
  }
  // The noun a measure word counts stops at an enumeration: "4名、中级…" says nothing of 4.
  const right = text.slice(figure.end, at.rightEnd).split(/[、;及和与或]/)[0] ?? '';
  const measure = MEASURE_WORDS.has(figure.unit);
  for (const trigger of compiled.after) {
    if (trigger.sentence && !trigger.sentence.test(sentenceText)) continue;
    const within = trigger.within ?? (measure ? AFTER_MEASURE_DISTANCE : AFTER_OTHER_DISTANCE);
    trigger.pattern.lastIndex = 0;
    const found = trigger.pattern.exec(right);
    if (!found || found[0] === '' || found.index > within) continue;
    matches.push({
      compiled,
      side: 'after',
      distance: found.index,
      start: figure.end + found.index,
      end: figure.end + found.index + found[0].length,
    });
  }
  return matches;
};

/**
 * The field a figure is about: the noun right after a measure word, else the nearest word
 * before it (the longest when two end at the same place). Undefined when two fields tie.
 */
const headOf = (matches: readonly Match[]): Match | 'ambiguous' | undefined => {
  const after = matches.filter((match) => match.side === 'after');
  const pool = after.length > 0 ? after : matches;
  const sorted = [...pool].sort(
    (a, b) => a.distance - b.distance || b.end - b.start - (a.end - a.start),
  );
  const [first, second] = sorted;
  if (!first) return undefined;
  if (
    second &&
    second.compiled.rule.field !== first.compiled.rule.field &&
    second.distance === first.distance &&
    second.end - second.start === first.end - first.start
  ) {
    return 'ambiguous';
  }
  return first;
};

/** The text of a span with the head's own words blanked, so its words are not cues. */
const maskedSlice = (text: string, start: number, end: number, mask: Match): string => {
  const from = Math.max(start, Math.min(end, mask.start));
  const to = Math.max(from, Math.min(end, mask.end));
  return `${text.slice(start, from)}${' '.repeat(to - from)}${text.slice(to, end)}`;
};

/** Short clauses right before the figure's clause ("其中,外借…"): they qualify it. */
const leadingShortClauses = (text: string, at: Located): number => {
  let start = at.clause.start;
  for (let index = at.clauseIndex - 1; index >= 0; index -= 1) {
    const clause = at.sentence.clauses[index];
    if (!clause) break;
    const words = text.slice(clause.start, clause.end).replace(/[\s,]/g, '');
    if (words.length > 5 || /\d/.test(words)) break;
    start = clause.start;
  }
  return start;
};

const distractorOf = (
  text: string,
  at: Located,
  head: Match,
  shape: DocumentShape,
  periodType: 'annual' | 'half-year',
): CueKind | undefined => {
  const { figure } = at;
  const ignore = head.compiled.ignore;
  const window = maskedSlice(text, at.windowStart, figure.start, head);
  const clause = maskedSlice(text, at.clause.start, at.clause.end, head);
  const sentence = maskedSlice(text, at.scope.start, at.scope.end, head);
  const topic = `${maskedSlice(text, Math.max(at.scope.start, at.topicEnd - SCOPE_LIMIT), at.topicEnd, head)}\n${maskedSlice(
    text,
    leadingShortClauses(text, at),
    figure.start,
    head,
  )}`;
  const scopes = { window, clause, sentence, topic };
  for (const cue of COMPILED_CUES) {
    if (ignore.has(cue.kind)) continue;
    if (cue.kind === 'partialYear' && periodType === 'half-year') continue;
    if (cue.anywhere?.test(scopes[cue.scope])) return cue.kind;
    if (cue.atEnd?.test(window)) return cue.kind;
  }
  if (periodType === 'annual' && shape.partialYear && !ignore.has('partialYear')) {
    return 'partialYear';
  }
  if (periodType === 'half-year' && /全年|年度/.test(sentence)) return 'partialYear';
  if (!ignore.has('plan') && (shape.planDocument || at.sentence.context.plan)) return 'plan';
  if (!ignore.has('otherYear') && shape.reportYear !== null) {
    for (const match of clause.matchAll(YEAR_IN_TEXT)) {
      if (Number(match[1]) !== shape.reportYear) return 'otherYear';
    }
  }
  return undefined;
};

const contextProblem = (text: string, at: Located, head: Match): UnmappedReason | undefined => {
  const { compiled } = head;
  const clause = text.slice(at.clause.start, at.clause.end);
  const sentence = text.slice(at.scope.start, at.scope.end);
  if (compiled.requireClause && !compiled.requireClause.test(clause)) return 'missingContext';
  if (compiled.requireSentence && !compiled.requireSentence.test(sentence)) return 'missingContext';
  // "其中,外借…": a short clause before the figure's own belongs to its window.
  const maskedWindow = `${text.slice(leadingShortClauses(text, at), at.clause.start)}${maskedSlice(
    text,
    at.windowStart,
    at.figure.start,
    head,
  )}`;
  const maskedClause = maskedSlice(text, at.clause.start, at.clause.end, head);
  const maskedSentence = maskedSlice(text, at.scope.start, at.scope.end, head);
  if (compiled.exclude?.test(maskedWindow)) return 'excluded';
  if (compiled.excludeClause?.test(maskedClause)) return 'excluded';
  if (compiled.excludeSentence?.test(maskedSentence)) return 'excluded';
  return undefined;
};

/** The value a figure gives a field of this type, or why it cannot. */
export const valueFor = (
  figure: Figure,
  spec: NarrativeFieldSpec,
): { value: number } | { reason: UnmappedReason } => {
  const value = decimalToNumber(figure.value);
  if (spec.type === 'int' || spec.type === 'money') {
    if (!isWhole(figure.value)) return { reason: 'notWhole' };
  } else if (spec.type === 'decimal') {
    if (decimalPlaces(figure.value) > (spec.scale ?? 0)) return { reason: 'tooManyDecimals' };
  } else {
    return { reason: 'notInForm' };
  }
  if (!Number.isSafeInteger(Math.trunc(value))) return { reason: 'outOfBounds' };
  if (value < (spec.min ?? 0) || (spec.max !== undefined && value > spec.max)) {
    return { reason: 'outOfBounds' };
  }
  return { value };
};

const QUALIFIER_PENALTY: Readonly<Record<string, number>> = {
  约: 0.05,
  近: 0.05,
  左右: 0.05,
  将近: 0.05,
  大约: 0.05,
  不足: 0.08,
  不到: 0.08,
};

const confidenceOf = (at: Located, head: Match): number => {
  const { figure } = at;
  const length = head.end - head.start;
  let confidence = 0.92 - 0.015 * head.distance + 0.01 * Math.min(4, Math.max(0, length - 2));
  if (figure.qualifier) confidence -= QUALIFIER_PENALTY[figure.qualifier] ?? 0.03;
  if (head.side === 'after' && !MEASURE_WORDS.has(figure.unit)) confidence -= 0.05;
  if (figure.chinese) {
    const numberLength = figure.numberEnd - figure.numberStart;
    confidence -= numberLength <= 1 ? 0.15 : 0.05;
  }
  return Math.round(Math.min(0.99, Math.max(0, confidence)) * 100) / 100;
};

const trimSpan = (text: string, start: number, end: number): Span => {
  let from = start;
  let to = end;
  while (from < to && /[\s•·,;。!?]/.test(text[from] ?? '')) from += 1;
  while (to > from && /[\s,;。!?:]/.test(text[to - 1] ?? '')) to -= 1;
  return { start: from, end: to };
};

/** The clause a figure stands in, with earlier clauses of its sentence when it is short. */
const quoteSpan = (normalized: string, at: Located, from: number): Span => {
  let start = Math.min(at.clause.start, from);
  const clauses = at.sentence.clauses;
  let index = clauses.findIndex((clause) => clause.start <= start && start < clause.end);
  while (index > 0 && at.clause.end - start < SHORT_QUOTE) {
    index -= 1;
    start = clauses[index]?.start ?? start;
  }
  return trimSpan(
    normalized,
    Math.max(start, at.figure.start - QUOTE_BEFORE),
    Math.min(at.clause.end, at.figure.end + QUOTE_AFTER),
  );
};

const figureUnmapped = (
  original: string,
  normalized: string,
  at: Located,
  reason: UnmappedReason,
  field: string | null,
  value?: unknown,
): UnmappedFigure => {
  const { figure } = at;
  const span = quoteSpan(normalized, at, at.clause.start);
  return {
    text: original.slice(figure.start, figure.end),
    value: value ?? decimalToNumber(figure.value),
    unit: figure.multiplier === '万' && figure.unit === '元' ? '元' : figure.unit,
    qualifier: figure.qualifier,
    quote: original.slice(span.start, span.end),
    start: figure.start,
    end: figure.end,
    field,
    reason,
  };
};

/**
 * Whether a label rule's word, not a written rule's, names a figure's field: where no written
 * word stands by the figure, where the label's names what a measure word counts and the written
 * one stands before the figure ("职工带领120名志愿者"), or where the label's word holds the
 * written one ("专项购书经费" over 购书经费). A written word that names the figure by itself
 * keeps it, even for a field the form lacks ("馆藏图书": 馆藏, not a label's 图书).
 */
const preferLabel = (
  written: Match | 'ambiguous' | undefined,
  labelled: Match | 'ambiguous' | undefined,
): boolean => {
  if (labelled === undefined || labelled === 'ambiguous') return written === undefined;
  if (written === undefined) return true;
  if (written === 'ambiguous') return false;
  if (labelled.side !== written.side) return labelled.side === 'after';
  return (
    labelled.start <= written.start &&
    labelled.end >= written.end &&
    labelled.end - labelled.start > written.end - written.start
  );
};

interface Outcome {
  accepted: Candidate[];
  unmapped: { at: Located; reason: UnmappedReason; field: string | null }[];
}

const classifyFigures = (
  normalized: string,
  located: readonly Located[],
  shape: DocumentShape,
  options: Required<NarrativeOptions>,
): Outcome => {
  const outcome: Outcome = { accepted: [], unmapped: [] };
  const labelRules = options.labelRules.map(compileRule);
  const headAmong = (rules: readonly CompiledRule[], at: Located) =>
    headOf(
      rules
        .filter((compiled) => compiled.units.has(at.figure.unit))
        .flatMap((compiled) => matchRule(normalized, compiled, at)),
    );
  for (const at of located) {
    const written = headAmong(COMPILED_RULES, at);
    const labelled = labelRules.length > 0 ? headAmong(labelRules, at) : undefined;
    const head = preferLabel(written, labelled) ? labelled : written;
    if (head === undefined || head === 'ambiguous') {
      outcome.unmapped.push({ at, reason: head ?? 'noField', field: null });
      continue;
    }
    const field = head.compiled.rule.field;
    const spec = options.fields.get(field);
    const problem =
      distractorOf(normalized, at, head, shape, options.periodType) ??
      contextProblem(normalized, at, head) ??
      (spec ? undefined : 'notInForm');
    if (problem || !spec) {
      outcome.unmapped.push({ at, reason: problem ?? 'notInForm', field });
      continue;
    }
    const converted = valueFor(at.figure, spec);
    if ('reason' in converted) {
      outcome.unmapped.push({ at, reason: converted.reason, field });
      continue;
    }
    const confidence = confidenceOf(at, head);
    if (confidence < MIN_CONFIDENCE) {
      outcome.unmapped.push({ at, reason: 'lowConfidence', field });
      continue;
    }
    outcome.accepted.push({
      located: at,
      field,
      value: converted.value,
      confidence,
      trigger: head,
    });
  }
  return outcome;
};

/** One value per field: equal values agree; different ones need a clear winner. */
const resolveConflicts = (outcome: Outcome): Candidate[] => {
  const byField = new Map<string, Candidate[]>();
  for (const candidate of outcome.accepted) {
    byField.set(candidate.field, [...(byField.get(candidate.field) ?? []), candidate]);
  }
  const chosen: Candidate[] = [];
  for (const [field, candidates] of byField) {
    const sorted = [...candidates].sort((a, b) => b.confidence - a.confidence);
    const [best] = sorted;
    if (!best) continue;
    const rivals = sorted.filter((candidate) => candidate.value !== best.value);
    const clear = rivals.every((rival) => best.confidence - rival.confidence >= CONFLICT_MARGIN);
    if (clear) chosen.push(best);
    for (const candidate of sorted) {
      if (candidate === best && clear) continue;
      if (candidate.value === best.value && clear) continue;
      outcome.unmapped.push({ at: candidate.located, reason: 'conflict', field });
    }
  }
  return chosen;
};

interface StatementHit {
  field: string;
  value: unknown;
  span: Span;
  quote: Span;
}

/** Yes/no and choice answers stated in words ("没有专门的购书经费"). */
const findStatements = (
  normalized: string,
  shape: DocumentShape,
  fields: ReadonlyMap<string, NarrativeFieldSpec>,
): StatementHit[] => {
  if (shape.partialYear || shape.planDocument) return [];
  const hits: StatementHit[] = [];
  const planCue = anyOf(CUES.plan.patterns);
  for (const rule of STATEMENT_RULES) {
    const spec = fields.get(rule.field);
    if (!spec) continue;
    if (spec.type === 'choice' && !spec.choices?.includes(String(rule.value))) continue;
    for (const sentence of shape.sentences) {
      if (sentence.context.plan) continue;
      const text = normalized.slice(sentence.start, sentence.end);
      for (const pattern of rule.patterns) {
        const found = new RegExp(pattern).exec(text);
        if (!found) continue;
        const start = sentence.start + found.index;
        const clause =
          sentence.clauses.find((span) => start >= span.start && start < span.end) ?? sentence;
        if (planCue?.test(normalized.slice(clause.start, clause.end))) continue;
        hits.push({
          field: rule.field,
          value: rule.value,
          span: { start, end: start + found[0].length },
          quote: trimSpan(normalized, clause.start, clause.end),
        });
        break;
      }
    }
  }
  return hits;
};

const DEFAULT_OPTIONS = { periodType: 'annual', labelRules: [] } as const;

export const extractNarrative = (text: string, options: NarrativeOptions): NarrativeImport => {
  const settings: Required<NarrativeOptions> = { ...DEFAULT_OPTIONS, ...options };
  const normalized = normalizeText(text);
  const figures = scanFigures(normalized);
  const shape = analyzeDocument(normalized, figures);
  const located = locateFigures(normalized, figures, shape);
  const outcome = classifyFigures(normalized, located, shape, settings);
  const chosen = resolveConflicts(outcome);

  const evidence: Evidence[] = chosen.map((candidate) => {
    const { located: at } = candidate;
    const span = quoteSpan(normalized, at, candidate.trigger.start);
    return {
      field: candidate.field,
      value: candidate.value,
      quote: text.slice(span.start, span.end),
      start: at.figure.start,
      end: at.figure.end,
      qualifier: at.figure.qualifier,
      confidence: candidate.confidence,
    };
  });
  const unmapped = outcome.unmapped
    .sort((a, b) => a.at.figure.start - b.at.figure.start)
    .map(({ at, reason, field }) => figureUnmapped(text, normalized, at, reason, field));

  const statements = findStatements(normalized, shape, settings.fields);
  const statementFields = new Set(statements.map((hit) => hit.field));
  for (const field of statementFields) {
    const hits = statements.filter((hit) => hit.field === field);
    const values = new Set(hits.map((hit) => hit.value));
    const [first] = hits;
    if (!first) continue;
    if (values.size === 1) {
      evidence.push({
        field,
        value: first.value,
        quote: text.slice(first.quote.start, first.quote.end),
        start: first.span.start,
        end: first.span.end,
        qualifier: null,
        confidence: 0.8,
      });
      continue;
    }
    for (const hit of hits) {
      unmapped.push({
        text: text.slice(hit.span.start, hit.span.end),
        value: hit.value,
        unit: '',
        qualifier: null,
        quote: text.slice(hit.quote.start, hit.quote.end),
        start: hit.span.start,
        end: hit.span.end,
        field,
        reason: 'conflict',
      });
    }
  }

  if (!shape.partialYear && !shape.planDocument) {
    evidence.push(...extractProblems(text, normalized, shape, settings.fields));
  }

  const values: Record<string, unknown> = {};
  const order = [...settings.fields.keys()];
  evidence.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field) || a.start - b.start);
  for (const item of evidence) {
    if (item.field === 'problemCategories') {
      const codes = (values.problemCategories as string[] | undefined) ?? [];
      values.problemCategories = [...codes, item.value];
    } else if (!(item.field in values)) {
      values[item.field] = item.value;
    }
  }
  const codes = settings.fields.get('problemCategories')?.choices ?? [];
  if (Array.isArray(values.problemCategories)) {
    values.problemCategories = codes.filter((code) =>
      (values.problemCategories as unknown[]).includes(code),
    );
  }
  return { values, evidence, unmapped };
};
