/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against the local
 * stack: one library's annual report from the first keystroke to the province's spreadsheet.
 * The library works on a phone-sized screen, the provincial office on a desktop; each is a
 * browser context of its own, because the sign-in lives in the tab's sessionStorage. Every step
 * checks what the person sees and, through the API, that the server really changed.
 *
 * The app lists only the three most recent periods (the library's home and the province's
 * period picker), so this file reports for the oldest of them, which is locked by default
 * whatever today's date, and an administrator lets this one library write to it with a lock
 * exception: no other library's window changes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { recentPeriods } from '../../domain/forms/periods.js';
import { pngImage } from '../fixtures/png.js';
import {
  collectPageErrors,
  eventually,
  launchChromium,
  screenshot,
  signInAsLibraryAt,
} from './browser.js';
import { uploadTo } from './presigned-upload.js';
import { api, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
/** 泽州县图书馆 (晋城市): no other integration test uses it. */
const LIBRARY = '140525';
const LIBRARY_NAME = '泽州县图书馆';
const PERIOD = recentPeriods('annual', new Date())[2] ?? '';
const FORM_URL = `${stack.url}/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
const REPORT_API = `/api/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;

// Each step waits for what the page shows (Playwright: at most 10 s per wait), so a failure
// names the element it waited for before jest's own timeout would.
jest.setTimeout(45_000);

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

interface Report {
  status: string;
  revision: number;
  values: Record<string, unknown>;
  explanations: Record<string, string>;
  review?: { message: string; fieldComments: Record<string, string> };
  validation: { warnings: { ruleId: string }[] };
  submittedAt?: string;
}

interface Evidence {
  fileName: string;
  contentType: string;
  size: number;
  sectionKey?: string;
  status: string;
  sha256?: string;
}

interface Rollup {
  published?: { runId: string; files: { name: string; sha256: string }[] };
}

const json = async <T>(
  path: string,
  token: string,
  init: { method?: string; body?: unknown; status?: number } = {},
): Promise<T> => {
  const response = await api(path, {
    method: init.method ?? 'GET',
    token,
    ...(init.body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const status = init.status ?? 200;
  if (response.status !== status) {
    throw new Error(
      `${init.method ?? 'GET'} ${path}: expected ${status}, got ${response.status}: ${text}`,
    );
  }
  return (text ? JSON.parse(text) : undefined) as T;
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// ── What the library types, and what the server must then hold.
const TYPED: [field: string, text: string][] = [
  ['servicePopulation', '165000'],
  ['floorArea', '2861.4'],
  ['holdingsTotal', '129000'],
  ['newAcquisitions', '2200'],
  // Online visits counted in by mistake: more than ten times the population, a warning.
  ['visits', '1850000'],
  ['loans', '60000'],
  ['eventsTotal', '48'],
  ['staffTotal', '6'],
  ['staffEstablished', '5'],
  ['staffOther', '1'],
  ['fundingTotal', '129'], // 万元, the default unit
];
const SAVED_VALUES = {
  servicePopulation: 165000,
  floorArea: 2861.4,
  assessmentGrade: 'grade3',
  holdingsTotal: 129000,
  newAcquisitions: 2200,
  visits: 1850000,
  loans: 60000,
  eventsTotal: 48,
  staffTotal: 6,
  staffEstablished: 5,
  staffOther: 1,
  fundingTotal: 1290000,
  bookFunds: 30000,
  dedicatedBookBudget: false,
};
const EXPLANATION = '到馆人次含总分馆通借通还和流动服务车的服务人次，已与业务系统核对。';
const REVIEW_MESSAGE = '到馆人次明显偏高，请核对后重新提交。';
const VISITS_COMMENT = '请剔除线上访问和流动服务车人次，只填到馆人次。';
const PHOTO_NAME = '馆舍外景.png';
const PHOTO = pngImage({ width: 48, height: 32 });

let browser: Browser;
let libraryContext: BrowserContext;
let provinceContext: BrowserContext;
/** The library's tab, at phone width. */
let library: Page;
/** The provincial office's tab, on a desktop. */
let province: Page;
let libraryErrors: Error[] = [];
let provinceErrors: Error[] = [];
let libraryToken: string;
let provinceToken: string;

const field = (page: Page, name: string) => page.locator(`[name="${name}"]`);
const fieldBlock = (page: Page, key: string) => page.locator(`[data-field="${key}"]`);
/** The form's save status once everything typed is saved ("已保存 <time>"). */
const savedStatus = (page: Page) => page.getByRole('status').filter({ hasText: /^已保存 / });
const submitButton = (page: Page) => page.getByRole('button', { name: '提交', exact: true });

const expectInputValue = (page: Page, name: string, expected: string) =>
  eventually(async () => expect(await field(page, name).inputValue()).toBe(expected));

const report = () => json<Report>(REPORT_API, libraryToken);

/** On the province dashboard: picks the period and opens the library's report from the review queue. */
const openFromReviewQueue = async (page: Page) => {
  await page.getByRole('heading', { name: '全省概览' }).waitFor();
  await page.getByLabel('报告期').selectOption(PERIOD);
  const queue = page.getByRole('region', { name: /^待审核/ });
  await queue.getByRole('link', { name: LIBRARY_NAME }).click();
  await page.waitForURL(FORM_URL);
};

const newPerson = async (viewport: typeof PHONE, phone: boolean) => {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // Charts drawn at once, so the screenshot shows them whole.
    reducedMotion: 'reduce',
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page) };
};

/** Opens the report link signed out and signs in as the library: back at the report. */
const signInAsLibrary = async (page: Page) => {
  await signInAsLibraryAt(page, FORM_URL, LIBRARY);
  await page.getByRole('heading', { name: `县级公共图书馆年度工作报告 · ${PERIOD}` }).waitFor();
};

beforeAll(async () => {
  const admin = await tokenFor('admin');
  [libraryToken, provinceToken] = await Promise.all([
    tokenFor('library', LIBRARY),
    tokenFor('province'),
  ]);
  // The period locked long ago for everyone; this library may still write to it for an hour.
  await json(`/api/periods/${FORM}/${PERIOD}/exceptions`, admin, {
    method: 'POST',
    body: { libraryId: LIBRARY, until: new Date(Date.now() + 60 * 60 * 1000).toISOString() },
    status: 201,
  });
  await json(REPORT_API, libraryToken, { status: 404 });

  browser = await launchChromium();
  const phone = await newPerson(PHONE, true);
  const desktop = await newPerson(DESKTOP, false);
  ({ context: libraryContext, page: library, errors: libraryErrors } = phone);
  ({ context: provinceContext, page: province, errors: provinceErrors } = desktop);
});

afterAll(async () => {
  await libraryContext?.close();
  await provinceContext?.close();
  await browser?.close();
});

describe(`a library's annual report ${PERIOD} in the browser`, () => {
  it('the library signs in from the report link and fills in the form; it is saved on its own', async () => {
    // Not signed in yet: the sign-in page, then back to the report.
    await signInAsLibrary(library);

    for (const [name, text] of TYPED) await field(library, name).fill(text);
    await field(library, 'assessmentGrade').selectOption({ label: '三级馆' });
    // Book funds in yuan rather than 万元.
    await library.getByLabel('购书经费的单位').selectOption({ label: '元' });
    await field(library, 'bookFunds').fill('30000');
    await fieldBlock(library, 'dedicatedBookBudget').getByRole('radio', { name: '否' }).check();

    // 129 万元, shown in yuan beside the input.
    await fieldBlock(library, 'fundingTotal').getByText('= 1,290,000 元').waitFor();
    await savedStatus(library).waitFor();

    const saved = await eventually(async () => {
      const head = await report();
      expect(head).toMatchObject({ status: 'draft', values: SAVED_VALUES });
      return head;
    });
    expect(saved.revision).toBeGreaterThanOrEqual(1);
  });

  it('a reload shows every saved value again', async () => {
    await library.reload();
    await expectInputValue(library, 'servicePopulation', '165000');
    for (const [name, text] of TYPED) expect(await field(library, name).inputValue()).toBe(text);
    expect(await field(library, 'assessmentGrade').inputValue()).toBe('grade3');
    // Shown in the default unit again: 30,000 元 is 3 万元.
    expect(await field(library, 'bookFunds').inputValue()).toBe('3');
    expect(
      await fieldBlock(library, 'dedicatedBookBudget')
        .getByRole('radio', { name: '否' })
        .isChecked(),
    ).toBe(true);
    await library.getByRole('status').filter({ hasText: '所有修改已保存' }).waitFor();
  });

  it('a save from elsewhere in between: the page offers to load it and keeps what was typed', async () => {
    // The same library saves from another tab: the reading seats, one revision further.
    const before = await report();
    const theirs = await json<Report>(REPORT_API, libraryToken, {
      method: 'PUT',
      body: { values: { ...before.values, readingSeats: 320 }, expectedRevision: before.revision },
    });
    expect(theirs.revision).toBe(before.revision + 1);

    await field(library, 'weeklyOpenHours').fill('56');
    const conflict = library
      .getByRole('alert')
      .filter({ hasText: '其他人刚刚保存了这份报告的新版本' });
    await conflict.waitFor();
    await library.getByRole('status').filter({ hasText: '未保存（版本冲突）' }).waitFor();
    // Nothing of this page was written over the other save.
    expect(await report()).toMatchObject({ revision: theirs.revision, values: theirs.values });

    await conflict.getByRole('button', { name: '载入最新版本并保留我的修改' }).click();
    await conflict.waitFor({ state: 'detached' });
    await expectInputValue(library, 'readingSeats', '320');
    expect(await field(library, 'weeklyOpenHours').inputValue()).toBe('56');
    await savedStatus(library).waitFor();

    const merged = await report();
    expect(merged.revision).toBe(theirs.revision + 1);
    expect(merged.values).toEqual({ ...SAVED_VALUES, readingSeats: 320, weeklyOpenHours: 56 });
  });

  it('the library uploads a photo of its building; a thumbnail appears once it is verified', async () => {
    const evidence = library.locator('#section-profile').getByRole('region', { name: /佐证材料/ });
    await evidence.getByText('尚未上传').waitFor();
    await library
      .locator('#evidence-profile')
      .setInputFiles({ name: PHOTO_NAME, mimeType: 'image/png', buffer: PHOTO });

    const thumbnail = evidence.getByRole('img', { name: PHOTO_NAME });
    await thumbnail.scrollIntoViewIfNeeded();
    // Decoded by the browser from the presigned link: the stored bytes are the picture.
    await eventually(async () =>
      expect(
        await thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      ).toBe(48),
    );
    await evidence.getByRole('heading', { name: /佐证材料\s*\(1\/20\)/ }).waitFor();

    const { items } = await json<{ items: Evidence[] }>(`${REPORT_API}/evidence`, libraryToken);
    expect(items).toEqual([
      expect.objectContaining({
        fileName: PHOTO_NAME,
        contentType: 'image/png',
        size: PHOTO.length,
        sectionKey: 'profile',
        status: 'verified',
        sha256: sha256(PHOTO),
      }),
    ]);
  });

  it('evidence in no section of the form (an API client added it without one) is listed under 其他佐证材料, where it can be removed', async () => {
    const name = '补充材料.png';
    const ticket = await json<{
      evidence: { evidenceId: string };
      upload: { url: string; fields: Record<string, string> };
    }>(`${REPORT_API}/evidence`, libraryToken, {
      method: 'POST',
      body: { fileName: name, contentType: 'image/png', size: PHOTO.length },
      status: 201,
    });
    await uploadTo(ticket.upload, PHOTO, name);
    await json(`${REPORT_API}/evidence/${ticket.evidence.evidenceId}/complete`, libraryToken, {
      method: 'POST',
    });

    await library.reload();
    const other = library.getByRole('region', { name: '其他佐证材料' });
    await other.getByRole('link', { name }).waitFor();
    await other.getByRole('button', { name: `删除 ${name}` }).click();
    await other.waitFor({ state: 'detached' });
    const { items } = await json<{ items: Evidence[] }>(`${REPORT_API}/evidence`, libraryToken);
    expect(items.filter((item) => item.status !== 'deleted').map((item) => item.fileName)).toEqual([
      PHOTO_NAME,
    ]);
  });

  it('a warning must be explained before the report can be submitted', async () => {
    const visits = fieldBlock(library, 'visits');
    await visits.getByText('到馆人次超过服务人口的10倍').waitFor();
    const revision = (await report()).revision;

    await submitButton(library).click();
    const blockers = library.getByRole('alert').filter({ hasText: '还有 1 项需要处理才能提交' });
    await blockers.waitFor();
    expect(await blockers.textContent()).toContain('到馆/流通人次：需要说明：');
    expect(await report()).toMatchObject({ status: 'draft', revision });

    await field(library, 'explanations.visitsPerCapitaHigh').fill(EXPLANATION);
    // Saved with the draft like a value, so the library's other devices find it.
    const explained = await eventually(async () => {
      const head = await report();
      expect(head.explanations).toEqual({ visitsPerCapitaHigh: EXPLANATION });
      return head;
    });
    const otherDevice = await newPerson(DESKTOP, false);
    try {
      await signInAsLibrary(otherDevice.page);
      await expectInputValue(otherDevice.page, 'explanations.visitsPerCapitaHigh', EXPLANATION);
      expect(otherDevice.errors).toEqual([]);
    } finally {
      await otherDevice.context.close();
    }

    await submitButton(library).click();
    await library
      .getByRole('status')
      .filter({ hasText: '已提交，等待省馆审核。' })
      .first()
      .waitFor();
    await blockers.waitFor({ state: 'detached' });
    expect(await field(library, 'visits').isEditable()).toBe(false);

    const submitted = await report();
    expect(submitted).toMatchObject({
      status: 'submitted',
      revision: explained.revision + 1,
      values: { ...SAVED_VALUES, readingSeats: 320, weeklyOpenHours: 56 },
      explanations: { visitsPerCapitaHigh: EXPLANATION },
    });
    expect(submitted.submittedAt).toEqual(expect.any(String));
  });

  it('the province finds the report waiting for review on its dashboard and returns it with a comment', async () => {
    await province.goto(stack.url);
    await province.getByRole('link', { name: /^省馆/ }).click();
    await province.waitForURL(`${stack.url}/province**`);
    await openFromReviewQueue(province);
    await province
      .getByRole('heading', { name: `县级公共图书馆年度工作报告 · ${PERIOD}` })
      .waitFor();
    // It sees the library's explanation and its photo.
    expect(await field(province, 'explanations.visitsPerCapitaHigh').inputValue()).toBe(
      EXPLANATION,
    );
    await province.getByRole('img', { name: PHOTO_NAME }).waitFor();

    await fieldBlock(province, 'visits').getByRole('button', { name: '对此项提意见' }).click();
    await field(province, 'comments.visits').fill(VISITS_COMMENT);
    await field(province, 'reviewMessage').fill(REVIEW_MESSAGE);
    await province.getByRole('button', { name: '退回修改' }).click();
    await province.getByRole('status').filter({ hasText: '已退回图书馆修改。' }).waitFor();

    const returned = await report();
    expect(returned.status).toBe('returned');
    expect(returned.review).toMatchObject({
      message: REVIEW_MESSAGE,
      fieldComments: { visits: VISITS_COMMENT },
    });
  });

  it('the library sees the return on its home page and the comment beside the field, fixes it and submits again', async () => {
    await library.getByRole('link', { name: '返回', exact: true }).click();
    await library.waitForURL(`${stack.url}/libraries/${LIBRARY}`);
    await library.getByRole('heading', { name: LIBRARY_NAME }).waitFor();
    const card = library.locator('.period-card').filter({ hasText: `· ${PERIOD}` });
    await card.getByText(`省馆退回意见：${REVIEW_MESSAGE}`).waitFor();
    await card.getByText('已退回', { exact: true }).waitFor();

    await card.getByRole('link', { name: '继续填报' }).click();
    await library.waitForURL(FORM_URL);
    await library.getByText(`省馆退回意见：${REVIEW_MESSAGE}`).waitFor();
    await fieldBlock(library, 'visits').getByText(`省馆意见：${VISITS_COMMENT}`).waitFor();
    await screenshot(library, 'form-page-390.png');

    await field(library, 'visits').fill('80000');
    await fieldBlock(library, 'visits')
      .getByText('到馆人次超过服务人口的10倍')
      .waitFor({ state: 'detached' });
    await savedStatus(library).waitFor();
    await submitButton(library).click();
    await library
      .getByRole('status')
      .filter({ hasText: '已提交，等待省馆审核。' })
      .first()
      .waitFor();

    const resubmitted = await report();
    expect(resubmitted.status).toBe('submitted');
    expect(resubmitted.values.visits).toBe(80000);
    expect(resubmitted.validation.warnings).toEqual([]);
  });

  it('the library home page shows earlier periods on request', async () => {
    await library.getByRole('link', { name: '返回', exact: true }).click();
    await library.getByRole('heading', { name: LIBRARY_NAME }).waitFor();
    const cards = library.locator('.period-card');
    const periodsOf = async () =>
      (await cards.locator('h2').allTextContents()).map((title) => title.split('· ')[1]);
    expect(await periodsOf()).toEqual(recentPeriods('annual', new Date()));

    await library.getByRole('button', { name: '更早的期次' }).click();
    await cards.nth(5).waitFor();
    expect(await periodsOf()).toEqual(recentPeriods('annual', new Date(), 6));
    await screenshot(library, 'library-home-390.png');
    const oldest = cards.filter({ hasText: `· ${recentPeriods('annual', new Date(), 6)[5]}` });
    await oldest.getByRole('link', { name: '查看' }).click();
    await library.waitForURL(/\/submissions\/county-annual-report\/\d{4}$/);
  });

  it('the province accepts it, runs the rollup and downloads the comparison for Excel', async () => {
    await province.getByRole('link', { name: '全省概览' }).click();
    await openFromReviewQueue(province);
    // Accepting cannot be undone by the province: the page asks first.
    province.once('dialog', (dialog) => void dialog.accept());
    await province.getByRole('button', { name: '审核通过' }).click();
    await province.getByRole('status').filter({ hasText: '已通过。' }).waitFor();
    expect((await report()).status).toBe('accepted');

    await province.getByRole('link', { name: '全省概览' }).click();
    await province.getByLabel('报告期').selectOption(PERIOD);
    // Nothing of this library waits for review any more.
    const queue = province.getByRole('region', { name: /^待审核/ });
    await queue.waitFor();
    expect(await queue.getByRole('link', { name: LIBRARY_NAME }).count()).toBe(0);
    const rollup = province.getByRole('region', { name: '汇总与下载' });
    await rollup.getByRole('button', { name: '立即汇总' }).click();
    await rollup.getByText('最近一次汇总已完成').waitFor({ timeout: 30_000 });

    const [download] = await Promise.all([
      province.waitForEvent('download'),
      rollup.getByRole('button', { name: '下载 comparison.csv' }).click(),
    ]);
    const path = await download.path();
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header = [], ...rows] = parse(bytes.subarray(3).toString('utf8')) as string[][];
    expect(header.slice(0, 4)).toEqual(['馆代码', '图书馆', '所属市', '填报状态']);
    const row = rows.find((record) => record[0] === LIBRARY) ?? [];
    const cells = Object.fromEntries(header.map((name, index) => [name, row[index]]));
    expect(cells).toMatchObject({
      图书馆: LIBRARY_NAME,
      所属市: '晋城市',
      填报状态: '已通过',
      '服务人口（人）': '165000',
      '到馆/流通人次（人次）': '80000',
      '年度财政拨款总额（元）': '1290000',
      '购书经费（元）': '30000',
    });

    // Exactly the published file.
    const status = await json<Rollup>(`/api/rollups/${FORM}/${PERIOD}`, provinceToken);
    const published = status.published?.files.find((file) => file.name === 'comparison.csv');
    expect(published?.sha256).toBe(sha256(bytes));

    // The dashboard's table shows the same row.
    const tableRow = province
      .getByRole('region', { name: '对比表' })
      .getByRole('row')
      .filter({ hasText: LIBRARY_NAME });
    await tableRow.getByText('已通过').waitFor();
    expect(await tableRow.textContent()).toContain('165,000');
    await province.getByRole('region', { name: '图表' }).locator('canvas').first().waitFor();
    await screenshot(province, 'dashboard.png');
  });

  it('raised no script errors in either tab', () => {
    expect([...libraryErrors, ...provinceErrors].map(String)).toEqual([]);
  });
});
