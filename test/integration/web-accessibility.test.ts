/**
 * Accessibility of the main pages, checked by axe-core in Chromium: labels tied to inputs,
 * names on buttons and links, valid ARIA, colour contrast, landmarks. Serious and critical
 * findings fail the test; each is named with the element it was found on.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { api, stack, tokenFor } from './support.js';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** 榆次区图书馆 and period 2037: no other integration test uses them. */
const LIBRARY = '140702';
const FORM = 'county-annual-report';
const PERIOD = '2037';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

let browser: Browser;

const seriousViolations = async (page: Page): Promise<string[]> => {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    );
};

const signedInPage = async (query: string, width: number) => {
  const page = await browser.newPage({ viewport: { width, height: 900 }, locale: 'zh-CN' });
  await page.goto(`${stack.url}/dev-login?${query}`);
  // Signed in once the app has moved the token out of the URL and gone to the home page.
  await page.waitForURL(/\/(libraries\/\d{6}|province)$/);
  return page;
};

beforeAll(async () => {
  // A draft with a warning, so messages and explanation boxes are on the page too.
  const admin = await tokenFor('admin');
  const now = Date.now();
  const window = {
    opensAt: new Date(now - 86_400_000).toISOString(),
    dueAt: new Date(now + 30 * 86_400_000).toISOString(),
    locksAt: new Date(now + 60 * 86_400_000).toISOString(),
  };
  const opened = await api(`/api/periods/${FORM}/${PERIOD}`, {
    method: 'PUT',
    token: admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(window),
  });
  expect(opened.status).toBe(200);
  const saved = await api(`/api/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`, {
    method: 'PUT',
    token: await tokenFor('library', LIBRARY),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      values: { servicePopulation: 120000, visits: 1_500_000 },
      expectedRevision: 0,
    }),
  });
  expect(saved.status).toBe(201);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('accessibility (axe-core: no serious or critical findings)', () => {
  it('the sign-in page', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.url}/sign-in`);
    await page.getByRole('heading', { name: '登录' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('the form page on a phone, with a warning and its explanation box', async () => {
    const page = await signedInPage(`role=library&library=${LIBRARY}`, 390);
    await page.goto(`${stack.url}/libraries/${LIBRARY}/submissions/${FORM}/${PERIOD}`);
    await page.locator(`textarea[name^="explanations."]`).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('the province dashboard', async () => {
    const page = await signedInPage('role=province', 1280);
    await page.getByRole('heading', { name: '全省概览' }).waitFor();
    await page.getByRole('heading', { name: /填报情况/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
