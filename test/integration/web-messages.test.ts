/**
 * What the web app says when something goes wrong, and what it asks before something cannot be
 * undone: answers without a problem body (a gateway's 503, storage's 403 on an expired upload
 * link) in words with a retry, the server's refusal of a submission pointing at the fields and
 * explanation boxes, a failed rollup in a sentence with its technical text folded away, a lock
 * exception shown as such, comparison files retried with new links, and the province asked before
 * accepting or dropping unsent comments.
 * Library 140725 (寿阳县图书馆), period 2026 (open): no other test uses them; the library also
 * gets a lock exception on the oldest period its home page lists, locked for everyone else.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Dialog, Page, Route } from 'playwright-core';
import { realForm } from '../../domain/forms/fixtures.js';
import { recentPeriods } from '../../domain/forms/periods.js';
import { pngImage } from '../fixtures/png.js';
import { completeReport } from '../fixtures/report-values.js';
import { collectPageErrors, eventually, launchChromium } from './browser.js';
import { answerJson, api, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const LIBRARY = '140725';
const LIBRARY_NAME = '寿阳县图书馆';
const PERIOD = '2026';
/** The oldest period the home page lists: locked by default whatever today's date. */
const LOCKED_PERIOD = recentPeriods('annual', new Date())[2] ?? '';
const LIBRARY_URL = `${stack.url}/libraries/${LIBRARY}`;
const FORM_URL = `${LIBRARY_URL}/submissions/${FORM}/${PERIOD}`;
const REPORT_API = `/api/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
const FORM_TITLE = `县级公共图书馆年度工作报告 · ${PERIOD}`;
const UNAVAILABLE = '服务暂时不可用，请稍后重试。';

/** Complete and valid, with one warning (visits above ten times the population) to explain. */
const VALUES = { ...completeReport(), visits: 1850000 };
const labelOf = (key: string) => realForm().fields.get(key)?.label.zh ?? key;

jest.setTimeout(45_000);

let browser: Browser;
let libraryContext: BrowserContext;
let provinceContext: BrowserContext;
let library: Page;
let province: Page;
let libraryErrors: Error[] = [];
let provinceErrors: Error[] = [];
let libraryToken: string;
/** Every confirm the province's page showed, in order, and how the next one is answered. */
const dialogs: string[] = [];
let answer: 'accept' | 'dismiss' = 'dismiss';

const report = async () =>
  answerJson<{ status: string; revision: number }>(
    await api(REPORT_API, { token: libraryToken }),
    200,
  );

/** Answers like a gateway or CloudFront in front of the API: a status and no problem body. */
const gatewayDown = (route: Route) =>
  route.fulfill({ status: 503, contentType: 'text/html', body: '<html>503</html>' });

const newPerson = async () => {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page) };
};

beforeAll(async () => {
  const admin = await tokenFor('admin');
  libraryToken = await tokenFor('library', LIBRARY);
  const exception = await api(`/api/periods/${FORM}/${LOCKED_PERIOD}/exceptions`, {
    method: 'POST',
    token: admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      libraryId: LIBRARY,
      until: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    }),
  });
  expect(exception.status).toBe(201);
  expect((await api(REPORT_API, { token: libraryToken })).status).toBe(404);
  const saved = await api(REPORT_API, {
    method: 'PUT',
    token: libraryToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ values: VALUES, expectedRevision: 0 }),
  });
  expect(saved.status).toBe(201);

  browser = await launchChromium();
  ({ context: libraryContext, page: library, errors: libraryErrors } = await newPerson());
  ({ context: provinceContext, page: province, errors: provinceErrors } = await newPerson());
  province.on('dialog', (dialog: Dialog) => {
    dialogs.push(dialog.message());
    void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
  });
});

afterAll(async () => {
  await libraryContext?.close();
  await provinceContext?.close();
  await browser?.close();
});

describe('the library', () => {
  it('sees a gateway’s 503 in words, with a retry that loads the page once it is back', async () => {
    await library.route('**/api/forms', gatewayDown);
    await library.goto(LIBRARY_URL);
    await library.getByLabel('图书馆', { exact: true }).selectOption(LIBRARY);
    await library.getByRole('button', { name: '以该图书馆身份登录' }).click();
    await library.waitForURL(LIBRARY_URL);
    const alert = library.getByRole('alert').filter({ hasText: UNAVAILABLE });
    await alert.waitFor();
    expect(await alert.textContent()).not.toContain('HTTP');

    await library.unroute('**/api/forms', gatewayDown);
    await alert.getByRole('button', { name: '重试' }).click();
    await library.getByRole('heading', { name: LIBRARY_NAME }).waitFor();
  });

  it('sees a period it may still write to under an exception as open, not closed', async () => {
    const card = library.locator('.period-card').filter({ hasText: `· ${LOCKED_PERIOD}` });
    await card.getByText(/^已逾期，本馆可补报至 /).waitFor();
    expect(await card.getByText('已截止').count()).toBe(0);
    await card.getByRole('link', { name: '开始填报' }).waitFor();
  });

  it('is told to choose the file again when the upload link expired', async () => {
    await library.getByRole('link', { name: FORM_TITLE }).click();
    await library.getByRole('heading', { name: FORM_TITLE }).waitFor();
    const storagePort = new URL(stack.s3Endpoint).port;
    const expired = (route: Route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 403,
            contentType: 'application/xml',
            body: '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>',
          })
        : route.fallback();
    const toStorage = (url: URL) => url.port === storagePort;
    await library.route(toStorage, expired);
    await library.locator('#evidence-profile').setInputFiles({
      name: '馆舍外景.png',
      mimeType: 'image/png',
      buffer: pngImage({ width: 32, height: 24 }),
    });
    await library
      .getByRole('alert')
      .filter({ hasText: '上传链接已过期，请重新选择文件上传。' })
      .waitFor();
    await library.unroute(toStorage, expired);
  });

  it('sees the server’s refusal at the fields and explanation boxes, by their labels', async () => {
    await library
      .locator('[name="explanations.visitsPerCapitaHigh"]')
      .fill('含流动服务车服务人次。');
    const refuse = (route: Route) =>
      route.fulfill({
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          status: 422,
          message: { zh: '报告还有 2 处问题', en: 'The report has 2 problems' },
          errors: [
            {
              path: 'explanations.visitsPerCapitaHigh',
              code: 'explanation_required',
              message: { zh: '请说明原因：到馆人次过高', en: 'Explain this warning' },
            },
            {
              path: 'rules.newWithinHoldings',
              code: 'rule_violated',
              message: { zh: '年新增藏量不能超过总藏量', en: 'New acquisitions exceed holdings' },
            },
          ],
        }),
      });
    await library.route(`**${REPORT_API}/submit`, refuse);
    await library.getByRole('button', { name: '提交', exact: true }).click();
    const blockers = library.getByRole('alert').filter({ hasText: '还有 2 项需要处理才能提交' });
    await blockers.waitFor();
    expect(await blockers.textContent()).not.toMatch(/newWithinHoldings|visitsPerCapitaHigh/);

    await blockers.getByRole('button', { name: labelOf('visits') }).click();
    await eventually(async () =>
      expect(await library.evaluate(() => document.activeElement?.id)).toBe(
        'explain-visitsPerCapitaHigh',
      ),
    );
    await blockers.getByRole('button', { name: labelOf('newAcquisitions') }).click();
    await eventually(async () =>
      expect(await library.evaluate(() => document.activeElement?.getAttribute('name'))).toBe(
        'newAcquisitions',
      ),
    );

    await library.unroute(`**${REPORT_API}/submit`, refuse);
    await library.getByRole('button', { name: '提交', exact: true }).click();
    await library
      .getByRole('status')
      .filter({ hasText: '已提交，等待省馆审核。' })
      .first()
      .waitFor();
    expect((await report()).status).toBe('submitted');
  });
});

describe('the province', () => {
  it('sees a failed rollup in a sentence, the technical text folded under 技术信息', async () => {
    const failedRun = {
      formId: FORM,
      period: PERIOD,
      latestRun: {
        formId: FORM,
        period: PERIOD,
        runId: 'run-failed',
        status: 'failed',
        trigger: 'manual',
        createdAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        prefix: `rollups/${FORM}/${PERIOD}/run-failed/`,
        error: 'S3ServiceException: We encountered an internal error. Please try again.',
      },
    };
    const failed = (route: Route) => route.fulfill({ json: failedRun });
    await province.route(`**/api/rollups/${FORM}/${PERIOD}`, failed);
    await province.goto(`${stack.url}/dev-login?role=province`);
    await province.waitForURL(/\/province/);
    await province.goto(`${stack.url}/province?form=${FORM}&period=${PERIOD}`);
    const rollup = province.getByRole('region', { name: '汇总与下载' });
    const sentence = rollup.getByText('最近一次汇总未能完成，已发布的数据保持不变。');
    await sentence.waitFor();
    expect(await sentence.textContent()).not.toContain('S3ServiceException');
    const details = rollup.locator('details');
    await details.getByText('技术信息').click();
    await details.getByText(failedRun.latestRun.error).waitFor();
    await province.unroute(`**/api/rollups/${FORM}/${PERIOD}`, failed);
  });

  it('retries comparison files it could not read with new links for the same run', async () => {
    // Links of the published run, as get-rollup signs them: each status answer signs new ones.
    let statusAnswers = 0;
    const fileUrl = (answer: number, name: string) =>
      `${stack.s3Endpoint}/links-test/${answer}/${name}`;
    const file = (answer: number, name: string) => ({
      name,
      rows: 1,
      bytes: 100,
      sha256: '0'.repeat(64),
      downloadUrl: fileUrl(answer, name),
    });
    const status = (route: Route) => {
      statusAnswers += 1;
      return route.fulfill({
        json: {
          formId: FORM,
          period: PERIOD,
          published: {
            runId: 'run-links',
            prefix: `rollups/${FORM}/${PERIOD}/runs/run-links`,
            asOf: new Date().toISOString(),
            files: [
              file(statusAnswers, 'comparison.codes.csv'),
              file(statusAnswers, 'problems.codes.csv'),
            ],
          },
        },
      });
    };
    const CSV = {
      'comparison.codes.csv': `libraryId,name,cityName,status\r\n${LIBRARY},${LIBRARY_NAME},晋中市,accepted\r\n`,
      'problems.codes.csv': 'code,libraries,byCity\r\n',
    };
    const fetched: string[] = [];
    // The first links have expired (S3's 403); the later ones work.
    const storage = (route: Route) => {
      const url = route.request().url();
      fetched.push(url);
      const name = url.slice(url.lastIndexOf('/') + 1) as keyof typeof CSV;
      const headers = { 'access-control-allow-origin': '*' };
      return url.includes('/links-test/1/')
        ? route.fulfill({ status: 403, headers, contentType: 'application/xml', body: '' })
        : route.fulfill({ headers, contentType: 'text/csv', body: CSV[name] });
    };
    await province.route(`**/api/rollups/${FORM}/${PERIOD}`, status);
    await province.route(`${stack.s3Endpoint}/links-test/**`, storage);
    await province.goto(`${stack.url}/province?form=${FORM}&period=${PERIOD}`);
    const comparison = province.getByRole('region', { name: '对比表' });
    await comparison.getByText('无法读取汇总文件。').waitFor();
    expect(statusAnswers).toBe(1);

    await comparison.getByRole('button', { name: '重试' }).click();
    await comparison.getByRole('rowheader').filter({ hasText: LIBRARY_NAME }).waitFor();
    expect(statusAnswers).toBe(2);
    expect(fetched.filter((url) => url.includes('/links-test/2/')).sort()).toEqual([
      fileUrl(2, 'comparison.codes.csv'),
      fileUrl(2, 'problems.codes.csv'),
    ]);
    await province.unroute(`**/api/rollups/${FORM}/${PERIOD}`, status);
    await province.unroute(`${stack.s3Endpoint}/links-test/**`, storage);
  });

  it('is asked before leaving a comment unsent, and before accepting', async () => {
    await province.goto(FORM_URL);
    await province.getByRole('heading', { name: FORM_TITLE }).waitFor();
    await province
      .locator('[data-field="visits"]')
      .getByRole('button', { name: '对此项提意见' })
      .click();
    await province.locator('[name="comments.visits"]').fill('请核对到馆人次。');

    answer = 'dismiss';
    await province.getByRole('link', { name: '全省概览' }).click();
    await eventually(() => expect(dialogs).toHaveLength(1));
    expect(dialogs[0]).toContain('尚未发送');
    expect(province.url()).toBe(FORM_URL);
    expect(await province.locator('[name="comments.visits"]').inputValue()).toBe(
      '请核对到馆人次。',
    );

    await province.getByRole('button', { name: '审核通过' }).click();
    await eventually(() => expect(dialogs).toHaveLength(2));
    expect(dialogs[1]).toContain('确定审核通过吗');
    expect((await report()).status).toBe('submitted');

    answer = 'accept';
    await province.getByRole('button', { name: '审核通过' }).click();
    await province.getByRole('status').filter({ hasText: '已通过。' }).waitFor();
    expect((await report()).status).toBe('accepted');
    // Nothing unsent is left: leaving asks nothing more.
    await province.getByRole('link', { name: '全省概览' }).click();
    await province.waitForURL(/\/province/);
    expect(dialogs).toHaveLength(3);
  });

  it('raised no script errors', () => {
    expect([...libraryErrors, ...provinceErrors]).toEqual([]);
  });
});
