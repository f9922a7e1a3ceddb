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
}

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
        message: unpack(issue.message) ?? {
          zh: `字段格式不正确：${issue.message}`,
          en: issue.message,
        },
      },
    ];
  });
