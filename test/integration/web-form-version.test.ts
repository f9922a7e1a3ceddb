/**
 * A new form version deployed over existing reports, in the browser. A draft written under
 * 2026.1 opens under its own version with 改用现行版本; moving it names the field added and the
 * value that goes, then reopens on 2026.2 with the renamed field's value. The new version's
 * conditional field is hidden while its condition is false, keeping its value meanwhile, and is
 * required on submission only while shown. The narrative import, whose rules name 2026.1's keys,
 * suggests the renamed field under its new key and the added one by its label.
 *
 * The test has a stack of its own, started on the repository's catalog and then again over the
 * same data with a catalog of one more version, as a deploy does (form-catalog-override.mjs).
 * Library 140302 (阳泉市城区图书馆), period 2026.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { realForm } from '../../domain/forms/fixtures.js';
import { loadOrCreateSigningKey, signDevToken } from '../../local/jwt.js';
import { completeReport } from '../fixtures/report-values.js';
import { collectPageErrors, eventually, launchChromium, signInAsLibraryAt } from './browser.js';
import {
  REPO_ROOT,
  runToExit,
  type StackProcess,
  startStackProcess,
  stopStackProcess,
} from './global-setup.js';
import { answerJson, requestTo } from './support.js';

const FORM = 'county-annual-report';
const LIBRARY = '140302';
const PERIOD = '2026';
const FORM_PATH = `/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
const DAY_MS = 86_400_000;

/** Labels of the released version, which the move's confirmation names. */
const labelOf = (key: string) => {
  const label = realForm().fields.get(key)?.label.zh;
  if (label === undefined) throw new Error(`2026.1 has no field ${key}`);
  return label;
};
const AMOUNT_LABEL = '专项购书经费金额';

/**
 * 2026.2: 2026.1 with the changes docs/forms.md uses as examples (eReadingVisits renamed
 * digitalVisits, ancientBooks dropped) and a budget amount shown only with a dedicated budget.
 */
const nextVersion = (released: string): string => {
  const definition = parse(released) as {
    version: string;
    sections: { key: string; fields: { key: string }[] }[];
    migrations?: unknown[];
  };
  definition.version = '2026.2';
  for (const section of definition.sections) {
    section.fields = section.fields
      .filter((field) => field.key !== 'ancientBooks')
      .flatMap((field) => {
        if (field.key === 'eReadingVisits') return [{ ...field, key: 'digitalVisits' }];
        if (field.key !== 'dedicatedBookBudget') return [field];
        return [
          field,
          {
            key: 'dedicatedBookBudgetAmount',
            type: 'money',
            label: { zh: AMOUNT_LABEL, en: 'Dedicated book budget' },
            showWhen: 'dedicatedBookBudget == true',
            requiredWhen: 'dedicatedBookBudget == true',
          },
        ];
      });
  }
  definition.migrations = [
    { field: 'ancientBooks', change: 'drop', note: 'merged into localDocuments' },
    { field: 'eReadingVisits', change: 'rename', to: 'digitalVisits', note: 'now all online' },
  ];
  return stringify(definition);
};

jest.setTimeout(60_000);

let formsDir: string;
let dataDir: string;
let stack: StackProcess | undefined;
let token: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: Error[] = [];

const apiUrl = () => {
  if (!stack) throw new Error('the stack did not start');
  return stack.state.apiUrl;
};

const send = (path: string, method: string, as: string, body?: unknown) =>
  requestTo(apiUrl(), path, method, as, body);

interface Report {
  status: string;
  formVersion: string;
  revision: number;
  values: Record<string, unknown>;
}
const report = async () => answerJson<Report>(await send(`/api${FORM_PATH}`, 'GET', token), 200);

const field = (name: string) => page.locator(`[name="${name}"]`);
const fieldBlock = (key: string) => page.locator(`[data-field="${key}"]`);
const submitButton = () => page.getByRole('button', { name: '提交', exact: true });
const saved = () =>
  page
    .locator('.save-status')
    .filter({ hasText: /^已保存 / })
    .waitFor();

