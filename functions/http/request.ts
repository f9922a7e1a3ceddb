import type * as z from 'zod/mini';
import { type Principal, principalFromClaims } from '../../domain/auth/principal.js';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../domain/errors.js';
import { issuesToFieldErrors } from '../../domain/messages.js';
import '../../domain/zod-locale.js';
import type { ApiEvent } from './types.js';

/** Far below DynamoDB's 400 KB item limit, so a stored body always fits. */
export const MAX_BODY_BYTES = 256 * 1024;

export const principalOf = (event: ApiEvent): Principal =>
  principalFromClaims(event.requestContext.authorizer?.jwt?.claims);

const isJsonContentType = (value: string | undefined) =>
  value !== undefined && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(value);

/** A key or text the reviver below refuses, and why. */
class RefusedJsonError extends Error {
  constructor(
    readonly key: string,
    readonly reason: 'proto-key' | 'unpaired-surrogate',
  ) {
    super(reason);
  }
}

/** A surrogate not part of a pair: `\ud800` is valid JSON, but not Unicode text. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Sees every key and value JSON.parse produces. zod's records drop a `__proto__` key without a
 * word (to keep it off the prototype chain), so `{"values": {"__proto__": …}}` would be taken as
 * if the key were not there: no field, rule or comment is called that, so the body is refused.
 * So is text with an unpaired surrogate: DynamoDB keeps strings as UTF-8, which cannot encode
 * one, and the rollup's CSVs would carry U+FFFD in its place.
 */
const refuseHostileJson = (key: string, value: unknown) => {
  if (key === '__proto__') throw new RefusedJsonError(key, 'proto-key');
  if (UNPAIRED_SURROGATE.test(key) || (typeof value === 'string' && UNPAIRED_SURROGATE.test(value)))
    throw new RefusedJsonError(key, 'unpaired-surrogate');
  return value;
};

const refusedJsonProblem = (error: RefusedJsonError) =>
  error.reason === 'proto-key'
    ? new BadRequestError(
        {
          zh: '请求内容含有不允许的键 __proto__。',
          en: 'The request body contains the key "__proto__", which is not allowed.',
        },
        {
          cause: error,
          errors: [
            {
              path: '__proto__',
              code: 'forbidden_key',
              message: { zh: '不允许的键', en: 'key not allowed' },
            },
          ],
        },
      )
    : new BadRequestError(
        {
          zh: '请求内容含有无效的字符（孤立的代理项），请删除后重试。',
          en: 'The request body contains text that is not valid Unicode (an unpaired surrogate).',
        },
        {
          cause: error,
          errors: [
            {
              path: '(body)',
              code: 'invalid_text',
              message: { zh: '含有无效字符', en: 'not valid Unicode text' },
            },
          ],
        },
      );

/** Decodes, size-checks, parses and validates a JSON request body; every failure names its field. */
export const readJsonBody = <Schema extends z.ZodMiniType>(
  event: Pick<ApiEvent, 'body' | 'isBase64Encoded' | 'headers'>,
  schema: Schema,
): z.infer<Schema> => {
  if (!isJsonContentType(event.headers?.['content-type'])) {
    throw new UnsupportedMediaTypeError({
      zh: '请求内容类型必须是 application/json。',
      en: 'The request body must be sent as application/json.',
    });
  }
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError({
      zh: `请求内容超过 ${MAX_BODY_BYTES / 1024} KB 上限。`,
      en: `The request body exceeds ${MAX_BODY_BYTES / 1024} KB.`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw), refuseHostileJson);
  } catch (cause) {
    if (cause instanceof RefusedJsonError) throw refusedJsonProblem(cause);
    throw new BadRequestError(
      { zh: '请求内容不是有效的 JSON。', en: 'The request body is not valid JSON.' },
      {
        cause,
        errors: [
          {
            path: '(body)',
            code: 'invalid_json',
            message: { zh: '不是有效的 JSON', en: 'not valid JSON' },
          },
        ],
      },
    );
  }
  return validBody(schema, parsed);
};

const validBody = <Schema extends z.ZodMiniType>(schema: Schema, parsed: unknown) => {
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new BadRequestError(
      { zh: '请求内容有误，请检查标出的字段。', en: 'The request body has invalid fields.' },
      { cause: result.error, errors: issuesToFieldErrors(result.error.issues) },
    );
  }
  return result.data;
};

/**
 * For commands whose fields are all optional (`accept`): a request without any body reads as
 * `{}`, so a plain `POST …/accept` works; a body that is sent is read as by readJsonBody.
 */
export const readOptionalJsonBody = <Schema extends z.ZodMiniType>(
  event: Pick<ApiEvent, 'body' | 'isBase64Encoded' | 'headers'>,
  schema: Schema,
): z.infer<Schema> =>
  (event.body ?? '') === '' ? validBody(schema, {}) : readJsonBody(event, schema);
