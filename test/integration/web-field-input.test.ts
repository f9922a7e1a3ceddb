/**
 * The form's inputs in the browser: an error inside a repeated group stays at its sub-field
 * and holds the group's save back until it is fixed or its entry is removed; a money input
 * shows a conversion only for a valid amount and reads a unit written after it; a long text
 * is never cut at its limit, but counted and reported; a submit's list of what blocks it links a
 * typing error inside a group entry to that sub-field. Library 140213, period 2026 (open): no
 * other test uses them.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, eventually, launchChromium, signInAsLibraryAt } from './browser.js';
import { answerJson, api, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const LIBRARY = '140213';
const PERIOD = '2026';
const FORM_URL = `${stack.url}/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
const REPORT_API = `/api/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`;
const FORM_TITLE = `县级公共图书馆年度工作报告 · ${PERIOD}`;

jest.setTimeout(45_000);

let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: Error[] = [];
let token: string;

const values = async (): Promise<Record<string, unknown>> =>
  (await answerJson<{ values: Record<string, unknown> }>(await api(REPORT_API, { token }), 200))
    .values;

const field = (name: string) => page.locator(`[name="${name}"]`);
const fieldBlock = (key: string) => page.locator(`[data-field="${key}"]`);
/** The messages of a field itself, not those of the sub-fields inside it. */
const ownMessages = (key: string) => page.locator(`[data-field="${key}"] > .messages`);
const saveStatus = () => page.locator('.save-status');
const saved = () =>
  saveStatus()
    .filter({ hasText: /^已保存 / })
    .waitFor();

beforeAll(async () => {
  token = await tokenFor('library', LIBRARY);
  expect((await api(REPORT_API, { token })).status).toBe(404);
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  errors = collectPageErrors(page);

  await signInAsLibraryAt(page, FORM_URL, LIBRARY);
  await page.getByRole('heading', { name: FORM_TITLE }).waitFor();
  // A first save, so the server's values can be compared as edits go on.
  await field('servicePopulation').fill('150000');
  await saved();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('a repeated group', () => {
  it('keeps an error at its sub-field while another entry is edited', async () => {
    const add = fieldBlock('incidents').getByRole('button', { name: '添加一条' });
    await add.click();
    await add.click();
    await field('incidents.0.lossYuan').fill('abc');
    await field('incidents.1.lossYuan').fill('2');

    const first = field('incidents.0.lossYuan');
    const message = fieldBlock('incidents.0.lossYuan').locator('.message.error');
    await message.filter({ hasText: '请输入数字' }).waitFor();
    expect(await first.getAttribute('aria-invalid')).toBe('true');
    const messageId = await message.getAttribute('id');
    expect((await first.getAttribute('aria-describedby'))?.split(' ')).toContain(messageId);
    // Not repeated under the group, nor on the valid entry.
    expect(await ownMessages('incidents').textContent()).toBe('');
    expect(await field('incidents.1.lossYuan').getAttribute('aria-invalid')).toBe('false');

    await saveStatus().filter({ hasText: '1 项有误，未保存' }).waitFor();
    await page.waitForTimeout(1500);
    expect(await saveStatus().textContent()).toContain('1 项有误，未保存');
    expect(await values()).toEqual({ servicePopulation: 150000 });
  });

  it('clears the error with its entry, and the rest is saved', async () => {
    await fieldBlock('incidents')
      .locator('.group-entry')
      .first()
      .getByRole('button', { name: '删除此条' })
      .click();
    // The entry that moved up keeps its own value, not the removed entry's text.
    expect(await field('incidents.0.lossYuan').inputValue()).toBe('2');
    expect(await field('incidents.1.lossYuan').count()).toBe(0);
    expect(await page.getByText('请输入数字').count()).toBe(0);
    await saved();
    await eventually(async () =>
      expect(await values()).toEqual({
        servicePopulation: 150000,
        incidents: [{ lossYuan: 20000 }],
      }),
    );
  });
});

describe('a money input', () => {
  it('reads a unit written after the amount and shows the conversion of valid text only', async () => {
    const conversion = fieldBlock('fundingTotal').locator('.conversion');
    await field('fundingTotal').fill('20万');
    await conversion.filter({ hasText: '= 200,000 元' }).waitFor();
    expect(await ownMessages('fundingTotal').textContent()).toBe('');
    await eventually(async () => expect((await values()).fundingTotal).toBe(200000));

    await field('fundingTotal').fill('1.23456');
    await fieldBlock('fundingTotal').getByText('万元最多 4 位小数').waitFor();
    expect(await conversion.count()).toBe(0);

    await field('fundingTotal').fill('200000元');
    await fieldBlock('fundingTotal').getByText('单位已选万元，只填数字').waitFor();
    expect(await conversion.count()).toBe(0);
    await field('fundingTotal').fill('30');
    await conversion.filter({ hasText: '= 300,000 元' }).waitFor();
    await eventually(async () => expect((await values()).fundingTotal).toBe(300000));
  });
});

describe('a long text', () => {
  it('is counted near its limit, and over it kept whole and reported, not cut', async () => {
    const plans = field('plans');
    await plans.fill('计'.repeat(3500));
    await fieldBlock('plans').getByText('已输入 3500/4000 字').waitFor();
    await saved();

    await plans.fill('计'.repeat(4100));
    expect((await plans.inputValue()).length).toBe(4100);
    await fieldBlock('plans').getByText('已输入 4100/4000 字，超出 100 字').waitFor();
    await fieldBlock('plans').getByText('不能超过 4000 个字符').waitFor();
    expect(await plans.getAttribute('aria-invalid')).toBe('true');
    await saveStatus().filter({ hasText: '1 项有误，未保存' }).waitFor();
    expect(((await values()).plans as string).length).toBe(3500);
  });
});

describe('trying to submit', () => {
  it("links a group entry's typing error to its sub-field", async () => {
    await fieldBlock('incidents').getByRole('button', { name: '添加一条' }).click();
    const loss = field('incidents.1.lossYuan');
    await loss.fill('abc');
    await page.getByRole('button', { name: '提交', exact: true }).click();

    const blocker = page
      .getByRole('alert')
      .locator('li')
      .filter({ hasText: '第 2 条（损失金额）请输入数字' });
    await blocker.getByRole('button').click();
    await eventually(async () =>
      expect(await loss.evaluate((input) => input === document.activeElement)).toBe(true),
    );
  });
});

it('had no script errors', () => {
  expect(errors).toEqual([]);
});
