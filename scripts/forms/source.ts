/**
 * Reads the form definition files under a directory and checks them, reporting every problem
 * with its file, line and column: YAML syntax, the meta-schema, semantic checks, and changes
 * between versions. Node-only tooling; Lambdas and the browser use the generated catalog.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type * as z from 'zod/mini';
import {
  checkDefinition,
  checkStandards,
  checkVersions,
  compareVersions,
  type DefinitionPath,
} from '../../domain/forms/check.js';
import {
  type FormCatalog,
  FormDefinition,
  PeriodsFile,
  StandardsFile,
} from '../../domain/forms/definition.js';
import { defaultWindow } from '../../domain/forms/periods.js';
import { checkReleased, RELEASED_FILE, ReleasedFile, type VersionFile } from './released.js';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

interface SourceFile {
  path: string;
  display: string;
  data: unknown;
  locate: (path: DefinitionPath) => { line: number; column: number };
}

export const formatDiagnostic = (diagnostic: Diagnostic) =>
  `${diagnostic.file}:${diagnostic.line}:${diagnostic.column} error: ${diagnostic.message}`;

const readSource = (path: string, diagnostics: Diagnostic[]): SourceFile | undefined => {
  const display = relative(process.cwd(), path) || path;
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(path, 'utf8'), { lineCounter, uniqueKeys: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const position = error.linePos?.[0] ?? { line: 1, col: 1 };
      diagnostics.push({
        file: display,
        line: position.line,
        column: position.col,
        message: error.message.split('\n')[0] ?? error.message,
      });
    }
    return undefined;
  }
  const locate = (path: DefinitionPath) => {
    // The deepest node that exists along the path: a missing key is reported at its parent.
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const position = lineCounter.linePos(node.range[0]);
        return { line: position.line, column: position.col };
      }
    }
    return { line: 1, column: 1 };
  };
  return { path, display, data: document.toJS(), locate };
};

const report = (
  diagnostics: Diagnostic[],
  file: SourceFile,
  path: DefinitionPath,
  message: string,
) => diagnostics.push({ file: file.display, ...file.locate(path), message });

const parseWith = <Schema extends z.ZodMiniType>(
  schema: Schema,
  file: SourceFile,
  diagnostics: Diagnostic[],
): z.infer<Schema> | undefined => {
  const result = schema.safeParse(file.data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const where = path.map(String).join('.') || '(file)';
      report(
        diagnostics,
        file,
        path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
        `${where}: ${key === undefined ? issue.message : 'unknown key'}`,
      );
    }
  }
  return undefined;
};

export interface LoadedForms {
  catalog?: FormCatalog;
  diagnostics: Diagnostic[];
  files: number;
  /** With the catalog: the versions recorded as released, and every version file's data. */
  released?: ReleasedFile;
  versionFiles?: readonly VersionFile[];
}

/**
 * Loads `<dir>/<formId>/<version>.yaml`, `<dir>/standards.yaml`, `<dir>/periods.yaml` and, when
 * there is one, `<dir>/released.yaml`.
 */
