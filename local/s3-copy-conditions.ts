/**
 * S3's conditional copy, which s3rver lacks: it copies whatever the x-amz-copy-source-if-*
 * headers say. Evidence verification copies an upload only if it is still the version it
 * checked (CopySourceIfMatch), so without this the replaced-upload path would never run here.
 * A failed condition is answered as S3 answers it: 412 with an XML `PreconditionFailed` error,
 * which the AWS SDK raises as an error of that name.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The validators of the object a copy reads. */
export interface CopySource {
  etag: string;
  lastModified: Date;
}

const unquoted = (entityTag: string) => entityTag.trim().replace(/^"(.*)"$/, '$1');

/**
 * Whether an If-Match or If-None-Match value (`*`, one entity tag or a comma-separated list,
 * each quoted or not, as S3 accepts them) names the object's ETag.
 */
export const entityTagMatches = (condition: string, etag: string): boolean => {
  const current = unquoted(etag);
  return condition.split(',').some((entry) => {
    const tag = unquoted(entry);
    return tag === '*' || tag === current;
  });
};

const headerOf = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  const joined = Array.isArray(value) ? value.join(',') : value;
  // An empty header sets no condition.
  return joined?.trim() ? joined : undefined;
};

/** An HTTP date in milliseconds; an unreadable date sets no condition (RFC 9110). */
const dateOf = (headers: IncomingHttpHeaders, name: string): number | undefined => {
  const value = headerOf(headers, name);
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
};

/**
 * The condition a copy fails, under the name S3 gives it in the error's `<Condition>`, or
 * `undefined` when the copy may go ahead. The precedence is RFC 9110's, which S3 documents for
 * copies: If-Match decides over If-Unmodified-Since, If-None-Match over If-Modified-Since. Dates
 * have whole seconds, so the object's time is compared to the second.
 */
export const failedCopyCondition = (
  headers: IncomingHttpHeaders,
  source: CopySource,
): string | undefined => {
  const modified = Math.floor(source.lastModified.getTime() / 1000) * 1000;
  const ifMatch = headerOf(headers, 'x-amz-copy-source-if-match');
  if (ifMatch !== undefined) {
    if (!entityTagMatches(ifMatch, source.etag)) return 'x-amz-copy-source-If-Match';
  } else {
    const unmodifiedSince = dateOf(headers, 'x-amz-copy-source-if-unmodified-since');
    if (unmodifiedSince !== undefined && modified > unmodifiedSince) {
      return 'x-amz-copy-source-If-Unmodified-Since';
    }
  }
  const ifNoneMatch = headerOf(headers, 'x-amz-copy-source-if-none-match');
  if (ifNoneMatch !== undefined) {
    if (entityTagMatches(ifNoneMatch, source.etag)) return 'x-amz-copy-source-If-None-Match';
  } else {
    const modifiedSince = dateOf(headers, 'x-amz-copy-source-if-modified-since');
    if (modifiedSince !== undefined && modified <= modifiedSince) {
      return 'x-amz-copy-source-If-Modified-Since';
    }
  }
  return undefined;
};

/** S3's error body for a failed condition. */
export const preconditionFailedXml = (condition: string): string =>
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Error><Code>PreconditionFailed</Code>' +
      '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
      `<Condition>${condition}</Condition></Error>`,
  ].join('\n');

/** What this middleware uses of s3rver's Koa context (s3rver's types do not describe it). */
export interface S3rverContext {
  method: string;
  headers: IncomingHttpHeaders;
  /** s3rver's file store; `getMetadata` throws ENOENT for a missing bucket or object. */
  store: {
    getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  };
  status: number;
  type: string;
  body: unknown;
}

const isMissing = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';

/** S3's bucket names: no path of the store's file system can be made of one (no `..`). */
const BUCKET_NAME = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const copySourceOf = async (
  store: S3rverContext['store'],
  header: string,
): Promise<CopySource | undefined> => {
  // Parsed as s3rver's copy parses it, so the conditions are checked on the object it copies.
  const [bucket = '', ...key] = decodeURI(header).replace(/^\//, '').split('/');
  // Anything else is s3rver's to refuse, before any file is read.
  if (!BUCKET_NAME.test(bucket) || key.includes('..')) return undefined;
  try {
    const metadata = await store.getMetadata(bucket, key.join('/'));
    return {
      etag: String(metadata.etag),
      lastModified: new Date(String(metadata['last-modified'])),
    };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
};

/**
 * Koa middleware for s3rver, placed before its router: answers a copy (CopyObject or
 * UploadPartCopy) whose source fails a condition with 412, and passes everything else on. A
 * missing source is left to s3rver, which answers NoSuchKey or NoSuchBucket as S3 does whatever
 * the conditions. Unlike S3, the check and s3rver's copy are two steps, so an upload landing in
 * the few milliseconds between them is still copied; and the check comes before s3rver's
 * signature check, so a badly signed copy of a changed source gets 412 where S3 says 403.
 */
export const copySourceConditions = async (
  context: S3rverContext,
  next: () => Promise<unknown>,
): Promise<unknown> => {
  const copySource = context.headers['x-amz-copy-source'];
  if (context.method !== 'PUT' || typeof copySource !== 'string') return next();
  const source = await copySourceOf(context.store, copySource);
  const failed = source === undefined ? undefined : failedCopyCondition(context.headers, source);
  if (failed === undefined) return next();
  context.status = 412;
  context.type = 'application/xml';
  context.body = preconditionFailedXml(failed);
  return undefined;
};
