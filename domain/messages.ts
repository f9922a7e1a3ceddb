import type { FieldError, LocalizedText } from './errors.js';

/**
 * zod carries one message string per issue; the forms engine stores both languages in it as
 * JSON and unpacks them here, so every field error reaches the API with zh and en text.
 */
export const packMessage = (message: LocalizedText): string => JSON.stringify(message);

const unpack = (message: string): LocalizedText | undefined => {
  if (!message.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(message) as Partial<LocalizedText>;
    return typeof parsed.zh === 'string' && typeof parsed.en === 'string'
      ? { zh: parsed.zh, en: parsed.en }
      : undefined;
  } catch {
    return undefined;
  }
};

interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
  /** The details zod gives its issues, by code (`invalid_type`, `too_small`…). */
  expected?: unknown;
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: unknown;
  format?: unknown;
  divisor?: unknown;
}

const TYPE_NAMES_ZH: Readonly<Record<string, string>> = {
  number: '数字',
  int: '整数',
  string: '文本',
  boolean: '布尔值（true 或 false）',
  object: '对象',
  array: '列表',
  record: '对象',
};

const FORMAT_NAMES_ZH: Readonly<Record<string, string>> = {
  datetime: '带时区的日期时间（如 2026-01-31T23:59:59+08:00）',
  date: '日期（如 2026-01-31）',
  uuid: 'UUID',
  email: '电子邮箱地址',
  url: '网址',
};

/** How many of what a size limit counts, by the kind of value zod checked. */
const countedZh = (origin: unknown, bound: unknown) =>
  origin === 'string' ? `${bound} 个字符` : origin === 'number' ? `${bound}` : `${bound} 项`;

/**
 * A Chinese message for a zod issue whose own message is zod's English (command bodies, query
 * parameters): from the issue's code and details, never English inside the Chinese text.
 */
const issueZh = (issue: IssueLike): string => {
  switch (issue.code) {
    case 'invalid_type':
      // zod's English names the received type; a missing value is what people most often get.
      return /received undefined$/.test(issue.message)
        ? '缺少此项'
        : `类型不正确，应为${TYPE_NAMES_ZH[String(issue.expected)] ?? String(issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'number') {
        return `${issue.inclusive === false ? '应大于' : '不能小于'} ${String(issue.minimum)}`;
      }
      return `至少 ${countedZh(issue.origin, issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'number') {
        return `${issue.inclusive === false ? '应小于' : '不能大于'} ${String(issue.maximum)}`;
      }
      return `最多 ${countedZh(issue.origin, issue.maximum)}`;
    case 'invalid_format': {
      const format = FORMAT_NAMES_ZH[String(issue.format)];
      return format ? `格式不正确，应为${format}` : '格式不正确';
    }
    case 'not_multiple_of':
      return `应为 ${String(issue.divisor)} 的倍数`;
    case 'invalid_value':
      return '取值不在允许的范围内';
    default:
      return '格式不正确';
  }
};

const joinPath = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** One FieldError per problem; unknown keys are reported at their own path. */
export const issuesToFieldErrors = (issues: readonly IssueLike[], prefix = ''): FieldError[] =>
  issues.flatMap((issue) => {
    const at = (path: readonly PropertyKey[]) =>
      [prefix, joinPath(path)].filter(Boolean).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      return (issue.keys ?? []).map((key) => ({
        path: at([...issue.path, key]),
        code: 'unknown_field',
        message: { zh: `表单中没有字段“${key}”`, en: `Unknown field "${key}"` },
      }));
    }
    return [
      {
        path: at(issue.path),
        code: issue.code,
        message: unpack(issue.message) ?? { zh: issueZh(issue), en: issue.message },
      },
    ];
  });