export const loadForms = (dir: string): LoadedForms => {
  const diagnostics: Diagnostic[] = [];
  const definitions: { file: SourceFile; definition: FormDefinition }[] = [];
  /** Every version file found, read or not, for the released versions' check. */
  const versionFiles: (VersionFile & { file?: SourceFile })[] = [];
  /** Form directories with a file that did not load: their standards are not checked. */
  const unreadable = new Set<string>();
  let files = 0;

  for (const entry of readdirSync(dir).sort()) {
    const formDir = join(dir, entry);
    if (!statSync(formDir).isDirectory()) continue;
    for (const name of readdirSync(formDir)
      .filter((candidate) => candidate.endsWith('.yaml'))
      .sort()) {
      files += 1;
      const file = readSource(join(formDir, name), diagnostics);
      versionFiles.push({
        formId: entry,
        version: name.slice(0, -'.yaml'.length),
        data: file?.data,
        ...(file ? { file } : {}),
      });
      const definition = file && parseWith(FormDefinition, file, diagnostics);
      if (!file || !definition) {
        unreadable.add(entry);
        continue;
      }
      if (definition.formId !== entry) {
        report(
          diagnostics,
          file,
          ['formId'],
          `formId "${definition.formId}" does not match its directory "${entry}"`,
        );
      }
      if (`${definition.version}.yaml` !== name) {
        report(
          diagnostics,
          file,
          ['version'],
          `version "${definition.version}" does not match the file name ${name}`,
        );
      }
      for (const problem of checkDefinition(definition))
        report(diagnostics, file, problem.path, problem.message);
      definitions.push({ file, definition });
    }
  }

  const byForm = new Map<string, { file: SourceFile; definition: FormDefinition }[]>();
  for (const entry of definitions) {
    byForm.set(entry.definition.formId, [...(byForm.get(entry.definition.formId) ?? []), entry]);
  }
  const active = new Map<string, FormDefinition>();
  for (const versions of byForm.values()) {
    for (const problem of checkVersions(versions.map((entry) => entry.definition))) {
      const file = versions.find((entry) => entry.definition.version === problem.version)?.file;
      if (file) report(diagnostics, file, problem.path, problem.message);
    }
    const newest = versions
      .map((entry) => entry.definition)
      .sort((a, b) => compareVersions(a.version, b.version))
      .at(-1);
    if (newest) active.set(newest.formId, newest);
  }

  const required = (name: string) => {
    const path = join(dir, name);
    try {
      statSync(path);
    } catch {
      diagnostics.push({
        file: relative(process.cwd(), path),
        line: 1,
        column: 1,
        message: 'file is missing',
      });
      return undefined;
    }
    files += 1;
    return readSource(path, diagnostics);
  };

  const releasedPath = join(dir, RELEASED_FILE);
  const releasedFile = existsSync(releasedPath) ? readSource(releasedPath, diagnostics) : undefined;
  if (releasedFile) files += 1;
  const released = releasedFile && parseWith(ReleasedFile, releasedFile, diagnostics);
  if (releasedFile && released) {
    for (const problem of checkReleased(released, versionFiles)) {
      const versionFile = versionFiles.find(
        (candidate) => candidate.formId === problem.formId && candidate.version === problem.version,
      )?.file;
      if (problem.kind === 'changed' && versionFile) {
        report(diagnostics, versionFile, ['version'], problem.message);
      } else {
        report(diagnostics, releasedFile, [problem.formId, problem.version], problem.message);
      }
    }
  }

  const standardsFile = required('standards.yaml');
  const standards = standardsFile && parseWith(StandardsFile, standardsFile, diagnostics);
  if (standardsFile && standards) {
    for (const problem of checkStandards(standards.standards, active)) {
      // A standard of a form whose file is already reported would only repeat that problem.
      const index = problem.path[1];
      const formId = typeof index === 'number' ? standards.standards[index]?.formId : undefined;
      if (formId !== undefined && unreadable.has(formId)) continue;
      report(diagnostics, standardsFile, problem.path, problem.message);
    }
  }

  const periodsFile = required('periods.yaml');
  const periods = periodsFile && parseWith(PeriodsFile, periodsFile, diagnostics);
  if (periodsFile && periods) {
    for (const [key, period, type] of [
      ['annual', '2025', 'annual'],
      ['H1', '2025-H1', 'half-year'],
      ['H2', '2025-H2', 'half-year'],
    ] as const) {
      try {
        const window = defaultWindow(periods, type, period);
        if (window && !(window.opensAt < window.dueAt && window.dueAt <= window.locksAt)) {
          report(
            diagnostics,
            periodsFile,
            ['windows', key],
            'opensAt must precede dueAt, and dueAt must not follow locksAt',
          );
        }
      } catch (error) {
        report(diagnostics, periodsFile, ['windows', key], (error as Error).message);
      }
    }
  }

  if (diagnostics.length > 0 || !standards || !periods) return { diagnostics, files };
  return {
    diagnostics,
    files,
    released: released ?? {},
    versionFiles,
    catalog: {
      forms: definitions.map((entry) => entry.definition),
      standards: standards.standards,
      periods,
    },
  };
};
