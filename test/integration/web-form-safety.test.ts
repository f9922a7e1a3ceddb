/**
 * What the form page does so that nothing typed is lost without the library knowing: a field
 * with an error never erases its saved value on the server and is reported as not saved;
 * leaving the page inside the app (返回, the browser's back button) first saves the latest
 * edits, and asks only when they cannot be saved. Also: what blocks a submission follows the
 * edits made after the first try. Library 140723, period 2026 (open): no other test uses them.
 * Each test first sets on the server the values its report starts from, then opens the report in
 * a browser context of its own, signed in afresh; the dialogs it sees and the script errors it
 * raises are its own, so that it passes alone and in any order.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';
import type { Browser, BrowserContext, Dialog, Page, Route } from 'playwright-core';
import { collectPageErrors, eventually, launchChromium, signInAsLibraryAt } from './browser.js';
import { answerJson, api, sendJson, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const LIBRARY = '140723';
const PERIOD = '2026';
const LIBRARY_URL = `${stack.url}/libraries/${LIBRARY}`;
const FORM_URL = `${LIBRARY_URL}/submissions/${FORM}/${PERIOD}`;
const REPORT_API = `/api/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
const FORM_TITLE = `县级公共图书馆年度工作报告 · ${PERIOD}`;

jest.setTimeout(45_000);

interface Report {
  revision: number;
  values: Record<string, unknown>;
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: Error[] = [];
let token: string;
/** Every confirm the page showed in this test, in order. */
let dialogs: string[] = [];
/** How the test answers the next confirm. */
let answer: 'accept' | 'dismiss' = 'dismiss';

const report = async (): Promise<Report> =>
  answerJson<Report>(await api(REPORT_API, { token }), 200);

const field = (name: string) => page.locator(`[name="${name}"]`);
const fieldBlock = (key: string) => page.locator(`[data-field="${key}"]`);
const saveStatus = () => page.locator('.save-status');
const backLink = () => page.getByRole('link', { name: '返回', exact: true });
const formHeading = () => page.getByRole('heading', { name: FORM_TITLE });

/** Whether the page would warn before the tab is closed or reloaded. */
const warnsBeforeUnload = () =>
  page.evaluate(() => !window.dispatchEvent(new Event('beforeunload', { cancelable: true })));

/**
 * Makes the report on the server a draft of exactly `values`, whatever an earlier test left. A
 * save from an earlier test's closed tab may land between reading the revision and saving: then
 * this reads again.
 */
const startWith = async (values: Record<string, unknown>) => {
  for (let attempt = 1; ; attempt += 1) {
    const current = await api(REPORT_API, { token });
    if (current.status !== 200 && current.status !== 404) {
      throw new Error(`GET ${REPORT_API}: ${current.status}`);
    }
    const expectedRevision =
      current.status === 404 ? 0 : ((await current.json()) as Report).revision;
    const saved = await sendJson(REPORT_API, 'PUT', token, { values, expectedRevision });
    if (saved.ok) return;
    if (saved.status !== 409 || attempt === 3) {
      throw new Error(`PUT ${REPORT_API}: ${saved.status} ${await saved.text()}`);
    }
  }
};

/** Goes to `url` and signs in there as the library, as a new tab must. */
const signInAt = (url: string) => signInAsLibraryAt(page, url, LIBRARY);

/** Opens the report, which holds `values` on the server, straight from its address. */
const openForm = async (values: Record<string, unknown>) => {
  await startWith(values);
  await signInAt(FORM_URL);
  await formHeading().waitFor();
};

/** Opens the report, which holds `values` on the server, from the library's home page. */
const openFormFromHome = async (values: Record<string, unknown>) => {
  await startWith(values);
  await signInAt(LIBRARY_URL);
  await page.getByRole('link', { name: FORM_TITLE }).click();
  await page.waitForURL(FORM_URL);
  await formHeading().waitFor();
};

/** Saves of the report fail as if the network were down, until the returned function runs. */
const failSaves = async () => {
  const handler = (route: Route) =>
    route.request().method() === 'PUT' ? route.abort('internetdisconnected') : route.continue();
  await page.route(`**${REPORT_API}`, handler);
  return () => page.unroute(`**${REPORT_API}`, handler);
};

beforeAll(async () => {
  token = await tokenFor('library', LIBRARY);
  expect((await api(REPORT_API, { token })).status).toBe(404);
  browser = await launchChromium();
});

beforeEach(async () => {
  context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  errors = collectPageErrors(page);
  dialogs = [];
  answer = 'dismiss';
  page.on('dialog', (dialog: Dialog) => {
    dialogs.push(dialog.message());
    void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
  });
});

// Every test also checks that the page raised no script errors.
afterEach(async () => {
  await context?.close();
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
});

