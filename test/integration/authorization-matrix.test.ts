/**
 * The authorization matrix, generated from the route table: every signed-in route is called by
 * the owner library, another library, the province, an administrator, nobody, and tokens broken
 * in one way each (expired, wrong audience, wrong issuer, payload changed after signing,
 * `alg: none`, signed by another key), and the answer must match what the policy
 * (domain/auth/policy.ts) says about the action the route performs; every broken token gets 401.
 * No answer to anyone but the owner, the province and an administrator may carry the owner's
 * values. Libraries 140311 (owner) and 140321 (other), period 2026 and private period 2033. The
 * evidence routes act on pending items of the owner's report, so that refusals concern a real
 * item. Every allowed caller must get exactly the answer docs/api.md gives for the setup in
 * `beforeAll`, which no call of the matrix changes, so the answers do not depend on call order.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Action, isAllowed } from '../../domain/auth/policy.js';
import { LIBRARY_ID_CLAIM, type Principal } from '../../domain/auth/principal.js';
import { routes } from '../../functions/routes.js';
import { recordFigures } from './reliability-figures.js';
import { api, stack, tokenFor } from './support.js';
import {
  BROKEN_TOKEN_KINDS,
  type BrokenTokenKind,
  brokenTokens,
  payloadOf,
} from './tokens-hostile.js';

const FORM = 'county-annual-report';
const OWNER = '140311';
const OTHER = '140321';
const PERIOD = '2026';
/** Period routes write windows and exceptions: only to a period no other test uses. */
const PRIVATE_PERIOD = '2033';
/** In the owner's draft and nowhere else: it must never reach another library. */
const DISTINCTIVE = 987654;

const DAY = 24 * 60 * 60 * 1000;
const inMs = (milliseconds: number) => new Date(Date.now() + milliseconds).toISOString();

/** What a route needs: a policy action, or just any signed-in caller. */
type Requirement = Action | 'signed-in';

interface Expectation {
  requirement: Requirement;
  /** The exact status of each caller the policy allows (docs/api.md and the setup below). */
  allowed: Partial<Record<CallerName, number>>;
  /** A minimal valid body, so that authorization, not validation, decides the answer. */
  body?: () => unknown;
  query?: Record<string, string>;
}

const SUBMISSION = '/api/libraries/{libraryId}/submissions/{formId}/{period}';
const PERIOD_ROUTE = '/api/periods/{formId}/{period}';
const EVIDENCE = `${SUBMISSION}/evidence/{evidenceId}`;
const ROLLUP = '/api/rollups/{formId}/{period}';
/** A minimal valid presign body. */
const PRESIGN_BODY = { fileName: '馆舍外景.png', contentType: 'image/png', size: 1024 };
/** The owner's pending evidence item that the delete route removes, presigned before the matrix. */
let ownerEvidenceId = '';
/** A second pending item, never uploaded, that the complete route acts on: 409 whatever the order. */
let unuploadedEvidenceId = '';

/** The same status for each caller of a group. */
const each = (callers: readonly CallerName[], status: number) =>
  Object.fromEntries(callers.map((caller) => [caller, status])) as Partial<
    Record<CallerName, number>
  >;
const EVERYONE: readonly CallerName[] = ['owner library', 'other library', 'province', 'admin'];
const READERS: readonly CallerName[] = ['owner library', 'province', 'admin'];
const REVIEWERS: readonly CallerName[] = ['province', 'admin'];

/**
 * One entry per signed-in route of functions/routes.ts, keyed `METHOD path`. The owner's report
 * is a draft at revision 1 that cannot be submitted (it lacks required fields); the 409s and the
 * 422 below are the documented answers to that state, and they keep it so.
 */
