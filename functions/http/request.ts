import type { z } from 'zod';
import { type Principal, principalFromClaims } from '../../domain/auth/principal.js';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../domain/errors.js';
import { issuesToFieldErrors } from '../../domain/messages.js';
import type { ApiEvent } from './types.js';

/** Far below DynamoDB's 400 KB item limit, so a stored body always fits. */
export const MAX_BODY_BYTES = 256 * 1024;

export const principalOf = (event: ApiEvent): Principal =>
  principalFromClaims(event.requestContext.authorizer?.jwt?.claims);

const isJsonContentType = (value: string | undefined) =>
  value !== undefined && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(value);

/** Decodes, size-checks, parses and validates a JSON request body; every failure names its field. */
export const readJsonBody = <Schema extends z.ZodType>(
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
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (cause) {
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
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new BadRequestError(
      { zh: '请求内容有误，请检查标出的字段。', en: 'The request body has invalid fields.' },
      { cause: result.error, errors: issuesToFieldErrors(result.error.issues) },
    );
  }
  return result.data;
};