describe('the form page keeps what the library typed', () => {
  it('after a first try to submit, what blocks it follows the edits', async () => {
    await openForm({});
    await page.getByRole('button', { name: '提交', exact: true }).click();
    const banner = page.getByRole('alert').filter({ hasText: /还有 \d+ 项需要处理才能提交/ });
    await banner.waitFor();
    const countOf = async () =>
      Number(/还有 (\d+) 项/.exec((await banner.locator('h2').textContent()) ?? '')?.[1]);
    const before = await countOf();
    await fieldBlock('holdingsTotal').getByText('此项为必填项').waitFor();

    await field('holdingsTotal').fill('5000');
    await fieldBlock('holdingsTotal').getByText('此项为必填项').waitFor({ state: 'detached' });
    await eventually(async () => expect(await countOf()).toBe(before - 1));
  });

  it('a field with an error keeps its saved value on the server and shows as not saved', async () => {
    await openForm({});
    await field('holdingsTotal').fill('5000');
    await saveStatus()
      .filter({ hasText: /^已保存 / })
      .waitFor();
    await eventually(async () => expect((await report()).values.holdingsTotal).toBe(5000));
    expect(await warnsBeforeUnload()).toBe(false);

    // Below the minimum: the page says so and warns before the tab is closed.
    await field('holdingsTotal').fill('-5');
    await saveStatus().filter({ hasText: '1 项有误，未保存' }).waitFor();
    expect(await warnsBeforeUnload()).toBe(true);
    // Another edit is saved meanwhile, without erasing the saved 5000.
    await field('servicePopulation').fill('150000');
    await eventually(async () =>
      expect((await report()).values).toEqual({ holdingsTotal: 5000, servicePopulation: 150000 }),
    );
    await saveStatus().filter({ hasText: '1 项有误，未保存' }).waitFor();

    // Text that is not a number at all, the same.
    await field('holdingsTotal').fill('5千');
    await field('loans').fill('100');
    await eventually(async () =>
      expect((await report()).values).toEqual({
        holdingsTotal: 5000,
        servicePopulation: 150000,
        loans: 100,
      }),
    );
    await saveStatus().filter({ hasText: '1 项有误，未保存' }).waitFor();
    expect(await warnsBeforeUnload()).toBe(true);

    // Corrected: saved, and nothing left to warn about.
    await field('holdingsTotal').fill('6000');
    await saveStatus()
      .filter({ hasText: /^已保存 / })
      .waitFor();
    expect((await report()).values.holdingsTotal).toBe(6000);
    expect(await warnsBeforeUnload()).toBe(false);
  });

  it('返回 right after typing saves the edit before the page is left', async () => {
    await openForm({});
    await field('loans').fill('777');
    await backLink().click();
    await page.waitForURL(LIBRARY_URL);
    expect((await report()).values.loans).toBe(777);
    expect(dialogs).toEqual([]);
  });

  it("the browser's back button right after typing saves the edit too", async () => {
    await openFormFromHome({ loans: 777 });
    expect(await field('loans').inputValue()).toBe('777');
    await field('loans').fill('888');
    await page.goBack();
    await page.waitForURL(LIBRARY_URL);
    await page.getByRole('link', { name: FORM_TITLE }).waitFor();
    expect((await report()).values.loans).toBe(888);
    expect(dialogs).toEqual([]);
  });

  it('when the edit cannot be saved, the library is asked before leaving', async () => {
    await openFormFromHome({ loans: 888 });
    const restore = await failSaves();
    await field('loans').fill('999');

    // Staying, from the link and from the back button: still on the report, the text kept.
    answer = 'dismiss';
    await backLink().click();
    await eventually(() => expect(dialogs).toHaveLength(1));
    expect(dialogs[0]).toContain('修改未能保存');
    await page.goBack();
    await eventually(() => expect(dialogs).toHaveLength(2));
    await eventually(() => expect(page.url()).toBe(FORM_URL));
    await formHeading().waitFor();
    expect(await field('loans').inputValue()).toBe('999');

    // Leaving anyway: the server keeps what was last saved.
    answer = 'accept';
    await backLink().click();
    await page.waitForURL(LIBRARY_URL);
    expect(dialogs).toHaveLength(3);
    expect((await report()).values.loans).toBe(888);
    await restore();
  });

  it('a field with an error asks before leaving, since it cannot be saved', async () => {
    await openFormFromHome({ holdingsTotal: 6000 });
    await field('holdingsTotal').fill('-1');
    await backLink().click();
    await eventually(() => expect(dialogs).toHaveLength(1));
    expect(dialogs[0]).toContain('1 项有误，未保存');
    expect(page.url()).toBe(FORM_URL);
  });

  it('a save still under way when leaving finishes first, and the next page works', async () => {
    await openForm({ holdingsTotal: 6000 });
    const slowSaves = async (route: Route) => {
      if (route.request().method() === 'PUT') {
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      await route.continue();
    };
    await page.route(`**${REPORT_API}`, slowSaves);
    await field('loans').fill('1234');
    await saveStatus().filter({ hasText: '正在保存…' }).waitFor();
    await backLink().click();
    await page.waitForURL(LIBRARY_URL);
    await page.getByRole('link', { name: FORM_TITLE }).waitFor();
    expect((await report()).values).toMatchObject({ holdingsTotal: 6000, loans: 1234 });
    await page.unroute(`**${REPORT_API}`, slowSaves);
    expect(dialogs).toEqual([]);
  });
});
