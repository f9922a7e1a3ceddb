/**
 * Rules for a number field the written rules (FIELD_RULES) do not know, such as one the office
 * added to the form after they were written: its words come from its Chinese label, its units
 * from its unit. The engine prefers a written rule's word unless the label's holds it
 * ("专项购书经费" over 购书经费) or names what a measure word counts ("120名志愿者"), so a
 * generic label never takes a figure a written word names ("馆藏图书": 馆藏, not 图书).
 */
import { escapeRegExp } from '../regexp.js';
import { normalizeText } from './normalize.js';
import { MEASURE_WORDS, UNITS } from './numerals.js';
import type { FieldRule } from './rules.js';

/** What a label rule is made from: a top-level field of the form. */
export interface LabelledField {
  /** The key the engine reports (the rules' key of the field). */
  key: string;
  type: string;
  label: string;
  unit?: string;
}

/** Parenthesised asides ("在编人员（含借调）") are not words the prose repeats. */
const ASIDES = /[（(【[][^）)】\]]*[）)】\]]/g;
/** "其中…" and "是否…" frame a label; the prose names the thing itself. */
const FRAMING = /^(其中|是否)/;
/** One label naming two things ("到馆/流通人次", "讲座、展览场次"): each is a word. */
const ALTERNATIVES = /[、/]/;
/** What a label counts ("志愿者人数"): the prose often says only the thing ("志愿者120人"). */
const COUNTING_SUFFIX = /(人数|人次|场次|册次|数量|总数|个数|次数|册数|种数|金额|数)$/;
/** A rate ("元/人", "每万人…"): a count in its unit is not the field's value. */
const RATE_UNIT = /[/每]/;
/** A word of one character names nothing in particular. */
const MIN_WORD_LENGTH = 2;
const NUMBER_TYPES = new Set(['int', 'decimal', 'money']);
const KNOWN_UNITS: ReadonlySet<string> = new Set(UNITS);
/** Units prose uses for one another, as the written rules accept them ("120名" for 人). */
const SAME_UNITS: readonly (readonly string[])[] = [
  ['人', '名', '位'],
  ['册', '本'],
  ['平方米', '平米', '平方', '㎡', 'm²', 'm2'],
  ['TB', 'T'],
];

/**
 * The words naming a field in prose, as normalised text reads them: its label without asides,
 * each of the things it names, and each also without a counting suffix.
 */
export const labelWords = (label: string): string[] => {
  const cleaned = normalizeText(label)
    .replace(ASIDES, '')
    .replace(/[\s:,。]/g, '')
    .replace(FRAMING, '');
  const words = cleaned
    .split(ALTERNATIVES)
    .flatMap((thing) => [thing, thing.replace(COUNTING_SUFFIX, '')]);
  return [...new Set(words)].filter(
    (word) => word.length >= MIN_WORD_LENGTH && word.replace(COUNTING_SUFFIX, '') !== '',
  );
};

/** Units the figure scanner knows, as the field's unit names them ("册(件)" is 册 or 件). */
export const labelUnits = (type: string, unit: string | undefined): string[] => {
  // Money is kept in yuan; the scanner reads 万元 as 元 with its multiplier.
  if (type === 'money') return ['元'];
  if (unit === undefined || RATE_UNIT.test(unit)) return [];
  const names = unit.split(/[()（）、,，\s或]+/).filter((name) => KNOWN_UNITS.has(name));
  const alike = names.flatMap((name) => SAME_UNITS.find((same) => same.includes(name)) ?? [name]);
  return [...new Set([...names, ...alike])];
};

/**
 * A rule for a number field from its label and unit, or undefined when either says too little
 * to be safe: no word of two characters or more, or no unit the scanner reads (a bare number
 * is never taken for such a field).
 */
export const labelRule = (field: LabelledField): FieldRule | undefined => {
  if (!NUMBER_TYPES.has(field.type)) return undefined;
  const words = labelWords(field.label).map(escapeRegExp);
  const units = labelUnits(field.type, field.unit);
  if (words.length === 0 || units.length === 0) return undefined;
  return {
    field: field.key,
    units,
    before: words,
    // "120名志愿者": after a measure word the counted noun names the field.
    ...(units.some((unit) => MEASURE_WORDS.has(unit)) ? { after: words } : {}),
  };
};
