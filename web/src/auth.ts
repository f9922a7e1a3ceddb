/**
 * Sign-in. Locally the stack's /dev-login hands back a token in the URL fragment; in AWS the
 * Cognito hosted UI runs the OAuth authorization code flow with PKCE. Either way the ID token
 * lives in sessionStorage (gone when the tab closes) and never stays in the address bar.
 */
import {
  GROUPS_CLAIM,
  LIBRARY_ID_CLAIM,
  type Role,
  strongestRole,
} from '../../domain/auth/principal.js';
import type { Localized } from './i18n.js';

export type { Role };

export interface DevIdentity {
  role: Role;
  libraryId?: string;
  name: string;
  city?: string;
}

export type AuthConfig =
  | { kind: 'local'; identities: DevIdentity[] }
  | { kind: 'cognito'; domain: string; clientId: string; redirectUri: string };

export interface WebConfig {
  auth: AuthConfig;
}

export interface Session {
  token: string;
  subject: string;
  role: Role;
  libraryId?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const TOKEN_KEY = 'idToken';
const PKCE_KEY = 'pkce';
const RETURN_KEY = 'returnTo';
const EXPIRED_KEY = 'sessionExpired';
const UNSAVED_PREFIX = 'unsaved:';

const base64UrlDecode = (text: string) => {
  const padded = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  return new TextDecoder().decode(Uint8Array.from(atob(padded), (char) => char.charCodeAt(0)));
};

const base64UrlEncode = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * What the UI needs from the token's claims. The API verifies the token on every request;
 * this only decides what to show, so it reads the claims without checking the signature.
 */
export const sessionFromToken = (token: string): Session | undefined => {
  try {
    const claims = JSON.parse(base64UrlDecode(token.split('.')[1] ?? '')) as Record<
      string,
      unknown
    >;
    const groups = claims[GROUPS_CLAIM];
    const role = Array.isArray(groups)
      ? strongestRole(groups.filter((group) => typeof group === 'string'))
      : undefined;
    const libraryId = claims[LIBRARY_ID_CLAIM];
    if (!role || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
    if (role === 'library' && typeof libraryId !== 'string') return undefined;
    return {
      token,
      subject: claims.sub,
      role,
      ...(role === 'library' ? { libraryId: libraryId as string } : {}),
      expiresAt: claims.exp,
    };
  } catch {
    return undefined;
  }
};

export const loadConfig = async (): Promise<WebConfig> => {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as WebConfig;
};

/** The stored session, unless it has expired (a minute early, so no request races the end). */
export const currentSession = (): Session | undefined => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const session = token ? sessionFromToken(token) : undefined;
  if (session && session.expiresAt * 1000 > Date.now() + 60_000) return session;
  // A token that was there and is no longer good: the sign-in page says it expired.
  if (session) markSessionExpired();
  sessionStorage.removeItem(TOKEN_KEY);
  return undefined;
};

/** Pages that sign in: returning to one after signing in would only start over. */
export const isSignInPath = (path: string) => {
  const pathname = path.split(/[?#]/)[0] ?? '';
  return pathname === '/sign-in' || pathname.startsWith('/sign-in/') || pathname === '/dev-login';
};

/** A path of this app to return to: same origin, and not a sign-in page. */
export const returnPathOrHome = (path: string | null | undefined) =>
  path?.startsWith('/') && !path.startsWith('//') && !isSignInPath(path) ? path : '/';

const takeReturnPath = () => {
  const path = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  sessionStorage.removeItem(EXPIRED_KEY);
  return returnPathOrHome(path);
};

/** The API refused the session (401) or its token ran out: sign-in says so. */
export const markSessionExpired = () => sessionStorage.setItem(EXPIRED_KEY, '1');

/** Whether the person is signing in again because the session expired. */
export const sessionExpired = () => sessionStorage.getItem(EXPIRED_KEY) === '1';

/**
 * Edits a report page could not save because the session ended, kept in this tab until the
 * same person opens the report again: field key to value, null for a value removed.
 */
export interface UnsavedEdits {
  subject: string;
  /** The revision the edits were made on. */
  revision: number;
  edits: Record<string, unknown>;
  /** What each edited field held in that revision (null for nothing), to see who changed it since. */
  base: Record<string, unknown>;
  /** Explanations of warnings written or changed since, by rule id; null for one removed. */
  explanations: Record<string, string | null>;
  /** What each of those explanations was in that revision (null for none). */
  explanationsBase: Record<string, string | null>;
  /** The form version the page was on: the edits apply only to a report still on it. */
  formVersion?: string;
}

/** Texts by key as kept in storage (null for none); anything else in it is dropped. */
const keptTexts = (kept: unknown): Record<string, string | null> =>
  Object.fromEntries(
    Object.entries(kept && typeof kept === 'object' ? kept : {}).filter(
      (entry): entry is [string, string | null] =>
        typeof entry[1] === 'string' || entry[1] === null,
    ),
  );

export const keepUnsavedEdits = (report: string, unsaved: UnsavedEdits) => {
  if (Object.keys(unsaved.edits).length + Object.keys(unsaved.explanations).length === 0) return;
  sessionStorage.setItem(`${UNSAVED_PREFIX}${report}`, JSON.stringify(unsaved));
};

/** The edits kept for a report by this person, once: they are removed as they are read. */
export const takeUnsavedEdits = (report: string, subject: string): UnsavedEdits | undefined => {
  const key = `${UNSAVED_PREFIX}${report}`;
  const text = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (!text) return undefined;
  try {
    const kept = JSON.parse(text) as Partial<UnsavedEdits>;
    // Someone else signed in in this tab: their report is not theirs to change.
    if (kept.subject !== subject || typeof kept.revision !== 'number') return undefined;
    if (!kept.edits || typeof kept.edits !== 'object') return undefined;
    const base = kept.base && typeof kept.base === 'object' ? kept.base : {};
    return {
      subject,
      revision: kept.revision,
      edits: kept.edits,
      base,
      explanations: keptTexts(kept.explanations),
      explanationsBase: keptTexts(kept.explanationsBase),
      ...(typeof kept.formVersion === 'string' ? { formVersion: kept.formVersion } : {}),
    };
  } catch {
    return undefined;
  }
};

/** Whether some report's edits wait for the next sign-in. */
export const hasUnsavedEdits = () => {
  for (let index = 0; index < sessionStorage.length; index += 1) {
    if (sessionStorage.key(index)?.startsWith(UNSAVED_PREFIX)) return true;
  }
  return false;
};

const tokenEndpoint = (config: Extract<AuthConfig, { kind: 'cognito' }>) =>
  `https://${config.domain}/oauth2/token`;

/** Why a sign-in that came back here did not complete: a sentence, and what the provider said. */
export interface SignInProblem {
  message: Localized;
  /** Technical text (the provider's error, a status) for whoever looks into it. */
  detail?: string;
}

const SIGN_IN_AGAIN: Localized = {
  zh: '登录服务未能确认您的身份，请重新登录。',
  en: 'The sign-in service could not confirm who you are; sign in again.',
};

const signInProblem = (message: Localized, detail?: string): SignInProblem =>
  detail === undefined ? { message } : { message, detail };

/** The verifier and state this tab sent; nothing when they are missing or unreadable. */
const storedPkce = (): { verifier?: string; state?: string } => {
  try {
    return JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? '{}') as {
      verifier?: string;
      state?: string;
    };
  } catch {
    return {};
  }
};

/** What the identity provider's `error` answer means for the person signing in. */
const providerProblem = (error: string, description: string | null): SignInProblem =>
  signInProblem(
    error === 'access_denied'
      ? {
          zh: '登录被拒绝或已取消，请重新登录。',
          en: 'The sign-in was refused or cancelled; sign in again.',
        }
      : SIGN_IN_AGAIN,
    description ? `${error}: ${description}` : error,
  );

/**
 * Finishes a sign-in that brought the browser back here, if one did: stores the token and
 * rewrites the URL without it. A `#id_token=` is taken only in local mode; with Cognito the
 * token comes only from this tab's own code exchange. Never throws: returns why it failed when
 * the identity provider refused, the answer was not for this tab, or the token could not be
 * fetched.
 */
export const completeSignIn = async (config: WebConfig): Promise<SignInProblem | undefined> => {
  const fragmentToken = new URLSearchParams(location.hash.slice(1)).get('id_token');
  if (fragmentToken && config.auth.kind === 'local') {
    sessionStorage.setItem(TOKEN_KEY, fragmentToken);
    history.replaceState(null, '', takeReturnPath());
    return undefined;
  }
  // Only the local /dev-login hands tokens over in the URL. Elsewhere a link carrying one
  // would sign the visitor in as whoever made it (login CSRF): drop it, keep the session.
  if (fragmentToken) history.replaceState(null, '', `${location.pathname}${location.search}`);
  if (config.auth.kind !== 'cognito') return undefined;
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const error = query.get('error');
  if (!code && !error) return undefined;
  const stored = storedPkce();
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', location.pathname);
  if (error) return providerProblem(error, query.get('error_description'));
  if (!stored.verifier || stored.state !== query.get('state')) {
    return signInProblem(
      {
        zh: '登录请求已失效（可能已过期，或是在另一个标签页中发起的），请重新登录。',
        en: 'The sign-in request is no longer valid (it expired or started in another tab); sign in again.',
      },
      'state mismatch',
    );
  }
  let response: Response;
  try {
    response = await fetch(tokenEndpoint(config.auth), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.auth.clientId,
        code: code ?? '',
        redirect_uri: config.auth.redirectUri,
        code_verifier: stored.verifier,
      }),
    });
  } catch (failure) {
    return signInProblem(
      {
        zh: '无法连接登录服务，请检查网络后重新登录。',
        en: 'Cannot reach the sign-in service; check the connection and sign in again.',
      },
      `token endpoint: ${failure instanceof Error ? failure.message : String(failure)}`,
    );
  }
  if (!response.ok) return signInProblem(SIGN_IN_AGAIN, `token endpoint: HTTP ${response.status}`);
  const tokens = (await response.json().catch(() => ({}))) as { id_token?: string };
  if (!tokens.id_token) return signInProblem(SIGN_IN_AGAIN, 'no id_token');
  sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
  history.replaceState(null, '', takeReturnPath());
  return undefined;
};

