/**
 * `npm run --silent dev:token -- --role library --library 140429` prints one signed token for
 * the local stack and nothing else, so it can be used as `$(npm run --silent dev:token ...)`.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { readRegistryFile } from '../adapters/registry-file.js';
import { LibraryId, Role } from '../domain/auth/principal.js';
import { loadOrCreateSigningKey, signDevToken } from './jwt.js';
import { readLocalSettings } from './settings.js';

const Arguments = z
  .object({
    role: Role,
    library: z.optional(LibraryId),
    ttl: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .default(12 * 3600),
  })
  .refine((args) => (args.role === 'library') === (args.library !== undefined), {
    message: '--library is required for --role library and only allowed with it',
    path: ['library'],
  });

const usage =
  'usage: npm run --silent dev:token -- --role library|province|admin [--library 140429] [--ttl seconds]';

const main = async () => {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      library: { type: 'string' },
      ttl: { type: 'string' },
    },
    strict: true,
  });
  const parsed = Arguments.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `--${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`${problems.join('\n')}\n${usage}`);
  }
  const { role, library, ttl } = parsed.data;
  if (library !== undefined) {
    const registry = await readRegistryFile();
    if (!registry.libraries.some((entry) => entry.libraryId === library)) {
      throw new Error(`--library: ${library} is not in the ${registry.provinceName} registry`);
    }
  }
  const key = await loadOrCreateSigningKey(readLocalSettings().DATA_DIR);
  const token = await signDevToken(key, {
    role,
    ttlSeconds: ttl,
    ...(library !== undefined ? { libraryId: library } : {}),
  });
  process.stdout.write(`${token}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