const EXPECTATIONS: Readonly<Record<string, Expectation>> = {
  'GET /api/libraries': { requirement: 'signed-in', allowed: each(EVERYONE, 200) },
  'GET /api/forms': { requirement: 'signed-in', allowed: each(EVERYONE, 200) },
  'GET /api/forms/{formId}': { requirement: 'signed-in', allowed: each(EVERYONE, 200) },
  [`GET ${SUBMISSION}`]: { requirement: 'submission:read', allowed: each(READERS, 200) },
  [`PUT ${SUBMISSION}`]: {
    requirement: 'submission:edit',
    // The draft exists at revision 1, so expecting 0 is stale.
    allowed: { 'owner library': 409 },
    body: () => ({ values: { holdingsTotal: 5 }, expectedRevision: 0 }),
  },
  [`POST ${SUBMISSION}/submit`]: {
    requirement: 'submission:edit',
    // The right revision, but the draft misses required fields.
    allowed: { 'owner library': 422 },
    body: () => ({ expectedRevision: 1 }),
  },
  [`POST ${SUBMISSION}/return`]: {
    requirement: 'submission:review',
    // Only a submitted report can be returned; this one is a draft.
    allowed: each(REVIEWERS, 409),
    body: () => ({ message: '请核对。', fieldComments: { holdingsTotal: '请核对。' } }),
  },
  [`POST ${SUBMISSION}/accept`]: {
    requirement: 'submission:review',
    // Only a submitted report can be accepted.
    allowed: each(REVIEWERS, 409),
    body: () => ({}),
  },
  [`POST ${SUBMISSION}/reopen`]: {
    requirement: 'submission:reopen',
    // Only an accepted report can be reopened.
    allowed: { admin: 409 },
    body: () => ({ message: '重新打开。' }),
  },
  [`GET ${SUBMISSION}/revisions`]: { requirement: 'submission:read', allowed: each(READERS, 200) },
  [`GET ${SUBMISSION}/revisions/{revision}`]: {
    requirement: 'submission:read',
    allowed: each(READERS, 200),
  },
  'GET /api/submissions': {
    requirement: 'submissions:list',
    allowed: each(REVIEWERS, 200),
    query: { formId: FORM, period: PERIOD },
  },
  [`GET ${PERIOD_ROUTE}`]: { requirement: 'period:read', allowed: each(EVERYONE, 200) },
  [`PUT ${PERIOD_ROUTE}`]: {
    requirement: 'period:manage',
    allowed: { admin: 200 },
    body: () => ({ opensAt: inMs(-DAY), dueAt: inMs(30 * DAY), locksAt: inMs(60 * DAY) }),
  },
  [`POST ${PERIOD_ROUTE}/exceptions`]: {
    requirement: 'period:manage',
    allowed: { admin: 201 },
    // After the period's lock, whether its default window (2034) or the one set above holds.
    body: () => ({ libraryId: OWNER, until: inMs(10 * 365 * DAY) }),
  },
  [`POST ${SUBMISSION}/evidence`]: {
    requirement: 'submission:edit',
    // The draft is editable, its period open and far from 30 items.
    allowed: { 'owner library': 201 },
    body: () => PRESIGN_BODY,
  },
  [`GET ${SUBMISSION}/evidence`]: { requirement: 'submission:read', allowed: each(READERS, 200) },
  [`POST ${EVIDENCE}/complete`]: {
    requirement: 'submission:edit',
    // Nothing was uploaded for this item.
    allowed: { 'owner library': 409 },
  },
  [`DELETE ${EVIDENCE}`]: { requirement: 'submission:edit', allowed: { 'owner library': 204 } },
  // A start while a run is queued or running answers with that run, also 202.
  [`POST ${ROLLUP}`]: { requirement: 'rollup:run', allowed: each(REVIEWERS, 202) },
  [`GET ${ROLLUP}`]: { requirement: 'rollup:read', allowed: each(REVIEWERS, 200) },
  [`GET ${ROLLUP}/files/{name}`]: {
    requirement: 'rollup:read',
    // A run published before the matrix (beforeAll), so never the 404 of no complete run.
    allowed: each(REVIEWERS, 302),
  },
  'POST /api/imports/narrative': {
    requirement: 'narrative:import',
    allowed: each(['owner library', 'other library'], 200),
    body: () => ({ text: '全年接待读者 5 万人次，外借图书 3 万册次。' }),
  },
};

type CallerName =
  | 'owner library'
  | 'other library'
  | 'province'
  | 'admin'
  | 'no token'
  | BrokenTokenKind;

interface Caller {
  name: CallerName;
  /** Who the caller is once signed in; absent when the API must not let it in at all. */
  principal?: Principal;
}

const CALLERS: readonly Caller[] = [
  { name: 'owner library', principal: { subject: 'owner', role: 'library', libraryId: OWNER } },
  { name: 'other library', principal: { subject: 'other', role: 'library', libraryId: OTHER } },
  { name: 'province', principal: { subject: 'province', role: 'province' } },
  { name: 'admin', principal: { subject: 'admin', role: 'admin' } },
  { name: 'no token' },
  ...BROKEN_TOKEN_KINDS.map((name) => ({ name })),
];

/** Who may see the owner's report; the owner's values must reach nobody else. */
const MAY_SEE_OWNER_DATA: readonly CallerName[] = ['owner library', 'province', 'admin'];

