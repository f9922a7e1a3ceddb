/**
 * POST /api/imports/narrative against the local stack: the documented example (docs/api.md),
 * the length limit of `text` and who may call it. Libraries 141025 and 141026 (临汾市); the
 * route reads and stores nothing.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_NARRATIVE_LENGTH } from '../../domain/narrative/model.js';
import { api, tokenFor } from './support.js';

const ROUTE = '/api/imports/narrative';
/** The example body of docs/api.md. */
const EXAMPLE = '全年接待读者2.8万人次，外借图书51642册次。';

interface Evidence {
  field: string;
  value: unknown;
  quote: string;
  start: number;
  end: number;
  qualifier: string | null;
  confidence: number;
}

interface Answer {
  values: Record<string, unknown>;
  evidence: Evidence[];
  unmapped: unknown[];
}

interface Problem {
  message: { zh: string; en: string };
  errors?: { path: string; code: string }[];
}

const importText = (token: string, body: unknown) =>
  api(ROUTE, {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

let owner: string;

beforeAll(async () => {
  owner = await tokenFor('library', '141025');
});

/** What the example must give, wherever it stands in the text. */
const expectExampleAnswer = (answer: Answer, text: string) => {
  expect(answer.values).toEqual({ visits: 28_000, loans: 51_642 });
  expect(answer.unmapped).toEqual([]);
  expect(answer.evidence.map(({ confidence: _, ...rest }) => rest)).toEqual([
    {
      field: 'visits',
      value: 28_000,
      quote: '全年接待读者2.8万人次',
      start: 6,
      end: 12,
      qualifier: null,
    },
    {
      field: 'loans',
      value: 51_642,
      quote: '外借图书51642册次',
      start: 17,
      end: 24,
      qualifier: null,
    },
  ]);
  // The offsets point at the figures in the text as sent.
  expect(answer.evidence.map((item) => text.slice(item.start, item.end))).toEqual([
    '2.8万人次',
    '51642册次',
  ]);
  for (const item of answer.evidence) {
    // Below 0.6 nothing is suggested (docs/narrative-import.md).
    expect(item.confidence).toBeGreaterThanOrEqual(0.6);
    expect(item.confidence).toBeLessThanOrEqual(1);
  }
};

describe('narrative import', () => {
  it('reads the documented example: values, quotes and offsets', async () => {
    const response = await importText(owner, { text: EXAMPLE });
    expect(response.status).toBe(200);
    expectExampleAnswer((await response.json()) as Answer, EXAMPLE);
  });

  it('takes exactly 50,000 characters and refuses 50,001, naming text', async () => {
    expect(MAX_NARRATIVE_LENGTH).toBe(50_000);
    const longest = EXAMPLE + '书'.repeat(50_000 - EXAMPLE.length);
    expect(longest).toHaveLength(50_000);
    const taken = await importText(owner, { text: longest });
    expect(taken.status).toBe(200);
    expectExampleAnswer((await taken.json()) as Answer, longest);

    const refused = await importText(owner, { text: `${longest}书` });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    const problem = (await refused.json()) as Problem;
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'text', code: 'too_big' })]);
  });

  it('refuses a blank text and an unknown key (400), and an unknown form or version (404)', async () => {
    const blank = await importText(owner, { text: ' \n ' });
    expect(blank.status).toBe(400);
    expect(((await blank.json()) as Problem).errors?.map((error) => error.path)).toEqual(['text']);
    const unknownKey = await importText(owner, { text: EXAMPLE, libraryId: '141025' });
    expect(unknownKey.status).toBe(400);
    expect(((await unknownKey.json()) as Problem).errors?.map((error) => error.path)).toEqual([
      'libraryId',
    ]);
    const unknownForm = await importText(owner, { text: EXAMPLE, formId: 'no-such-form' });
    expect(unknownForm.status).toBe(404);
    const malformed = await importText(owner, { text: EXAMPLE, formVersion: '../2026' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as Problem).errors?.map((error) => error.path)).toEqual([
      'formVersion',
    ]);
    const unknownVersion = await importText(owner, { text: EXAMPLE, formVersion: '2001.1' });
    expect(unknownVersion.status).toBe(404);
    expect(((await unknownVersion.json()) as Problem).message.zh).toBe(
      '表单 county-annual-report 没有版本 2001.1。',
    );
  });

  it('answers any library the same, and refuses the province and administrators (403)', async () => {
    const other = await importText(await tokenFor('library', '141026'), { text: EXAMPLE });
    expect(other.status).toBe(200);
    expectExampleAnswer((await other.json()) as Answer, EXAMPLE);
    for (const role of ['province', 'admin'] as const) {
      const refused = await importText(await tokenFor(role), { text: EXAMPLE });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });
});
