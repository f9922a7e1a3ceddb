import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { fingerprintOf, RELEASED_FILE } from './released.js';
import { type Diagnostic, formatDiagnostic, loadForms } from './source.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FORMS_DIR = fileURLToPath(new URL('../../forms/', import.meta.url));
const FORM = 'county-annual-report';
const DEFINITION = `${FORM}/2026.1.yaml`;

const temporaryDirs: string[] = [];
afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the real forms directory in a fresh temporary directory. */
const copyForms = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'forms-source-test-'));
  temporaryDirs.push(dir);
  for (const name of [FORM, 'standards.yaml', 'periods.yaml']) {
    cpSync(join(FORMS_DIR, name), join(dir, name), { recursive: true });
  }
  return dir;
};

const original = (file: string) => readFileSync(join(FORMS_DIR, file), 'utf8');

/** Replaces `from` (which must occur) in a file of the copy and returns the new text. */
const edit = (dir: string, file: string, from: string, to: string): string => {
  const text = readFileSync(join(dir, file), 'utf8');
  expect(text).toContain(from);
  const changed = text.replace(from, to);
  writeFileSync(join(dir, file), changed);
  return changed;
};

/** The 1-based line of the first line containing `needle`. */
const lineOf = (text: string, needle: string): number => {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not found`);
  return index + 1;
};

const inFile = (dir: string, file: string) => (diagnostic: Diagnostic) =>
  resolve(diagnostic.file) === join(dir, file);

const loadFailing = (dir: string) => {
  const loaded = loadForms(dir);
  expect(loaded.catalog).toBeUndefined();
  expect(loaded.diagnostics.length).toBeGreaterThan(0);
  return loaded.diagnostics;
};

describe('loadForms on the real forms directory', () => {
  it('loads with no diagnostics', () => {
    const loaded = loadForms(FORMS_DIR);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.files).toBe(4);
    expect(loaded.catalog?.forms.map((form) => `${form.formId}@${form.version}`)).toEqual([
      `${FORM}@2026.1`,
    ]);
    expect(loaded.catalog?.standards.length).toBeGreaterThan(0);
    expect(loaded.catalog?.periods.windows.annual.dueAt).toContain('{year+1}');
  });
});

describe('loadForms diagnostics carry file and line', () => {
  it('a YAML syntax error', () => {
    const dir = copyForms();
    const text = edit(dir, DEFINITION, 'periodType: annual', 'periodType: annual: yes');
    const diagnostics = loadFailing(dir);
    // Only the broken file is reported: the standards naming its form are not checked.
    expect(diagnostics).toEqual([
      {
        file: expect.stringMatching(/county-annual-report[/\\]2026\.1\.yaml$/),
        line: lineOf(text, 'periodType:'),
        column: 13,
        message: expect.stringContaining('Nested mappings'),
      },
    ]);
    expect(inFile(dir, DEFINITION)(diagnostics[0] as Diagnostic)).toBe(true);
  });

  it('a duplicate YAML key', () => {
    const dir = copyForms();
    const text = edit(
      dir,
      DEFINITION,
      'periodType: annual\n',
      'periodType: annual\nperiodType: annual\n',
    );
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      line: lineOf(text, 'periodType:') + 1,
      message: expect.stringContaining('Map keys must be unique'),
    });
  });

  it('an unknown key in a field (meta-schema)', () => {
    const dir = copyForms();
    const text = edit(
      dir,
      DEFINITION,
      '        min: 1000\n',
      '        min: 1000\n        minimum: 1000\n',
    );
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.any(String),
        line: lineOf(text, 'minimum: 1000'),
        column: expect.any(Number),
        message: 'sections.0.fields.0.minimum: unknown key',
      },
    ]);
    expect(diagnostics.every(inFile(dir, DEFINITION))).toBe(true);
  });

  it('an unknown field in a rule check, at the line of that check', () => {
    const dir = copyForms();
    const text = edit(
      dir,
      DEFINITION,
      'check: holdingsBooks <= holdingsTotal',
      'check: holdingBooks <= holdingsTotal',
    );
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.any(String),
        line: lineOf(text, 'check: holdingBooks <= holdingsTotal'),
        column: 12,
        message: 'unknown field "holdingBooks" in `holdingBooks <= holdingsTotal`',
      },
    ]);
    expect(diagnostics.every(inFile(dir, DEFINITION))).toBe(true);
  });

  it('a duplicate field key', () => {
    const dir = copyForms();
    const before = original(DEFINITION);
    edit(dir, DEFINITION, '- key: readingSeats', '- key: floorArea');
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.any(String),
        // The second occurrence, where readingSeats was.
        line: lineOf(before, '- key: readingSeats'),
        column: expect.any(Number),
        message: 'duplicate field key "floorArea"',
      },
    ]);
    expect(lineOf(before, '- key: floorArea')).toBeLessThan(diagnostics[0]?.line ?? 0);
  });

  it('an unknown choice code', () => {
    const dir = copyForms();
    const text = edit(
      dir,
      DEFINITION,
      'requiredWhen: count(problemCategories) > 0',
      "requiredWhen: count(problemCategories) > 0 or assessmentGrade == 'grade4'",
    );
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.any(String),
        line: lineOf(text, 'requiredWhen:'),
        column: expect.any(Number),
        message: 'unknown choice code "grade4" for "assessmentGrade"',
      },
    ]);
  });

  it('a type change between 2026.1 and 2026.2, at the type line in 2026.2', () => {
    const dir = copyForms();
    const next = original(DEFINITION)
      .replace('version: "2026.1"', 'version: "2026.2"')
      .replace(
        '- key: readingSeats\n        type: int',
        '- key: readingSeats\n        type: decimal\n        scale: 1',
      );
    expect(next).toContain('type: decimal\n        scale: 1');
    writeFileSync(join(dir, FORM, '2026.2.yaml'), next);
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.stringMatching(/2026\.2\.yaml$/),
        line: lineOf(next, 'key: readingSeats') + 1,
        column: 15,
        message: expect.stringContaining('"readingSeats" changed type from int'),
      },
    ]);
    expect(diagnostics.every(inFile(dir, `${FORM}/2026.2.yaml`))).toBe(true);
  });

  it('a version that does not match its file name', () => {
    const dir = copyForms();
    const text = original(DEFINITION).replace('version: "2026.1"', 'version: "2026.3"');
    writeFileSync(join(dir, FORM, '2026.2.yaml'), text);
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toContainEqual({
      file: expect.stringMatching(/2026\.2\.yaml$/),
      line: lineOf(text, 'version:'),
      column: 10,
      message: 'version "2026.3" does not match the file name 2026.2.yaml',
    });
  });

  it('a standard naming an unknown indicator, in standards.yaml', () => {
    const dir = copyForms();
    const text = edit(
      dir,
      'standards.yaml',
      'indicator: holdingsPerCapita',
      'indicator: holdingsPerKapita',
    );
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.stringMatching(/standards\.yaml$/),
        line: lineOf(text, 'indicator: holdingsPerKapita'),
        column: 16,
        message: `unknown indicator "holdingsPerKapita" in form ${FORM}`,
      },
    ]);
    expect(diagnostics.every(inFile(dir, 'standards.yaml'))).toBe(true);
  });

  it('a formId that does not match its directory', () => {
    const dir = copyForms();
    mkdirSync(join(dir, 'county-report'));
    renameSync(join(dir, DEFINITION), join(dir, 'county-report', '2026.1.yaml'));
    rmSync(join(dir, FORM), { recursive: true });
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.stringMatching(/county-report[/\\]2026\.1\.yaml$/),
        line: lineOf(original(DEFINITION), 'formId:'),
        column: 9,
        message: `formId "${FORM}" does not match its directory "county-report"`,
      },
    ]);
  });

  it('a missing periods.yaml', () => {
    const dir = copyForms();
    rmSync(join(dir, 'periods.yaml'));
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.stringMatching(/periods\.yaml$/),
        line: 1,
        column: 1,
        message: 'file is missing',
      },
    ]);
    expect(diagnostics.every(inFile(dir, 'periods.yaml'))).toBe(true);
  });

  it('a window template that gives no valid time, at its window in periods.yaml', () => {
    const dir = copyForms();
    const text = edit(dir, 'periods.yaml', '"{year}-05-01T00:00:00+08:00"', '"{yr}-05-01"');
    const diagnostics = loadFailing(dir);
    expect(diagnostics).toEqual([
      {
        file: expect.stringMatching(/periods\.yaml$/),
        // The H1 window, whose first entry is the broken opensAt.
        line: lineOf(text, '{yr}'),
        column: expect.any(Number),
        message: 'Window template "{yr}-05-01" gives no valid time',
      },
    ]);
  });

  it('a released version changed in place, at its file, with what to do instead', () => {
    const dir = copyForms();
    cpSync(join(FORMS_DIR, RELEASED_FILE), join(dir, RELEASED_FILE));
    // A warning made an error: reports submitted with it explained would no longer pass.
    const text = edit(dir, DEFINITION, 'severity: warning', 'severity: error');
    expect(loadFailing(dir)).toEqual([
      {
        file: expect.stringMatching(/2026\.1\.yaml$/),
        line: lineOf(text, 'version: "2026.1"'),
        column: 10,
        message: expect.stringMatching(
          /^county-annual-report 2026\.1 was released .* only its wording .* may change: undo the change and make it in a new version/,
        ),
      },
    ]);
  });

  it('a released version whose file is gone, in released.yaml', () => {
    const dir = copyForms();
    cpSync(join(FORMS_DIR, RELEASED_FILE), join(dir, RELEASED_FILE));
    const next = original(DEFINITION).replace('version: "2026.1"', 'version: "2026.2"');
    writeFileSync(join(dir, FORM, '2026.2.yaml'), next);
    renameSync(join(dir, DEFINITION), join(dir, 'moved-aside.txt'));
    expect(loadFailing(dir)).toEqual([
      {
        file: expect.stringMatching(/released\.yaml$/),
        line: lineOf(original(RELEASED_FILE), '"2026.1"'),
        column: expect.any(Number),
        message: `${FORM} 2026.1 was released and stored reports may use it, but ${FORM}/2026.1.yaml is missing: restore it`,
      },
    ]);
  });

  it('makes fingerprints as when the versions listed were released', () => {
    // Pinned: a change to how fingerprints are made would make every released version look
    // changed, so it must show here first.
    expect(fingerprintOf({ b: [1, { d: true, c: 'x' }], a: null, label: { zh: '字' } })).toBe(
      'sha256:53fcea7ab6ddda166263d225824abe1a619740980ac6426681e826e2973f1cfc',
    );
  });

  it('a released version keeps its fingerprint through comments, layout and wording', () => {
    const dir = copyForms();
    cpSync(join(FORMS_DIR, RELEASED_FILE), join(dir, RELEASED_FILE));
    edit(dir, DEFINITION, 'formId: county-annual-report', '# 年报\nformId:   county-annual-report');
    edit(dir, DEFINITION, 'zh: 总藏量\n', 'zh: 馆藏总量\n');
    expect(loadForms(dir).diagnostics).toEqual([]);
  });

  it('formats a diagnostic as file:line:column error: message', () => {
    expect(
      formatDiagnostic({ file: 'forms/x/2026.1.yaml', line: 12, column: 3, message: 'broken' }),
    ).toBe('forms/x/2026.1.yaml:12:3 error: broken');
  });
});

describe('the forms CLI', () => {
  const run = promisify(execFile);
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', 'scripts/forms/cli.ts', ...args],
        { cwd: REPO_ROOT },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };

  it('check on a broken directory exits 1 with file:line:column errors', async () => {
    const dir = copyForms();
    const text = edit(
      dir,
      DEFINITION,
      'check: holdingsBooks <= holdingsTotal',
      'check: holdingBooks <= holdingsTotal',
    );
    edit(dir, 'standards.yaml', 'indicator: loans', 'indicator: lones');
    const { code, stderr } = await cli('check', dir);
    expect(code).toBe(1);
    const errors = stderr.split('\n').filter((line) => line.includes(' error: '));
    expect(errors).toHaveLength(2);
    for (const line of errors) expect(line).toMatch(/^\S+\.yaml:\d+:\d+ error: .+$/);
    expect(errors[0]).toMatch(
      new RegExp(
        `2026\\.1\\.yaml:${lineOf(text, 'holdingBooks <=')}:12 error: unknown field "holdingBooks"`,
      ),
    );
    expect(errors[1]).toMatch(/standards\.yaml:\d+:16 error: unknown indicator "lones"/);
    expect(stderr).toContain('2 problem(s)');
  }, 30_000);

  it('release records the versions not yet released, after which changing one fails the check', async () => {
    const dir = copyForms();
    const first = await cli('release', dir);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout.trim()).toBe(`forms: released ${FORM} 2026.1; commit ${RELEASED_FILE}`);
    expect(readFileSync(join(dir, RELEASED_FILE), 'utf8')).toBe(
      readFileSync(join(FORMS_DIR, RELEASED_FILE), 'utf8'),
    );
    expect((await cli('release', dir)).stdout.trim()).toBe(
      'forms: every version was already released',
    );
    edit(
      dir,
      DEFINITION,
      'unit: { zh: 册(件), en: volumes (items) }',
      'unit: { zh: 万册, en: 10k volumes }',
    );
    const { code, stderr } = await cli('check', dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/2026\.1\.yaml:7:10 error: county-annual-report 2026\.1 was released/);
  }, 30_000);

  it('preview writes the form as a standalone HTML page', async () => {
    const dir = copyForms();
    const out = join(dir, 'p.html');
    const { code, stdout } = await cli('preview', FORM, '--out', out);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('县级公共图书馆年度工作报告');
    expect(html).toContain('name="holdingsTotal"');
    expect(html).toContain('<code>staffEstablished + staffOther == staffTotal</code>');
  }, 30_000);
});