type Outcome = 'allowed' | 'forbidden' | 'unauthenticated';

const outcomeFor = (requirement: Requirement, caller: Caller): Outcome => {
  if (!caller.principal) return 'unauthenticated';
  if (requirement === 'signed-in') return 'allowed';
  return isAllowed(caller.principal, requirement, OWNER) ? 'allowed' : 'forbidden';
};

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

const PARAMETERS: Readonly<Record<string, (path: string) => string>> = {
  libraryId: () => OWNER,
  formId: () => FORM,
  period: (path) =>
    path.startsWith('/api/periods/') || path.startsWith('/api/rollups/') ? PRIVATE_PERIOD : PERIOD,
  revision: () => '1',
  evidenceId: (path) => (path.endsWith('/complete') ? unuploadedEvidenceId : ownerEvidenceId),
  name: () => 'comparison.csv',
};

const concretePath = (template: string, query?: Record<string, string>) => {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const fill = PARAMETERS[name];
    if (!fill) throw new Error(`No value for path parameter {${name}} of ${template}`);
    return fill(template);
  });
  return query ? `${path}?${new URLSearchParams(query)}` : path;
};

const signedInRoutes = routes.filter((route) => route.auth !== 'public');

const tokens = new Map<CallerName, string | undefined>();
/** Made like the broken tokens, with nothing broken (see tokens-hostile.ts). */
let controlToken = '';
/** Every body sent to a caller who may not see the owner's report, checked at the end too. */
const outsiderBodies: { caller: CallerName; route: string; body: string }[] = [];
/** The owner's values as they must never appear in an outsider's answer. */
const ownerValues = () => [
  String(DISTINCTIVE),
  `缺口 ${DISTINCTIVE} 册`,
  ownerEvidenceId,
  unuploadedEvidenceId,
];
const figures = { requests: 0, unexpectedServerErrors: 0, lostWrites: 0, leaks: 0 };

