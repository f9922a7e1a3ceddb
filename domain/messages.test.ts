import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import { issuesToFieldErrors, packMessage } from './messages.js';
import './zod-locale.js';

const zhOf = (schema: z.ZodMiniType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a failure');
  return issuesToFieldErrors(result.error.issues).map((fieldError) => fieldError.message.zh);
};

describe('issuesToFieldErrors', () => {
  it('words each kind of zod issue in Chinese, with its bound', () => {
    expect(zhOf(z.string().check(z.maxLength(200)), 'x'.repeat(201))).toEqual(['最多 200 个字符']);
    expect(zhOf(z.array(z.number()).check(z.minLength(1)), [])).toEqual(['至少 1 项']);
    expect(zhOf(z.number().check(z.maximum(100)), 101)).toEqual(['不能大于 100']);
    expect(zhOf(z.number().check(z.positive()), 0)).toEqual(['应大于 0']);
    expect(zhOf(z.iso.datetime({ offset: true }), 'tomorrow')).toEqual([
      '格式不正确，应为带时区的日期时间（如 2026-01-31T23:59:59+08:00）',
    ]);
    expect(zhOf(z.enum(['a', 'b']), 'c')).toEqual(['取值不在允许的范围内']);
    expect(zhOf(z.object({ n: z.number() }), {})).toEqual(['缺少此项']);
    expect(zhOf(z.boolean(), 'yes')).toEqual(['类型不正确，应为布尔值（true 或 false）']);
  });

  it('keeps zod English as the English text', () => {
    const result = z.number().check(z.maximum(100)).safeParse(101);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(issuesToFieldErrors(result.error.issues)[0]?.message.en).toBe(
      result.error.issues[0]?.message,
    );
  });

  it('unpacks a message the forms engine packed in both languages', () => {
    const schema = z
      .number()
      .check(
        z.refine(() => false, { message: packMessage({ zh: '须为正数', en: 'must be positive' }) }),
      );
    const result = schema.safeParse(1);
    if (result.success) throw new Error('expected a failure');
    expect(issuesToFieldErrors(result.error.issues, 'values.x')).toEqual([
      { path: 'values.x', code: 'custom', message: { zh: '须为正数', en: 'must be positive' } },
    ]);
  });
});
