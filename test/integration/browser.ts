/**
 * The browser for the web UI tests: Debian's Chromium driven by playwright-core (Playwright's
 * own browser download is not used). A missing Chromium fails the run with what to install,
 * never skips: `.ci/run` installs it.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './global-setup.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Quiet and deterministic: no sandbox (containers, root), no GPU, no calls home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Screenshots for people to look at, under the git-ignored test-results/. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The web UI tests drive Debian's Chromium: ` +
        'install it with `sudo apt-get install chromium` (.ci/run does this), ' +
        'or set CHROMIUM_PATH to a Chromium or Chrome executable.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
};

export const screenshot = async (page: Page, name: string): Promise<string> => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name);
  await page.screenshot({ path, fullPage: true });
  return path;
};

/**
 * Runs `check` until it stops throwing (jest has no `expect.poll`): for what the server does
 * after the page says so, e.g. a save finishing. Throws the last failure after `timeoutMs`.
 */
export const eventually = async <T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 100 } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
};

/** Uncaught errors in the page's scripts, collected to assert there were none. */
export const collectPageErrors = (page: Page): Error[] => {
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  return errors;
};

/** Goes to `url` signed out and signs in there as the library (the local sign-in page), back at `url`. */
export const signInAsLibraryAt = async (page: Page, url: string, libraryId: string) => {
  await page.goto(url);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.getByLabel('图书馆', { exact: true }).selectOption(libraryId);
  await page.getByRole('button', { name: '以该图书馆身份登录' }).click();
  await page.waitForURL(url);
};
