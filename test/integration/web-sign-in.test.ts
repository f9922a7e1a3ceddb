/**
 * Sign-in as the deployed app does it: the Cognito hosted UI with the OAuth authorization code
 * flow and PKCE. The identity provider is played by the test, intercepting the browser's
 * requests to the hosted-UI domain: it checks what a real one checks (client, redirect URI,
 * S256 challenge against the verifier, state) and answers with a token the local stack accepts.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchChromium } from './browser.js';
import { stack, tokenFor } from './support.js';

const DOMAIN = 'reports-test.auth.cn-north-1.amazoncognito.com';
const CLIENT_ID = 'web-client-id';
const REDIRECT_URI = stack.url;
const CODE = 'authorization-code-1';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: Error[] = [];
/** What the fake hosted UI saw. */
let authorizeQuery: URLSearchParams | undefined;
let tokenRequest: URLSearchParams | undefined;

const base64Url = (bytes: Buffer) => bytes.toString('base64url');

beforeAll(async () => {
  const idToken = await tokenFor('library', '140581');
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'zh-CN' });
  page = await context.newPage();
  errors = collectPageErrors(page);
  await page.route('**/config.json', (route) =>
    route.fulfill({
      json: {
        auth: { kind: 'cognito', domain: DOMAIN, clientId: CLIENT_ID, redirectUri: REDIRECT_URI },
      },
    }),
  );
  await page.route(`https://${DOMAIN}/oauth2/authorize?*`, (route) => {
    authorizeQuery = new URL(route.request().url()).searchParams;
    const back = new URL(REDIRECT_URI);
    back.searchParams.set('code', CODE);
    back.searchParams.set('state', authorizeQuery.get('state') ?? '');
    return route.fulfill({ status: 302, headers: { location: back.toString() } });
  });
  await page.route(`https://${DOMAIN}/oauth2/token`, (route) => {
    tokenRequest = new URLSearchParams(route.request().postData() ?? '');
    const verifier = tokenRequest.get('code_verifier') ?? '';
    const challenge = base64Url(createHash('sha256').update(verifier).digest());
    const valid =
      tokenRequest.get('grant_type') === 'authorization_code' &&
      tokenRequest.get('code') === CODE &&
      tokenRequest.get('client_id') === CLIENT_ID &&
      tokenRequest.get('redirect_uri') === REDIRECT_URI &&
      challenge === authorizeQuery?.get('code_challenge');
    return route.fulfill(
      valid
        ? {
            json: {
              id_token: idToken,
              access_token: 'unused',
              token_type: 'Bearer',
              expires_in: 3600,
            },
            headers: { 'access-control-allow-origin': stack.url },
          }
        : {
            status: 400,
            json: { error: 'invalid_grant' },
            headers: { 'access-control-allow-origin': stack.url },
          },
    );
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('signing in with the Cognito hosted UI (authorization code + PKCE)', () => {
  it('sends the user to the hosted UI with an S256 challenge and a state', async () => {
    await page.goto(`${stack.url}/libraries/140581`);
    await page.getByRole('button', { name: '使用账号登录' }).click();
    await page.waitForURL(`${stack.url}/libraries/140581`);
    expect(authorizeQuery?.get('response_type')).toBe('code');
    expect(authorizeQuery?.get('client_id')).toBe(CLIENT_ID);
    expect(authorizeQuery?.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(authorizeQuery?.get('code_challenge_method')).toBe('S256');
    expect(authorizeQuery?.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizeQuery?.get('state')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(authorizeQuery?.get('scope')?.split(' ')).toEqual(['openid', 'email', 'profile']);
  });

  it('exchanges the code with the verifier and lands where the user was going, token out of the URL', async () => {
    expect(tokenRequest?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    await page.getByRole('heading', { name: '高平市图书馆' }).waitFor();
    expect(page.url()).toBe(`${stack.url}/libraries/140581`);
    expect(await page.evaluate(() => sessionStorage.getItem('pkce'))).toBeNull();
    expect(await page.evaluate(() => sessionStorage.getItem('idToken'))).toMatch(/^ey/);
  });

  it('refuses an answer whose state does not match the one it sent', async () => {
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${stack.url}/?code=${CODE}&state=forged`);
    await page.getByRole('alert').filter({ hasText: '登录未完成' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('idToken'))).toBeNull();
    expect(page.url()).not.toContain('code=');
  });

  it('raised no script errors', () => {
    expect(errors).toEqual([]);
  });
});
