import * as z from 'zod/mini';
import '../zod-locale.js';
import { Library } from './library.js';

/**
 * The shipped reference data of one province (reference/libraries-<code>.json): every
 * county-level unit, each of which runs one county library.
 */
export const RegistryData = z
  .object({
    source: z.string().check(z.minLength(1)),
    provinceCode: z.string().check(z.regex(/^\d{2}$/)),
    provinceName: z.string().check(z.minLength(1)),
    libraries: z.array(Library).check(z.minLength(1)),
  })
  .check(
    z.superRefine((registry, context) => {
      const seen = new Set<string>();
      registry.libraries.forEach((library, index) => {
        const path = ['libraries', index, 'libraryId'];
        if (seen.has(library.libraryId)) {
          context.addIssue({
            code: 'custom',
            path,
            message: `duplicate library ${library.libraryId}`,
          });
        }
        seen.add(library.libraryId);
        if (!library.libraryId.startsWith(library.cityCode)) {
          context.addIssue({ code: 'custom', path, message: `not in city ${library.cityCode}` });
        }
        if (!library.cityCode.startsWith(registry.provinceCode)) {
          context.addIssue({
            code: 'custom',
            path,
            message: `not in province ${registry.provinceCode}`,
          });
        }
        // x71–x79 are statistics-only units (development zones), which run no library.
        if (/7[1-9]$/.test(library.libraryId)) {
          context.addIssue({ code: 'custom', path, message: 'statistics-only division code' });
        }
      });
    }),
  );
export type RegistryData = z.infer<typeof RegistryData>;

export class InvalidRegistryError extends Error {
  constructor(source: string, cause: z.core.$ZodError) {
    const details = cause.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    super(`Invalid library registry ${source}:\n  ${details.join('\n  ')}`, { cause });
    this.name = 'InvalidRegistryError';
  }
}

export const parseRegistryData = (source: string, json: unknown): RegistryData => {
  const result = RegistryData.safeParse(json);
  if (!result.success) throw new InvalidRegistryError(source, result.error);
  return result.data;
};
