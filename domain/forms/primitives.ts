/**
 * The small schemas that API bodies and stored items share with form definitions. They live
 * apart from the meta-schema (definition.ts), which only the forms toolchain parses with, so a
 * Lambda function that validates a field key does not build every form-definition schema at
 * cold start.
 */
import * as z from 'zod/mini';

export const LocalizedText = z.strictObject({
  zh: z.string().check(z.minLength(1)),
  en: z.string().check(z.minLength(1)),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

/** Field keys appear in API bodies, DynamoDB items and CSV headers: lowerCamelCase ASCII. */
export const FieldKey = z
  .string()
  .check(z.regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'lowerCamelCase ASCII key'));
