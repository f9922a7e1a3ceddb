import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it, jest } from '@jest/globals';
import {
  copySourceConditions,
  entityTagMatches,
  failedCopyCondition,
  preconditionFailedXml,
  type S3rverContext,
} from './s3-copy-conditions.js';

const ETAG = '"5d41402abc4b2a76b9719d911017c592"';
const MODIFIED = new Date('2026-03-01T08:00:00.000Z');
const source = { etag: ETAG, lastModified: MODIFIED };

const httpDate = (offsetSeconds: number) =>
  new Date(MODIFIED.getTime() + offsetSeconds * 1000).toUTCString();

describe('entityTagMatches', () => {
  it.each([
    [ETAG, true],
    ['5d41402abc4b2a76b9719d911017c592', true],
    [' "5d41402abc4b2a76b9719d911017c592" ', true],
    ['*', true],
    ['"0000", "5d41402abc4b2a76b9719d911017c592"', true],
    ['"0000"', false],
    ['"5d41402abc4b2a76b9719d911017c592-2"', false],
    ['', false],
  ])('%j against the ETag: %s', (condition, matches) => {
    expect(entityTagMatches(condition, ETAG)).toBe(matches);
  });

  it('compares with the ETag quoted or not', () => {
    expect(entityTagMatches('"abc"', 'abc')).toBe(true);
    expect(entityTagMatches('abc', '"abc"')).toBe(true);
  });
});

describe('failedCopyCondition', () => {
  it.each<[string, IncomingHttpHeaders, string | undefined]>([
    ['no condition', {}, undefined],
    ['If-Match, the current ETag', { 'x-amz-copy-source-if-match': ETAG }, undefined],
    [
      'If-Match, a stale ETag',
      { 'x-amz-copy-source-if-match': '"0000"' },
      'x-amz-copy-source-If-Match',
    ],
    ['If-Match, *', { 'x-amz-copy-source-if-match': '*' }, undefined],
    ['If-Match, empty (no condition)', { 'x-amz-copy-source-if-match': '' }, undefined],
    [
      'If-None-Match, the current ETag',
      { 'x-amz-copy-source-if-none-match': ETAG },
      'x-amz-copy-source-If-None-Match',
    ],
    ['If-None-Match, a stale ETag', { 'x-amz-copy-source-if-none-match': '"0000"' }, undefined],
    [
      'If-None-Match, *',
      { 'x-amz-copy-source-if-none-match': '*' },
      'x-amz-copy-source-If-None-Match',
    ],
    [
      'If-Unmodified-Since before the change',
      { 'x-amz-copy-source-if-unmodified-since': httpDate(-1) },
      'x-amz-copy-source-If-Unmodified-Since',
    ],
    [
      'If-Unmodified-Since at the change',
      { 'x-amz-copy-source-if-unmodified-since': httpDate(0) },
      undefined,
    ],
    [
      'If-Modified-Since at the change',
      { 'x-amz-copy-source-if-modified-since': httpDate(0) },
      'x-amz-copy-source-If-Modified-Since',
    ],
    [
      'If-Modified-Since before the change',
      { 'x-amz-copy-source-if-modified-since': httpDate(-1) },
      undefined,
    ],
    [
      'an unreadable date (no condition)',
      { 'x-amz-copy-source-if-unmodified-since': 'yesterday' },
      undefined,
    ],
  ])('%s', (_case, headers, failed) => {
    expect(failedCopyCondition(headers, source)).toBe(failed);
  });

  it('compares times to the second, as HTTP dates have them', () => {
    const changedWithinTheSecond = { etag: ETAG, lastModified: new Date(MODIFIED.getTime() + 900) };
    expect(
      failedCopyCondition(
        { 'x-amz-copy-source-if-unmodified-since': httpDate(0) },
        changedWithinTheSecond,
      ),
    ).toBeUndefined();
  });

  it('lets a matching If-Match decide over a failing If-Unmodified-Since (S3 copies)', () => {
    const headers = {
      'x-amz-copy-source-if-match': ETAG,
      'x-amz-copy-source-if-unmodified-since': httpDate(-60),
    };
    expect(failedCopyCondition(headers, source)).toBeUndefined();
  });

  it('lets a failing If-None-Match decide over a holding If-Modified-Since (S3 refuses)', () => {
    const headers = {
      'x-amz-copy-source-if-none-match': ETAG,
      'x-amz-copy-source-if-modified-since': httpDate(-60),
    };
    expect(failedCopyCondition(headers, source)).toBe('x-amz-copy-source-If-None-Match');
  });

  it('lets a holding If-None-Match decide over a failing If-Modified-Since', () => {
    const headers = {
      'x-amz-copy-source-if-none-match': '"0000"',
      'x-amz-copy-source-if-modified-since': httpDate(60),
    };
    expect(failedCopyCondition(headers, source)).toBeUndefined();
  });
});