beforeAll(async () => {
  tokens.set('owner library', await tokenFor('library', OWNER));
  tokens.set('other library', await tokenFor('library', OTHER));
  tokens.set('province', await tokenFor('province'));
  tokens.set('admin', await tokenFor('admin'));
  tokens.set('no token', undefined);
  const hostile = await brokenTokens(
    stack.dataDir,
    { role: 'library', libraryId: OWNER },
    { role: 'library', libraryId: OTHER, token: tokens.get('other library') ?? '' },
  );
  controlToken = hostile.control;
  for (const kind of BROKEN_TOKEN_KINDS) tokens.set(kind, hostile.broken[kind]);

  // The owner's draft (revision 1), incomplete so that no request below can move it on.
  const created = await api(concretePath(SUBMISSION), {
    method: 'PUT',
    token: tokens.get('owner library'),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      values: { holdingsTotal: DISTINCTIVE, problemDetails: `缺口 ${DISTINCTIVE} 册` },
      expectedRevision: 0,
    }),
  });
  if (created.status !== 201) {
    throw new Error(`owner draft: ${created.status} ${await created.text()}`);
  }

  // Two pending evidence items of the owner's report: one to delete, one to complete.
  const presign = async () => {
    const presigned = await api(`${concretePath(SUBMISSION)}/evidence`, {
      method: 'POST',
      token: tokens.get('owner library'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(PRESIGN_BODY),
    });
    if (presigned.status !== 201) {
      throw new Error(`owner evidence: ${presigned.status} ${await presigned.text()}`);
    }
    return ((await presigned.json()) as { evidence: { evidenceId: string } }).evidence.evidenceId;
  };
  ownerEvidenceId = await presign();
  unuploadedEvidenceId = await presign();

  // A published rollup of the private period, so that its files answer 302 whenever asked.
  const rollup = concretePath(ROLLUP);
  const province = tokens.get('province');
  const started = await api(rollup, { method: 'POST', token: province });
  if (started.status !== 202) {
    throw new Error(`rollup start: ${started.status} ${await started.text()}`);
  }
  const { runId } = (await started.json()) as { runId: string };
  // The worker runs asynchronously; bounded so that a stuck run fails with its state.
  for (let attempt = 0; ; attempt += 1) {
    const status = await api(rollup, { token: province });
    const { latestRun } = (await status.json()) as {
      latestRun?: { runId: string; status: string };
    };
    if (latestRun?.runId === runId && latestRun.status === 'succeeded') break;
    if (latestRun?.status === 'failed' || attempt >= 160) {
      throw new Error(`rollup run ${runId} did not succeed: ${JSON.stringify(latestRun)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

describe('the hostile tokens', () => {
  it('are each broken in one way only: made the same way, an unbroken one is accepted', async () => {
    const response = await api(concretePath(SUBMISSION), { token: controlToken });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(String(DISTINCTIVE));
  });

  it('the tampered token claims the owner’s library with the other library’s signature', () => {
    const tampered = tokens.get('tampered payload') ?? '';
    const genuine = tokens.get('other library') ?? '';
    expect(payloadOf(tampered)[LIBRARY_ID_CLAIM]).toBe(OWNER);
    expect(payloadOf(genuine)[LIBRARY_ID_CLAIM]).toBe(OTHER);
    expect(tampered.split('.')[2]).toBe(genuine.split('.')[2]);
  });

  it('the public health check answers 200 whatever token comes with it', async () => {
    for (const caller of CALLERS) {
      const response = await api('/api/health', { token: tokens.get(caller.name) });
      figures.requests += 1;
      if (response.status >= 500) figures.unexpectedServerErrors += 1;
      expect(`${caller.name}: ${response.status}`).toBe(`${caller.name}: 200`);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });
});

describe('the expectation table', () => {
  it('has an expectation for every signed-in route, and none for a route that is gone', () => {
    const routeKeys = signedInRoutes.map(routeKey);
    expect(routeKeys.filter((key) => !(key in EXPECTATIONS))).toEqual([]);
    expect(Object.keys(EXPECTATIONS).filter((key) => !routeKeys.includes(key))).toEqual([]);
    expect(new Set(routeKeys).size).toBe(routeKeys.length);
  });

  it('states an answer for exactly the callers the policy allows, and none for the others', () => {
    for (const [key, { requirement, allowed }] of Object.entries(EXPECTATIONS)) {
      const allowedCallers = CALLERS.filter(
        (caller) => outcomeFor(requirement, caller) === 'allowed',
      );
      expect({ key, callers: Object.keys(allowed).sort() }).toEqual({
        key,
        callers: allowedCallers.map((caller) => caller.name).sort(),
      });
    }
  });

  it('only the health check is public', () => {
    expect(routes.filter((route) => route.auth === 'public').map(routeKey)).toEqual([
      'GET /api/health',
    ]);
  });

  it('follows the design: who may do what', () => {
    const allowedCallers = Object.fromEntries(
      Object.entries(EXPECTATIONS).map(([key, { requirement }]) => [
        key,
        CALLERS.filter((caller) => outcomeFor(requirement, caller) === 'allowed').map(
          (caller) => caller.name,
        ),
      ]),
    );
    const everyone = ['owner library', 'other library', 'province', 'admin'];
    const readers = ['owner library', 'province', 'admin'];
    const reviewers = ['province', 'admin'];
    expect(allowedCallers).toEqual({
      'GET /api/libraries': everyone,
      'GET /api/forms': everyone,
      'GET /api/forms/{formId}': everyone,
      [`GET ${SUBMISSION}`]: readers,
      [`PUT ${SUBMISSION}`]: ['owner library'],
      [`POST ${SUBMISSION}/submit`]: ['owner library'],
      [`POST ${SUBMISSION}/return`]: reviewers,
      [`POST ${SUBMISSION}/accept`]: reviewers,
      [`POST ${SUBMISSION}/reopen`]: ['admin'],
      [`GET ${SUBMISSION}/revisions`]: readers,
      [`GET ${SUBMISSION}/revisions/{revision}`]: readers,
      'GET /api/submissions': reviewers,
      [`GET ${PERIOD_ROUTE}`]: everyone,
      [`PUT ${PERIOD_ROUTE}`]: ['admin'],
      [`POST ${PERIOD_ROUTE}/exceptions`]: ['admin'],
      [`POST ${SUBMISSION}/evidence`]: ['owner library'],
      [`GET ${SUBMISSION}/evidence`]: readers,
      [`POST ${EVIDENCE}/complete`]: ['owner library'],
      [`DELETE ${EVIDENCE}`]: ['owner library'],
      [`POST ${ROLLUP}`]: reviewers,
      [`GET ${ROLLUP}`]: reviewers,
      [`GET ${ROLLUP}/files/{name}`]: reviewers,
      'POST /api/imports/narrative': ['owner library', 'other library'],
    });
  });
});

describe.each(signedInRoutes.map((route) => ({ ...route, key: routeKey(route) })))(
  '$key',
  (route) => {
    it.each(CALLERS)('$name', async (caller) => {
      const expectation = EXPECTATIONS[route.key];
      if (!expectation) throw new Error(`No expectation for ${route.key}: add it to the table`);
      const body = expectation.body?.();
      const response = await api(concretePath(route.path, expectation.query), {
        method: route.method,
        token: tokens.get(caller.name),
        // A download answers 302 to S3; the answer itself is what this test is about.
        redirect: 'manual',
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const outcome = outcomeFor(expectation.requirement, caller);
      const context = `${caller.name} → ${route.key}: ${response.status} ${text.slice(0, 300)}`;
      figures.requests += 1;
      if (response.status >= 500) figures.unexpectedServerErrors += 1;

      if (!MAY_SEE_OWNER_DATA.includes(caller.name)) {
        outsiderBodies.push({ caller: caller.name, route: route.key, body: text });
        const leaked = ownerValues().filter((value) => text.includes(value));
        if (leaked.length > 0) figures.leaks += 1;
        expect(leaked.length === 0 ? 'nothing of the owner’s' : `${context} leaks ${leaked}`).toBe(
          'nothing of the owner’s',
        );
      }
      expect(response.status < 500 ? 'no server error' : context).toBe('no server error');
      if (outcome === 'allowed') {
        // The exact documented answer: a refusal, a 400 of a malformed request or any other
        // change of an allowed caller's answer fails here.
        const status = expectation.allowed[caller.name];
        expect(response.status === status ? 'ok' : `${context} (expected ${status})`).toBe('ok');
        return;
      }
      expect(response.status === (outcome === 'forbidden' ? 403 : 401) ? 'ok' : context).toBe('ok');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(text) as { message: { zh: string; en: string } };
      expect(problem.message).toEqual({ zh: expect.any(String), en: expect.any(String) });
      if (outcome === 'unauthenticated') {
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
      }
    });
  },
);

describe('after the matrix', () => {
  afterAll(() => {
    recordFigures({ suite: 'authorization matrix', ...figures });
  });

  it('sent nobody but the owner, the province and an administrator anything of the owner’s report', () => {
    const outsiders = CALLERS.filter((caller) => !MAY_SEE_OWNER_DATA.includes(caller.name));
    expect(outsiderBodies).toHaveLength(signedInRoutes.length * outsiders.length);
    const leaks = outsiderBodies.filter(({ body }) =>
      ownerValues().some((value) => body.includes(value)),
    );
    expect(leaks.map(({ caller, route }) => `${caller} → ${route}`)).toEqual([]);
  });

  it('refused every broken token on every signed-in route', () => {
    const brokenAnswers = outsiderBodies.filter(({ caller }) =>
      (BROKEN_TOKEN_KINDS as readonly string[]).includes(caller),
    );
    expect(brokenAnswers).toHaveLength(signedInRoutes.length * BROKEN_TOKEN_KINDS.length);
    for (const { body } of brokenAnswers) {
      expect(JSON.parse(body)).toMatchObject({ status: 401 });
    }
  });

  it('the owner still reads its own values, and nobody changed the report', async () => {
    const token = tokens.get('owner library');
    const response = await api(concretePath(SUBMISSION), { token });
    expect(response.status).toBe(200);
    const head = (await response.json()) as { revision: number; values: { holdingsTotal: number } };
    // The owner's one acknowledged write, which no caller of the matrix may have changed.
    if (head.revision !== 1 || head.values.holdingsTotal !== DISTINCTIVE) figures.lostWrites = 1;
    expect(head.revision).toBe(1);
    expect(head.values.holdingsTotal).toBe(DISTINCTIVE);
    const revisions = await api(`${concretePath(SUBMISSION)}/revisions`, { token });
    expect(((await revisions.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('only the owner’s own delete removed its evidence', async () => {
    const response = await api(`${concretePath(SUBMISSION)}/evidence`, {
      token: tokens.get('owner library'),
    });
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: { evidenceId: string }[] };
    const ids = items.map((item) => item.evidenceId);
    // What is left: the item never uploaded and the one the owner presigned during the matrix.
    expect(ids).not.toContain(ownerEvidenceId);
    expect(ids).toContain(unuploadedEvidenceId);
    expect(items).toHaveLength(2);
  });

  it('the other library cannot read the owner’s report even with its own id in the query', async () => {
    const response = await api(`${concretePath(SUBMISSION)}?libraryId=${OTHER}`, {
      token: tokens.get('other library'),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain(String(DISTINCTIVE));
  });
});
