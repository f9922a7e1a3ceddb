/**
 * The province dashboard on a phone (390 × 844): city names stay on one line, the completeness
 * table scrolls sideways in its own focusable box with a visible hint instead of widening the
 * page, and axe-core finds nothing serious there.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot } from './browser.js';
import { stack } from './support.js';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  await page.goto(`${stack.url}/dev-login?role=province`);
  await page.waitForURL(/\/province$/);
  await page.getByRole('heading', { name: /填报情况/ }).waitFor();
  await page.locator('tbody th').first().waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the province dashboard on a phone', () => {
  it('keeps city names on one line and scrolls the wide table in its own box', async () => {
    const cities = await page
      .getByRole('region', { name: '填报情况' })
      .locator('tbody th')
      .evaluateAll((cells) =>
        cells.map((cell) => ({
          height: cell.getBoundingClientRect().height,
          lineHeight: Number.parseFloat(getComputedStyle(cell).lineHeight),
        })),
      );
    expect(cities.length).toBeGreaterThan(0);
    for (const city of cities) expect(city.height).toBeLessThan(city.lineHeight * 2);

    const box = page.getByRole('region', { name: '表格：各市填报情况' });
    const widths = await box.evaluate((element) => ({
      scroll: element.scrollWidth,
      client: element.clientWidth,
      tabIndex: element.tabIndex,
    }));
    expect(widths.scroll).toBeGreaterThan(widths.client);
    expect(widths.tabIndex).toBe(0);
    await expect(page.getByText('可左右滑动查看更多列').first().isVisible()).resolves.toBe(true);
    // The page itself does not scroll sideways: only the table's box does.
    const page390 = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(page390).toBeLessThanOrEqual(390);
    await screenshot(page, 'dashboard-phone.png');
  });

  it('has no serious or critical axe-core findings', async () => {
    await page.addScriptTag({ path: AXE_SCRIPT });
    const serious = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run: () => Promise<{
              violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
            }>;
          };
        }
      ).axe;
      return (await axe.run()).violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map(
          (violation) =>
            `${violation.id} (${violation.nodes.map((node) => node.target).join(', ')})`,
        );
    });
    expect(serious).toEqual([]);
  });
});