describe('copySourceConditions (the middleware before s3rver’s router)', () => {
  const metadata = { etag: ETAG, 'last-modified': MODIFIED.toUTCString(), 'content-length': 5 };

  const contextOf = (
    method: string,
    headers: IncomingHttpHeaders,
    getMetadata: S3rverContext['store']['getMetadata'] = async () => metadata,
  ) => {
    const store = { getMetadata: jest.fn(getMetadata) };
    const context: S3rverContext = {
      method,
      headers,
      store,
      status: 404,
      type: '',
      body: undefined,
    };
    return { context, store };
  };

  const run = async (context: S3rverContext) => {
    const next = jest.fn(async () => undefined);
    await copySourceConditions(context, next);
    return next;
  };

  it('answers a copy of a changed source with S3’s 412 PreconditionFailed, without copying', async () => {
    const { context, store } = contextOf('PUT', {
      'x-amz-copy-source': 'evidence/uploads/140829/%E6%8A%A5%E5%91%8A%201.png',
      'x-amz-copy-source-if-match': '"0000"',
    });
    const next = await run(context);
    expect(next).not.toHaveBeenCalled();
    // The key decoded as s3rver decodes it for the copy.
    expect(store.getMetadata).toHaveBeenCalledWith('evidence', 'uploads/140829/报告 1.png');
    expect(context).toMatchObject({
      status: 412,
      type: 'application/xml',
      body: preconditionFailedXml('x-amz-copy-source-If-Match'),
    });
    expect(context.body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>PreconditionFailed<\/Code><Message>[^<]+<\/Message><Condition>x-amz-copy-source-If-Match<\/Condition><\/Error>$/,
    );
  });

  it('passes a copy whose conditions hold on to s3rver', async () => {
    const { context } = contextOf('PUT', {
      'x-amz-copy-source': '/evidence/uploads/a',
      'x-amz-copy-source-if-match': ETAG,
    });
    expect(await run(context)).toHaveBeenCalledTimes(1);
    expect(context.status).toBe(404);
  });

  /** A conditional copy whose store read fails as the file system fails. */
  const copyFailingWith = (code: string, message: string) =>
    contextOf(
      'PUT',
      { 'x-amz-copy-source': 'evidence/uploads/a', 'x-amz-copy-source-if-match': ETAG },
      async () => {
        throw Object.assign(new Error(message), { code });
      },
    ).context;

  it('leaves a missing source to s3rver (NoSuchKey, as S3 answers whatever the conditions)', async () => {
    expect(await run(copyFailingWith('ENOENT', 'no such file'))).toHaveBeenCalledTimes(1);
  });

  it('does not hide other failures of the store', async () => {
    await expect(run(copyFailingWith('EIO', 'disk full'))).rejects.toThrow('disk full');
  });

  it('leaves a source outside the buckets to s3rver, reading nothing', async () => {
    for (const source of ['../secret/x', 'evidence/../../x', 'Evidence/x', 'a/x']) {
      const { context, store } = contextOf('PUT', {
        'x-amz-copy-source': source,
        'x-amz-copy-source-if-match': '"0000"',
      });
      expect(await run(context)).toHaveBeenCalledTimes(1);
      expect(store.getMetadata).not.toHaveBeenCalled();
    }
  });

  it('does not look at requests that are not copies', async () => {
    for (const [method, headers] of [
      ['PUT', { 'x-amz-copy-source-if-match': '"0000"' }],
      ['GET', { 'x-amz-copy-source': 'evidence/uploads/a', 'x-amz-copy-source-if-match': '"0"' }],
    ] as const) {
      const { context, store } = contextOf(method, headers);
      expect(await run(context)).toHaveBeenCalledTimes(1);
      expect(store.getMetadata).not.toHaveBeenCalled();
    }
  });
});
