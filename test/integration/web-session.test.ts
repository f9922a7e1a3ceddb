/**
 * What the form page does when the session or an answer is lost: edits typed after the
 * session expired come back after signing in again, on the report the person was on, saying
 * which replace values a colleague saved meanwhile (explanations of warnings alike, and those an
 * earlier version of the page kept in localStorage are taken into the draft); a
 * submit whose answer the network dropped, tried again, shows the report as submitted (the
 * retry carries the same Idempotency-Key, or the page reloads the report after a 409); the
 * notice after submitting is one, in view and focused on a phone; a returned report lists the
 * commented fields with links; a report submitted elsewhere while the page had edits shows as
 * submitted. Library 140226 (左云县图书馆), period 2026 (open): no other test
 * uses them.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { realForm } from '../../domain/forms/fixtures.js';
import { completeReport } from '../fixtures/report-values.js';
import { collectPageErrors, eventually, launchChromium } from './browser.js';
import { answerJson, api, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const LIBRARY = '140226';
const PERIOD = '2026';
const FORM_PATH = `/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
const FORM_URL = `${stack.url}${FORM_PATH}`;
const REPORT_API = `/api${FORM_PATH}`;
const FORM_TITLE = `县级公共图书馆年度工作报告 · ${PERIOD}`;
const SUBMITTED = '已提交，等待省馆审核。';

/** Complete and valid, without warnings to explain. */
const VALUES = completeReport();
const labelOf = (key: string) => realForm().fields.get(key)?.label.zh ?? key;

jest.setTimeout(60_000);

