/**
 * The structure of a work summary, with offsets into the original text: sentences (split at
 * 。！？； and line ends, except a 。 inside a figure such as "5。2万"), their clauses (split at
 * commas), headings and the sections they open (plans, problems), the report's year and
 * whether the whole document covers only part of a year.
 */
import type { Figure } from './numerals.js';

export interface Span {
  start: number;
  end: number;
}

export interface Sentence extends Span {
  index: number;
  clauses: Span[];
  /** The section the sentence belongs to. */
  context: SectionContext;
}

export interface SectionContext {
  /** Under a heading about plans, targets or next year (下年度工作计划, 工作思路…). */
  plan: boolean;
  /** Under a heading about problems (存在的问题, 不足之处…); the id of that section. */
  problems: number | null;
  /** The heading sentence that opened the problems section, for quoting. */
  problemsHeading: Span | null;
}

export interface DocumentShape {
  sentences: Sentence[];
  /** The year the report is about, when the text says so (2022年工作总结, 完成了2020年…). */
  reportYear: number | null;
  /** The title or opening says the document covers part of a year (上半年, 1-6月…). */
  partialYear: boolean;
  /** The title says the whole document is a plan (工作计划 without 总结). */
  planDocument: boolean;
}

const SENTENCE_END = /[。!?;\n]/;
const CLAUSE_END = ',';

const NUMBERING: readonly [RegExp, number][] = [
  [/^[一二三四五六七八九十]+[、.]/, 1],
  [/^第[一二三四五六七八九十]+[、,:部分章节是]/, 1],
  [/^\([一二三四五六七八九十]+\)/, 2],
  [/^\d{1,2}[、.](?!\d)/, 3],
  [/^\(\d{1,2}\)/, 3],
];

export const PLAN_HEADING = /计划|打算|思路|设想|安排|展望|要点|目标|任务|下一步|今后/;
const NOT_PLAN_HEADING = /总结|小结|完成情况|回顾|成效|成绩/;
export const PROBLEMS_HEADING =
  /存在的?(主要)?(问题|不足|困难)|不足之处|问题(与|和|及)不足|困难(与|和)问题|问题(与|和)困难|面临的(主要)?(困难|问题)|问题及(原因|对策|建议)|薄弱环节/;
const PARTIAL_YEAR =
  /[上下]半年|半年(工作)?(总结|小结)|[1一]\s*[-—–~至到]\s*[5-9五六七八九]\s*月|季度/;
const YEAR = /(?<!\d)((?:19|20)\d\d)\s*年/g;

/** Positions inside figures: a stop or comma there is a decimal point or a separator. */
const figurePositions = (figures: readonly Figure[]): Set<number> => {
  const positions = new Set<number>();
  for (const figure of figures) {
    for (let position = figure.start; position < figure.end; position += 1) {
      positions.add(position);
    }
  }
  return positions;
};

/** Sentences, skipping sentence marks inside figures. */
const splitSentences = (text: string, protectedStops: ReadonlySet<number>): Span[] => {
  const spans: Span[] = [];
  let start = 0;
  for (let position = 0; position <= text.length; position += 1) {
    const char = text[position];
    const atEnd = position === text.length;
    if (!atEnd && !(SENTENCE_END.test(char ?? '') && !protectedStops.has(position))) continue;
    const end = atEnd ? position : position + 1;
    if (text.slice(start, end).trim() !== '') spans.push({ start, end });
    start = end;
  }
  return spans;
};

const splitClauses = (text: string, sentence: Span, inFigure: ReadonlySet<number>): Span[] => {
  const clauses: Span[] = [];
  let start = sentence.start;
  for (let position = sentence.start; position < sentence.end; position += 1) {
    if (text[position] === CLAUSE_END && !inFigure.has(position)) {
      clauses.push({ start, end: position + 1 });
      start = position + 1;
    }
  }
  if (start < sentence.end) clauses.push({ start, end: sentence.end });
  return clauses;
};

/** Leading whitespace and bullets of a span. */
const trimmedStart = (text: string, span: Span) => {
  let position = span.start;
  while (position < span.end && /[\s•·*]/.test(text[position] ?? '')) position += 1;
  return position;
};

interface Heading {
  level: number;
  /** The heading's own words: up to its first comma or stop, at most 40 characters. */
  title: string;
}

const headingOf = (text: string, span: Span, lineStart: boolean): Heading | undefined => {
  const start = trimmedStart(text, span);
  const content = text.slice(start, span.end).replace(/[。!?;\n]$/, '');
  for (const [pattern, level] of NUMBERING) {
    const match = pattern.exec(content);
    if (match) {
      const title =
        content
          .slice(match[0].length)
          .split(/[,:。]/)[0]
          ?.slice(0, 40) ?? '';
      return { level, title };
    }
  }
  // A short line of its own without punctuation: a title (报告标题, 2023年工作计划).
  const lineEnds = text[span.end - 1] === '\n' || span.end === text.length;
  if (lineStart && lineEnds && content.trim().length <= 40 && !/[,。;:!?]/.test(content)) {
    return { level: 0, title: content.trim() };
  }
  return undefined;
};

const isPlanTitle = (title: string) => PLAN_HEADING.test(title) && !NOT_PLAN_HEADING.test(title);

/**
 * The report's year: the year of a title such as "2022年…工作总结", else of "完成了2020年…",
 * else the year mentioned most often.
 */
const detectReportYear = (text: string, title: string): number | null => {
  const titled = /((?:19|20)\d\d)\s*年[^\n]{0,16}(总结|工作报告|年报)/.exec(title);
  if (titled?.[1]) return Number(titled[1]);
  const completed = /完成(了)?((?:19|20)\d\d)\s*年/.exec(text);
  if (completed?.[2]) return Number(completed[2]);
  const counts = new Map<number, number>();
  for (const match of text.matchAll(YEAR)) {
    const year = Number(match[1]);
    counts.set(year, (counts.get(year) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first || (second && second[1] === first[1])) return null;
  return first[0];
};

export const analyzeDocument = (text: string, figures: readonly Figure[]): DocumentShape => {
  const inFigure = figurePositions(figures);
  const spans = splitSentences(text, inFigure);
  const sentences: Sentence[] = [];
  type Open = { level: number; plan: boolean; problems: number | null; heading: Span };
  let stack: Open[] = [];
  let nextSection = 0;
  let title = '';
  spans.forEach((span, index) => {
    const lineStart = span.start === 0 || text[span.start - 1] === '\n';
    const heading = headingOf(text, span, lineStart);
    if (heading) {
      if (title === '' && heading.level === 0) title = heading.title;
      stack = heading.level === 0 ? [] : stack.filter((open) => open.level < heading.level);
      const problems = PROBLEMS_HEADING.test(heading.title) ? nextSection++ : null;
      stack.push({
        level: heading.level,
        plan: isPlanTitle(heading.title),
        problems,
        heading: span,
      });
    }
    const problemsOpen = [...stack].reverse().find((open) => open.problems !== null);
    sentences.push({
      ...span,
      index,
      clauses: splitClauses(text, span, inFigure),
      context: {
        plan: stack.some((open) => open.plan),
        problems: problemsOpen?.problems ?? null,
        problemsHeading: problemsOpen?.heading ?? null,
      },
    });
  });
  if (title === '') title = text.slice(0, 60).split('\n')[0] ?? '';
  const opening = text.slice(0, 300);
  return {
    sentences,
    reportYear: detectReportYear(text, title),
    partialYear: PARTIAL_YEAR.test(title) || /(现将|特将)[^。]{0,12}[上下]半年/.test(opening),
    planDocument: isPlanTitle(title),
  };
};
