/**
 * Loads the province's library registry into the deployed table (docs/deploy.md, "First run");
 * the local stack does the same at every start. Writing it again overwrites the entries with
 * the file's, so it is also how a corrected registry reaches AWS.
 *
 *   npm run registry:load -- --table <TableName output of the stateful stack> [--dry-run]
 *     [--registry reference/libraries-14.json]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../adapters/dynamodb/library-store.js';
import { readRegistryFile } from '../adapters/registry-file.js';
import type { LibraryStore } from '../domain/registry/library.js';
import type { RegistryData } from '../domain/registry/registry-data.js';
import { defaultRegistryFile, UsageError } from './create-library-users.js';

const USAGE =
  'usage: npm run registry:load -- --table <table name> [--registry reference/libraries-14.json] [--dry-run]';

const Options = z.object({
  // DynamoDB table names: 3–255 letters, digits, _ . -
  table: z.string().regex(/^[\w.-]{3,255}$/, 'must be the TableName output of the stateful stack'),
  registry: z.string().min(1).optional(),
  dryRun: z.boolean().default(false),
});
export type Options = z.infer<typeof Options>;

export const parseArguments = (args: readonly string[]): Options => {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        table: { type: 'string' },
        registry: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), USAGE);
  }
  const parsed = Options.safeParse({
    table: values.table,
    registry: values.registry,
    dryRun: values['dry-run'],
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `--${String(issue.path[0])}: ${issue.message}`,
    );
    throw new UsageError(problems.join('\n'), USAGE);
  }
  return parsed.data;
};

/** Writes every library of the registry (or, for a dry run, only says what it would write). */
export const loadRegistry = async (
  registry: RegistryData,
  store: Pick<LibraryStore, 'putLibraries'> | undefined,
  print: (line: string) => void,
): Promise<void> => {
  const summary = `${registry.libraries.length} libraries of ${registry.provinceName} (${registry.provinceCode})`;
  if (store === undefined) {
    print(`would write ${summary}`);
    return;
  }
  await store.putLibraries(registry.libraries);
  print(`wrote ${summary}`);
};

const main = async () => {
  const options = parseArguments(process.argv.slice(2));
  const registry = await readRegistryFile(options.registry ?? defaultRegistryFile());
  const store = options.dryRun
    ? undefined
    : new DynamoDbLibraryStore(documentClient, options.table);
  await loadRegistry(registry, store, (line) => process.stdout.write(`${line}\n`));
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