interface Report {
  status: string;
  revision: number;
  values: Record<string, unknown>;
  explanations: Record<string, string>;
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: Error[] = [];
let token: string;

const report = async (): Promise<Report> =>
  answerJson<Report>(await api(REPORT_API, { token }), 200);

const write = async (path: string, method: string, body: unknown, as = token) => {
  const response = await api(path, {
    token: as,
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
};

const field = (name: string) => page.locator(`[name="${name}"]`);
const formHeading = () => page.getByRole('heading', { name: FORM_TITLE });
const submitButton = () => page.getByRole('button', { name: '提交', exact: true });

const signIn = async () => {
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.getByLabel('图书馆', { exact: true }).selectOption(LIBRARY);
  await page.getByRole('button', { name: '以该图书馆身份登录' }).click();
};

/** Signs in after the session expired: back at the report, whose banner names what was restored. */
const signInAgainSeeingRestored = async (restored: string) => {
  await signIn();
  await page.waitForURL(FORM_URL);
  await formHeading().waitFor();
  await page
    .getByRole('status')
    .filter({ hasText: '已恢复并将自动保存' })
    .filter({ hasText: restored })
    .waitFor();
};

/**
 * The next submit reaches the server, whose answer the network then drops; later submits pass
 * through, `retry` deciding their headers. Returns the Idempotency-Key of every submit sent.
 */
const loseFirstSubmitAnswer = async (retry: (request: Request) => Record<string, string>) => {
  const keys: string[] = [];
  let lost = false;
  const handler = async (route: Route) => {
    const headers = route.request().headers();
    keys.push(headers['idempotency-key'] ?? '');
    if (!lost) {
      lost = true;
      await route.fetch();
      await route.abort('internetdisconnected');
      return;
    }
    await route.continue({ headers: retry(route.request()) });
  };
  await page.route(`**${REPORT_API}/submit`, handler);
  return { keys, stop: () => page.unroute(`**${REPORT_API}/submit`, handler) };
};

/** The page shows the report as submitted: one notice, in view and focused. */
const expectSubmittedNotice = async () => {
  const notice = page.getByRole('status').filter({ hasText: SUBMITTED });
  await notice.waitFor();
  await page.locator('.badge', { hasText: '已提交' }).first().waitFor();
  expect(await page.getByText('等待省馆审核').count()).toBe(1);
  await expect(submitButton().count()).resolves.toBe(0);
  await eventually(async () =>
    expect(
      await page.evaluate(() => {
        const active = document.activeElement;
        if (!(active instanceof HTMLElement) || active.getAttribute('role') !== 'status')
          return 'not the notice';
        const box = active.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight ? 'in view' : 'out of view';
      }),
    ).toBe('in view'),
  );
};

beforeAll(async () => {
  token = await tokenFor('library', LIBRARY);
  expect((await api(REPORT_API, { token })).status).toBe(404);
  browser = await launchChromium();
  // A phone: after submitting, the notice is far from the button that was pressed.
  context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 390, height: 844 },
  });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  errors = collectPageErrors(page);
  await page.goto(FORM_URL);
  await signIn();
  await page.waitForURL(FORM_URL);
  await formHeading().waitFor();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('a lost session', () => {
  it('keeps the edits typed after it ended and returns to the report after signing in, saying which replace a save made meanwhile', async () => {
    await field('holdingsTotal').fill('5000');
    await eventually(async () => expect((await report()).values.holdingsTotal).toBe(5000));
    await page
      .locator('.save-status')
      .filter({ hasText: /^已保存 / })
      .waitFor();

    await page.evaluate(() => sessionStorage.removeItem('idToken'));
    await field('loans').fill('4321');
    await page.getByRole('alert').filter({ hasText: '登录已过期，请重新登录。' }).waitFor();
    await page.getByText('未保存的修改已暂存在本标签页').waitFor();
    expect(page.url()).toBe(`${stack.url}/sign-in`);
    expect(await page.evaluate(() => sessionStorage.getItem('returnTo'))).toBe(FORM_PATH);
    expect((await report()).values.loans).toBeUndefined();
    // Meanwhile a colleague saves the same field with another value.
    const meanwhile = await report();
    await write(REPORT_API, 'PUT', {
      values: { ...meanwhile.values, loans: 1111 },
      expectedRevision: meanwhile.revision,
    });

    await signInAgainSeeingRestored(labelOf('loans'));
    await page
      .getByRole('status')
      .filter({ hasText: '其中 1 项在此期间已由他人保存为其他值，现以您的修改为准' })
      .filter({ hasText: `${labelOf('loans')}（他人保存：1,111` })
      .waitFor();
    expect(await field('loans').inputValue()).toBe('4321');
    await eventually(async () =>
      expect((await report()).values).toMatchObject({ holdingsTotal: 5000, loans: 4321 }),
    );
    // Signed in again, the sign-in page's notice is gone with the reason for it.
    expect(await page.evaluate(() => sessionStorage.getItem('sessionExpired'))).toBeNull();
  });

  it('keeps an explanation typed after it ended, saying whose it replaces', async () => {
    const before = await report();
    // Twenty visits per person: a warning to explain.
    await write(REPORT_API, 'PUT', {
      values: { ...before.values, servicePopulation: 1000, visits: 20000 },
      expectedRevision: before.revision,
    });
    await page.reload();
    await formHeading().waitFor();

    await page.evaluate(() => sessionStorage.removeItem('idToken'));
    await field('explanations.visitsPerCapitaHigh').fill('含流动服务车人次');
    await page.getByRole('alert').filter({ hasText: '登录已过期，请重新登录。' }).waitFor();
    // Meanwhile a colleague explains the same warning otherwise.
    const meanwhile = await report();
    expect(meanwhile.explanations).toEqual({});
    await write(REPORT_API, 'PUT', {
      values: meanwhile.values,
      expectedRevision: meanwhile.revision,
      explanations: { visitsPerCapitaHigh: '含线上访问' },
    });

    const explanation = `${labelOf('visits')}的说明`;
    await signInAgainSeeingRestored(explanation);
    await page
      .getByRole('status')
      .filter({ hasText: '其中 1 项在此期间已由他人保存为其他值' })
      .filter({ hasText: `${explanation}（他人保存：含线上访问）` })
      .waitFor();
    expect(await field('explanations.visitsPerCapitaHigh').inputValue()).toBe('含流动服务车人次');
    await eventually(async () =>
      expect((await report()).explanations).toEqual({ visitsPerCapitaHigh: '含流动服务车人次' }),
    );
  });
});

describe('explanations an earlier version of the page kept in this browser', () => {
  it('fill in only warnings without a saved explanation, are saved with the draft and removed', async () => {
    const before = (await api(REPORT_API, { token })).ok ? await report() : undefined;
    // Two warnings: twenty visits per person, and more lectures than events.
    await write(REPORT_API, 'PUT', {
      values: {
        ...before?.values,
        servicePopulation: 1000,
        visits: 20000,
        eventsTotal: 1,
        lectures: 5,
        exhibitions: 0,
        trainings: 0,
        onlineEvents: 0,
      },
      expectedRevision: before?.revision ?? 0,
      explanations: { visitsPerCapitaHigh: '含流动服务车人次' },
    });
    const kept = `explanations:${FORM_PATH}`;
    await page.evaluate(
      (key) =>
        localStorage.setItem(
          key,
          JSON.stringify({ visitsPerCapitaHigh: '旧的说明', eventKindsWithinTotal: '讲座含线上' }),
        ),
      kept,
    );
    await page.reload();
    await formHeading().waitFor();

    expect(await field('explanations.visitsPerCapitaHigh').inputValue()).toBe('含流动服务车人次');
    expect(await field('explanations.eventKindsWithinTotal').inputValue()).toBe('讲座含线上');
    await eventually(async () =>
      expect((await report()).explanations).toEqual({
        visitsPerCapitaHigh: '含流动服务车人次',
        eventKindsWithinTotal: '讲座含线上',
      }),
    );
    expect(await page.evaluate((key) => localStorage.getItem(key), kept)).toBeNull();
  });
});

describe('a submit whose answer was lost', () => {
  it('after a 409, shows the report as submitted instead of a conflict', async () => {
    await write(REPORT_API, 'PUT', {
      values: VALUES,
      expectedRevision: (await report()).revision,
    });
    await page.reload();
    await formHeading().waitFor();
    // A retry the server cannot recognise (another key): it refuses the revision as stale.
    const lost = await loseFirstSubmitAnswer((request) => ({
      ...request.headers(),
      'idempotency-key': crypto.randomUUID(),
    }));
    await submitButton().click();
    await page.getByRole('alert').filter({ hasText: '无法连接服务器' }).waitFor();
    expect((await report()).status).toBe('submitted');

    await submitButton().click();
    await expectSubmittedNotice();
    expect(await page.getByText('报告已被他人更新').count()).toBe(0);
    expect(lost.keys).toHaveLength(2);
    await lost.stop();
  });

  it('retried, carries the same Idempotency-Key and gets the first answer again', async () => {
    // The province returns it with a comment on one field.
    const current = await report();
    await write(
      `${REPORT_API}/return`,
      'POST',
      {
        expectedRevision: current.revision,
        message: '请核实外借册次。',
        fieldComments: { loans: '外借册次与上年差距较大，请核实。' },
      },
      await tokenFor('province'),
    );
    await page.reload();
    await formHeading().waitFor();

    // The returned banner lists the commented field, with a link to it.
    const banner = page.getByRole('status').filter({ hasText: '省馆退回意见' });
    await banner.getByText('外借册次与上年差距较大，请核实。').waitFor();
    await banner.getByRole('button', { name: labelOf('loans') }).click();
    await eventually(async () =>
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('loans'),
    );

    const lost = await loseFirstSubmitAnswer((request) => request.headers());
    await submitButton().click();
    await page.getByRole('alert').filter({ hasText: '无法连接服务器' }).waitFor();
    await eventually(async () => expect((await report()).status).toBe('submitted'));
    const revision = (await report()).revision;

    await submitButton().click();
    await expectSubmittedNotice();
    expect(lost.keys).toHaveLength(2);
    expect(lost.keys[1]).toBe(lost.keys[0]);
    // The replay wrote nothing.
    expect((await report()).revision).toBe(revision);
    await lost.stop();
    expect(errors).toEqual([]);
  });
});

describe('a report submitted from another device while this page has edits', () => {
  it('loading the latest shows it as submitted and says the edits were not saved', async () => {
    const submitted = await report();
    expect(submitted.status).toBe('submitted');
    await write(
      `${REPORT_API}/return`,
      'POST',
      { expectedRevision: submitted.revision, message: '请再核对一次。' },
      await tokenFor('province'),
    );
    await page.reload();
    await formHeading().waitFor();
    // Another device resubmits; this page, on the returned revision, then types an edit.
    await write(`${REPORT_API}/submit`, 'POST', { expectedRevision: submitted.revision + 1 });
    await field('loans').fill('7777');
    const conflict = page
      .getByRole('alert')
      .filter({ hasText: '其他人刚刚保存了这份报告的新版本' });
    await conflict.getByRole('button', { name: '载入最新版本并保留我的修改' }).click();

    await page.getByRole('alert').filter({ hasText: '这份报告已由他人提交，不能再修改' }).waitFor();
    await page.locator('.badge', { hasText: '已提交' }).first().waitFor();
    expect(await field('loans').inputValue()).toBe(String(VALUES.loans));
    expect((await report()).values.loans).toBe(VALUES.loans);
    expect(errors).toEqual([]);
  });
});