/** Starts the Cognito hosted UI sign-in (authorization code + PKCE, S256). */
export const startCognitoSignIn = async (config: Extract<AuthConfig, { kind: 'cognito' }>) => {
  const verifier = base64UrlEncode(crypto.getRandomValues(new Uint8Array(48)));
  const state = base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64UrlEncode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email profile',
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  });
  location.assign(`https://${config.domain}/oauth2/authorize?${query}`);
};

/** Where the app goes once a sign-in started now completes. */
export const rememberReturnPath = (path: string) => {
  // A second 401 arrives after the app is already on /sign-in (a save as the page unmounts):
  // it must not replace the page the person was on.
  if (isSignInPath(path)) return;
  sessionStorage.setItem(RETURN_KEY, path);
};

/** Where a local development identity signs in; /dev-login answers with the token. */
export const devLoginUrl = (identity: Pick<DevIdentity, 'role' | 'libraryId'>) => {
  const query = new URLSearchParams({
    role: identity.role,
    ...(identity.libraryId ? { library: identity.libraryId } : {}),
  });
  return `/dev-login?${query}`;
};

export const signOut = (config: WebConfig) => {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(EXPIRED_KEY);
  if (config.auth.kind === 'cognito') {
    const query = new URLSearchParams({
      client_id: config.auth.clientId,
      logout_uri: config.auth.redirectUri,
    });
    location.assign(`https://${config.auth.domain}/logout?${query}`);
  } else {
    location.assign('/sign-in');
  }
};
