import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  completeSignIn,
  hasUnsavedEdits,
  keepUnsavedEdits,
  markSessionExpired,
  rememberReturnPath,
  returnPathOrHome,
  sessionExpired,
  sessionFromToken,
  takeUnsavedEdits,
  type WebConfig,
} from './auth.js';

const tokenWith = (claims: Record<string, unknown>) =>
  ['{"alg":"ES256"}', JSON.stringify(claims), 'signature']
    .map((part, index) => (index === 2 ? part : Buffer.from(part).toString('base64url')))
    .join('.');

describe('sessionFromToken', () => {
  it('reads a library user with a Chinese name in the claims', () => {
    const token = tokenWith({
      sub: 'u-1',
      exp: 2_000_000_000,
      name: '武乡县图书馆',
      'cognito:groups': ['library'],
      'custom:libraryId': '140429',
    });
    expect(sessionFromToken(token)).toEqual({
      token,
      subject: 'u-1',
      role: 'library',
      libraryId: '140429',
      expiresAt: 2_000_000_000,
    });
  });

  it('takes the strongest role of several groups', () => {
    const token = tokenWith({
      sub: 'u-2',
      exp: 2_000_000_000,
      'cognito:groups': ['library', 'admin'],
    });
    expect(sessionFromToken(token)?.role).toBe('admin');
  });

  it('refuses tokens it cannot use', () => {
    expect(sessionFromToken('not a token')).toBeUndefined();
    expect(sessionFromToken(tokenWith({ sub: 'u-3', exp: 2_000_000_000 }))).toBeUndefined();
    expect(
      sessionFromToken(
        tokenWith({ sub: 'u-4', exp: 2_000_000_000, 'cognito:groups': ['library'] }),
      ),
    ).toBeUndefined();
  });
});

const cognito: WebConfig = {
  auth: {
    kind: 'cognito',
    domain: 'auth.example.cn',
    clientId: 'client',
    redirectUri: 'https://reports.example.cn/',
  },
};
const local: WebConfig = { auth: { kind: 'local', identities: [] } };

const stored = new Map<string, string>();
/** The URLs the app rewrote the address bar to. */
const replaced: string[] = [];
const realFetch = globalThis.fetch;
const fetched: string[] = [];

/** The browser at `/` with `search` and `hash`, and what this tab already keeps. */
const browserAt = (search: string, hash = '', keeps: Record<string, string> = {}) => {
  stored.clear();
  replaced.length = 0;
  for (const [name, value] of Object.entries(keeps)) stored.set(name, value);
  const browser = {
    location: { hash, search, pathname: '/' },
    history: { replaceState: (_state: unknown, _title: string, url: string) => replaced.push(url) },
    sessionStorage: {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => stored.set(key, value),
      removeItem: (key: string) => stored.delete(key),
      key: (index: number) => [...stored.keys()][index] ?? null,
      get length() {
        return stored.size;
      },
    },
  };
  for (const [name, value] of Object.entries(browser)) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
};

const answer = (respond: () => Promise<Response>) => {
  globalThis.fetch = async (input: string | URL | Request) => {
    fetched.push(String(input));
    return respond();
  };
};

