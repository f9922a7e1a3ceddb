/**
 * What a narrative import answers: suggested values by field key, the evidence for each (the
 * quoted words, where they are in the pasted text, the qualifier and a confidence), and the
 * figures that were found but not suggested, with the reason. Nothing here is ever saved.
 */
import type { Qualifier } from './numerals.js';
import type { CueKind, FieldRule } from './rules.js';

export type { Qualifier };

/** The part of a form field the extraction needs: type and bounds (no zod, browser-safe). */
export interface NarrativeFieldSpec {
  type: 'int' | 'decimal' | 'money' | 'bool' | 'choice' | 'multi' | 'text' | 'date' | 'group';
  min?: number;
  max?: number;
  /** Decimal places of a decimal field. */
  scale?: number;
  /** Codes of a choice or multi field. */
  choices?: readonly string[];
  maxLength?: number;
}

export interface NarrativeOptions {
  /** The form's fields by key, in the form's order. */
  fields: ReadonlyMap<string, NarrativeFieldSpec>;
  /** A half-year form takes half-year figures and refuses whole-year ones. */
  periodType?: 'annual' | 'half-year';
  /**
   * Rules for number fields the written rules do not know (`label-rules.ts`); a written rule's
   * word keeps a figure unless the label's holds it or names what a measure word counts.
   */
  labelRules?: readonly FieldRule[];
}

export interface Evidence {
  field: string;
  value: unknown;
  /** The words the value was read from, exactly as pasted. */
  quote: string;
  /** Where the figure (or the phrase stating a problem) is in the pasted text. */
  start: number;
  end: number;
  qualifier: Qualifier | null;
  /** 0…1: how sure the rules are that this is the field's value. */
  confidence: number;
}

export type UnmappedReason =
  | CueKind
  | 'noField'
  | 'ambiguous'
  | 'excluded'
  | 'missingContext'
  | 'conflict'
  | 'lowConfidence'
  | 'notInForm'
  | 'outOfBounds'
  | 'notWhole'
  | 'tooManyDecimals'
  | 'ruleConflict';

export interface UnmappedFigure {
  /** The figure as written ("12.9万余册"). */
  text: string;
  /** Its value in the form's unit (yuan for 万元), or the statement's value. */
  value: unknown;
  unit: string;
  qualifier: Qualifier | null;
  quote: string;
  start: number;
  end: number;
  /** The field the figure would have gone to, when there was one. */
  field: string | null;
  reason: UnmappedReason;
}

export interface NarrativeImport {
  values: Record<string, unknown>;
  evidence: Evidence[];
  unmapped: UnmappedFigure[];
}

/** The longest text accepted: far more than a county library's yearly summary. */
export const MAX_NARRATIVE_LENGTH = 50_000;