beforeAll(async () => {
  formsDir = mkdtempSync(join(tmpdir(), 'clr-next-forms-'));
  cpSync(join(REPO_ROOT, 'forms'), formsDir, { recursive: true });
  writeFileSync(
    join(formsDir, FORM, '2026.2.yaml'),
    nextVersion(readFileSync(join(REPO_ROOT, 'forms', FORM, '2026.1.yaml'), 'utf8')),
  );
  const built = await runToExit('scripts/forms/cli.ts', process.env, ['build', formsDir]);
  if (built.code !== 0) throw new Error(`forms build: ${built.stdout}${built.stderr}`);

  // Before the deploy: a draft under 2026.1, with the fields 2026.2 renames and drops.
  dataDir = mkdtempSync(join(tmpdir(), 'clr-form-version-'));
  stack = await startStackProcess(dataDir, { ROLLUP_AT: 'off' });
  const signingKey = await loadOrCreateSigningKey(dataDir);
  const admin = await signDevToken(signingKey, { role: 'admin' });
  token = await signDevToken(signingKey, { role: 'library', libraryId: LIBRARY });
  const now = Date.now();
  const window = {
    opensAt: new Date(now - DAY_MS).toISOString(),
    dueAt: new Date(now + 30 * DAY_MS).toISOString(),
    locksAt: new Date(now + 60 * DAY_MS).toISOString(),
  };
  await answerJson(await send(`/api/periods/${FORM}/${PERIOD}`, 'PUT', admin, window), 200);
  const draft = { servicePopulation: 150000, eReadingVisits: 4200, ancientBooks: 35 };
  await answerJson(
    await send(`/api${FORM_PATH}`, 'PUT', token, { values: draft, expectedRevision: 0 }),
    201,
  );
  await stopStackProcess(stack.child);

  // The deploy: the same data, the catalog with 2026.2.
  stack = await startStackProcess(dataDir, {
    ROLLUP_AT: 'off',
    NODE_OPTIONS: [
      process.env.NODE_OPTIONS,
      `--import ${pathToFileURL(join(REPO_ROOT, 'test/integration/form-catalog-override.mjs')).href}`,
    ]
      .filter(Boolean)
      .join(' '),
    FORM_CATALOG_MODULE: join(formsDir, 'catalog.generated.ts'),
  });

  browser = await launchChromium();
  context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  errors = collectPageErrors(page);
  await signInAsLibraryAt(page, `${apiUrl()}${FORM_PATH}`, LIBRARY);
  await page.getByRole('heading', { name: `县级公共图书馆年度工作报告 · ${PERIOD}` }).waitFor();
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (stack) await stopStackProcess(stack.child).catch(() => undefined);
  for (const dir of [formsDir, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

// In order: the second case works on the draft the first moved onto 2026.2.
describe('a draft of the older form version after a new one is deployed', () => {
  it('opens under its own version, and moves onto the current one naming what changes', async () => {
    await page.getByText('本报告按表单 2026.1 版填写（现行为 2026.2 版）').waitFor();
    expect(await field('eReadingVisits').inputValue()).toBe('4200');
    expect(await fieldBlock('dedicatedBookBudgetAmount').count()).toBe(0);

    let confirmation = '';
    page.once('dialog', (dialog) => {
      confirmation = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: '改用现行版本' }).click();
    await eventually(async () => expect((await report()).formVersion).toBe('2026.2'));

    expect(confirmation).toContain('改用表单 2026.2 版填写本报告？');
    expect(confirmation).toContain(`新增：${AMOUNT_LABEL}。`);
    // The renamed field is neither new nor gone.
    expect(confirmation).not.toContain(labelOf('eReadingVisits'));
    expect(confirmation).toContain(`不再收集：${labelOf('ancientBooks')}（`);
    const moved = await report();
    expect(moved.values).toEqual({ servicePopulation: 150000, digitalVisits: 4200 });

    // The page opens again on 2026.2.
    await field('digitalVisits').waitFor();
    expect(await field('digitalVisits').inputValue()).toBe('4200');
    expect(await page.getByText('本报告按表单').count()).toBe(0);
    expect(await page.getByRole('button', { name: '改用现行版本' }).count()).toBe(0);
  });

  it('hides the new conditional field while its condition is false, keeping its value', async () => {
    const amount = fieldBlock('dedicatedBookBudgetAmount');
    // Shown while the budget question is unanswered: only a condition decidably false hides.
    expect(await amount.count()).toBe(1);

    await page.locator('[name="dedicatedBookBudget"][value="true"]').check();
    // In 万元, the money input's unit unless another is chosen.
    await field('dedicatedBookBudgetAmount').fill('8');
    await saved();
    await eventually(async () =>
      expect((await report()).values).toMatchObject({
        dedicatedBookBudget: true,
        dedicatedBookBudgetAmount: 80000,
      }),
    );

    await page.locator('[name="dedicatedBookBudget"][value="false"]').check();
    await amount.waitFor({ state: 'detached' });
    await eventually(async () =>
      expect((await report()).values).toMatchObject({
        dedicatedBookBudget: false,
        dedicatedBookBudgetAmount: 80000,
      }),
    );

    await page.locator('[name="dedicatedBookBudget"][value="true"]').check();
    expect(await field('dedicatedBookBudgetAmount').inputValue()).toBe('8');
    await saved();
  });

  it('requires the conditional field on submission only while it is shown', async () => {
    // Complete but for the amount a dedicated budget asks for.
    const { revision } = await report();
    const values = { ...completeReport(), dedicatedBookBudget: true };
    await answerJson(
      await send(`/api${FORM_PATH}`, 'PUT', token, { values, expectedRevision: revision }),
      200,
    );
    await page.reload();
    await field('dedicatedBookBudgetAmount').waitFor();

    await submitButton().click();
    const blockers = page.getByRole('alert').filter({ hasText: '还有 1 项需要处理才能提交' });
    await blockers.waitFor();
    expect(await blockers.textContent()).toContain(AMOUNT_LABEL);
    expect((await report()).status).toBe('draft');

    // Without a dedicated budget the amount is hidden, so neither asked for nor checked.
    await page.locator('[name="dedicatedBookBudget"][value="false"]').check();
    await fieldBlock('dedicatedBookBudgetAmount').waitFor({ state: 'detached' });
    await saved();
    await submitButton().click();
    await page.getByRole('status').filter({ hasText: '已提交，等待省馆审核。' }).first().waitFor();
    expect(await report()).toMatchObject({
      status: 'submitted',
      formVersion: '2026.2',
      values: { dedicatedBookBudget: false },
    });
    expect(errors).toEqual([]);
  });
});

describe('importing a work summary after the new version is deployed', () => {
  it('suggests a renamed field under its new key, an added one by its label, and no dropped field', async () => {
    const text = `城区图书馆2025年度工作总结\n电子阅览室接待读者4200人次。共有古籍35册。${AMOUNT_LABEL.replace('金额', '')}8万元。`;
    const answer = await answerJson<{ values: Record<string, unknown> }>(
      await send('/api/imports/narrative', 'POST', token, { text, formVersion: '2026.2' }),
      200,
    );
    // The sentence also states that there is a dedicated book budget (a written statement rule).
    expect(answer.values).toEqual({
      digitalVisits: 4200,
      dedicatedBookBudget: true,
      dedicatedBookBudgetAmount: 80_000,
    });
  });
});