beforeEach(() => {
  stored.clear();
  fetched.length = 0;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

describe('completeSignIn with a token in the URL fragment', () => {
  const fragmentToken = tokenWith({
    sub: 'attacker',
    exp: 2_000_000_000,
    'cognito:groups': ['admin'],
  });

  it('takes it in local mode, as /dev-login hands it over, and clears the URL', async () => {
    browserAt('', `#id_token=${fragmentToken}`, { returnTo: '/province' });
    expect(await completeSignIn(local)).toBeUndefined();
    expect(stored.get('idToken')).toBe(fragmentToken);
    expect(replaced).toEqual(['/province']);
  });

  it('ignores it with Cognito (login CSRF), keeps the session and clears the URL', async () => {
    browserAt('', `#id_token=${fragmentToken}`, { idToken: 'own-token' });
    answer(async () => Response.json({ id_token: 'never asked' }));
    expect(await completeSignIn(cognito)).toBeUndefined();
    expect(stored.get('idToken')).toBe('own-token');
    expect(replaced).toEqual(['/']);
    expect(fetched).toEqual([]);

    browserAt('', `#id_token=${fragmentToken}`);
    expect(await completeSignIn(cognito)).toBeUndefined();
    expect(stored.has('idToken')).toBe(false);
  });
});

describe('completeSignIn with the Cognito hosted UI', () => {
  const config = cognito;
  /** The browser as it is when the hosted UI sends it back with `search`. */
  const returnWith = (search: string, pkce = { verifier: 'v'.repeat(43), state: 'state-1' }) =>
    browserAt(search, '', { pkce: JSON.stringify(pkce) });

  it('stores the token and reports nothing when the exchange works', async () => {
    returnWith('?code=c&state=state-1');
    answer(async () => Response.json({ id_token: 'token-1' }));
    expect(await completeSignIn(config)).toBeUndefined();
    expect(stored.get('idToken')).toBe('token-1');
  });

  it('says a network failure during the exchange is one, in both languages', async () => {
    returnWith('?code=c&state=state-1');
    answer(async () => {
      throw new TypeError('Failed to fetch');
    });
    const problem = await completeSignIn(config);
    expect(problem?.message).toEqual({
      zh: '无法连接登录服务，请检查网络后重新登录。',
      en: 'Cannot reach the sign-in service; check the connection and sign in again.',
    });
    expect(problem?.detail).toContain('Failed to fetch');
    expect(stored.has('idToken')).toBe(false);
  });

  it('explains a refused exchange, an answer for another tab and a refusal by the provider', async () => {
    returnWith('?code=c&state=state-1');
    answer(async () => new Response('{"error":"invalid_grant"}', { status: 400 }));
    expect(await completeSignIn(config)).toEqual({
      message: {
        zh: '登录服务未能确认您的身份，请重新登录。',
        en: 'The sign-in service could not confirm who you are; sign in again.',
      },
      detail: 'token endpoint: HTTP 400',
    });

    returnWith('?code=c&state=forged');
    const mismatch = await completeSignIn(config);
    expect(mismatch?.message.zh).toContain('登录请求已失效');
    expect(mismatch?.message.en).toContain('no longer valid');

    returnWith('?error=access_denied&error_description=User+cancelled');
    expect(await completeSignIn(config)).toEqual({
      message: {
        zh: '登录被拒绝或已取消，请重新登录。',
        en: 'The sign-in was refused or cancelled; sign in again.',
      },
      detail: 'access_denied: User cancelled',
    });
  });
});

describe('the page to return to after signing in', () => {
  it('is never a sign-in page, so a late 401 cannot replace the report the person was on', async () => {
    browserAt('');
    rememberReturnPath('/libraries/140429/submissions/county-annual-report/2026');
    rememberReturnPath('/sign-in');
    rememberReturnPath('/sign-in?x=1');
    rememberReturnPath('/dev-login?role=library');
    expect(stored.get('returnTo')).toBe('/libraries/140429/submissions/county-annual-report/2026');

    const token = tokenWith({ sub: 'u', exp: 2_000_000_000, 'cognito:groups': ['province'] });
    browserAt('', `#id_token=${token}`, { returnTo: '/province?tab=1' });
    expect(await completeSignIn(local)).toBeUndefined();
    expect(replaced).toEqual(['/province?tab=1']);
  });

  it('falls back to the home page for a sign-in page, another origin or nothing', () => {
    expect(returnPathOrHome('/sign-in')).toBe('/');
    expect(returnPathOrHome('/sign-in#x')).toBe('/');
    expect(returnPathOrHome('/dev-login')).toBe('/');
    expect(returnPathOrHome('//evil.example')).toBe('/');
    expect(returnPathOrHome('https://evil.example/')).toBe('/');
    expect(returnPathOrHome(null)).toBe('/');
    expect(returnPathOrHome('/sign-inside')).toBe('/sign-inside');
    expect(returnPathOrHome('/libraries/140429')).toBe('/libraries/140429');
  });
});

describe('an expired session', () => {
  it('is said on the sign-in page until the next sign-in completes', async () => {
    browserAt('');
    expect(sessionExpired()).toBe(false);
    markSessionExpired();
    expect(sessionExpired()).toBe(true);
    const token = tokenWith({ sub: 'u', exp: 2_000_000_000, 'cognito:groups': ['province'] });
    browserAt('', `#id_token=${token}`, { sessionExpired: '1' });
    await completeSignIn(local);
    expect(sessionExpired()).toBe(false);
  });

  it('keeps the unsaved edits of a report for the same person, once', () => {
    browserAt('');
    const report = '/libraries/140429/submissions/county-annual-report/2026';
    keepUnsavedEdits(report, {
      subject: 'u',
      revision: 1,
      edits: {},
      base: {},
      explanations: {},
      explanationsBase: {},
    });
    expect(hasUnsavedEdits()).toBe(false);
    const kept = {
      subject: 'u',
      revision: 2,
      edits: { loans: 100, visits: null },
      base: { loans: 90, visits: 5 },
      explanations: { holdingsJump: '剔旧', fundingJump: null },
      explanationsBase: { holdingsJump: null, fundingJump: '新馆专项' },
      formVersion: '2026.1',
    };
    keepUnsavedEdits(report, kept);
    expect(hasUnsavedEdits()).toBe(true);
    expect(takeUnsavedEdits(report, 'u')).toEqual(kept);
    expect(takeUnsavedEdits(report, 'u')).toBeUndefined();
    expect(hasUnsavedEdits()).toBe(false);

    // Another person signed in in this tab: the edits are not theirs, and are dropped.
    keepUnsavedEdits(report, {
      subject: 'u',
      revision: 2,
      edits: { loans: 100 },
      base: {},
      explanations: {},
      explanationsBase: {},
    });
    expect(takeUnsavedEdits(report, 'someone-else')).toBeUndefined();
    expect(takeUnsavedEdits(report, 'u')).toBeUndefined();

    // Only explanations were written: kept all the same. Edits kept by an earlier version of
    // the page, without explanations, still come back.
    const explained = {
      subject: 'u',
      revision: 3,
      edits: {},
      base: {},
      explanations: { a: 'x' },
      explanationsBase: { a: null },
    };
    keepUnsavedEdits(report, explained);
    expect(takeUnsavedEdits(report, 'u')).toEqual(explained);
    stored.set(
      `unsaved:${report}`,
      JSON.stringify({ subject: 'u', revision: 3, edits: { loans: 1 } }),
    );
    expect(takeUnsavedEdits(report, 'u')).toEqual({
      ...explained,
      edits: { loans: 1 },
      explanations: {},
      explanationsBase: {},
    });

    stored.set(`unsaved:${report}`, '{not json');
    expect(takeUnsavedEdits(report, 'u')).toBeUndefined();
  });
});
