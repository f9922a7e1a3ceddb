/**
 * The form versions that were deployed, in `forms/released.yaml`: stored reports name their
 * version and are validated, shown and exported under it, so a released version must stay as
 * it was. Each is recorded with a fingerprint of its definition (the YAML's data without its
 * wording, so comments, layout, titles, labels, help, hints and messages may still be corrected),
 * which `forms check` compares; `forms release` records the versions not yet listed, as part of
 * deploying.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import * as z from 'zod/mini';
import { canonicalJson } from '../../domain/canonical-json.js';

export const RELEASED_FILE = 'released.yaml';

const Fingerprint = z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/));
/** formId → version → fingerprint. */
export const ReleasedFile = z.record(z.string(), z.record(z.string(), Fingerprint));
export type ReleasedFile = z.infer<typeof ReleasedFile>;

/**
 * What people read, and the editor's schema link: may be corrected in a released version, as
 * it changes no stored meaning.
 */
const WORDING = new Set(['title', 'label', 'help', 'hint', 'message', 'note', '$schema']);

/** A definition's data without its wording (units stay: they say what stored numbers mean). */
const withoutWording = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutWording);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !WORDING.has(key))
      .map(([key, inner]) => [key, withoutWording(inner)]),
  );
};

/** The fingerprint of a definition file's data, its wording left out. */
export const fingerprintOf = (data: unknown): string =>
  `sha256:${createHash('sha256')
    .update(canonicalJson(withoutWording(data)) ?? '')
    .digest('hex')}`;

export interface VersionFile {
  formId: string;
  version: string;
  /** The file's data; undefined when it could not be read (already reported). */
  data: unknown;
}

export interface ReleaseProblem {
  formId: string;
  version: string;
  /** The version's file is gone (reported in released.yaml) or was changed (in the file). */
  kind: 'missing' | 'changed';
  message: string;
}

/** Released versions whose file is gone or whose definition changed since it was released. */
export const checkReleased = (
  released: ReleasedFile,
  files: readonly VersionFile[],
): ReleaseProblem[] =>
  Object.entries(released).flatMap(([formId, versions]) =>
    Object.entries(versions).flatMap(([version, fingerprint]): ReleaseProblem[] => {
      const file = files.find((c) => c.formId === formId && c.version === version);
      if (!file) {
        return [
          {
            formId,
            version,
            kind: 'missing',
            message: `${formId} ${version} was released and stored reports may use it, but ${formId}/${version}.yaml is missing: restore it`,
          },
        ];
      }
      if (file.data === undefined || fingerprintOf(file.data) === fingerprint) return [];
      return [
        {
          formId,
          version,
          kind: 'changed',
          message: `${formId} ${version} was released and stored reports use it, so only its wording (titles, labels, help, hints, messages) may change: undo the change and make it in a new version, with migrations for dropped or retyped fields (if ${version} was never deployed, remove it from ${RELEASED_FILE})`,
        },
      ];
    }),
  );

/** The released versions with every given version added (those listed stay as listed). */
export const withReleased = (released: ReleasedFile, files: readonly VersionFile[]) => {
  const next: ReleasedFile = structuredClone(released);
  const added: string[] = [];
  for (const file of files) {
    const versions = next[file.formId] ?? {};
    next[file.formId] = versions;
    if (versions[file.version] !== undefined) continue;
    versions[file.version] = fingerprintOf(file.data);
    added.push(`${file.formId} ${file.version}`);
  }
  return { released: next, added };
};

/** The file's text: a header saying what it is, then the versions in order. */
export const releasedText = (released: ReleasedFile): string => {
  const sorted = Object.fromEntries(
    Object.entries(released)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([formId, versions]) => [
        formId,
        Object.fromEntries(Object.entries(versions).sort(([a], [b]) => (a < b ? -1 : 1))),
      ]),
  );
  return [
    '# Form versions that were deployed. Stored reports name their version, so a version listed',
    '# here must stay as it is: `npm run forms -- check` refuses it changed or missing. Written by',
    '# `npm run forms -- release` when deploying (docs/forms.md); commit it with the forms.',
    stringify(sorted).trimEnd(),
    '',
  ].join('\n');
};
