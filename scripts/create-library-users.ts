/**
 * Creates Cognito users for the deployed user pool (docs/deploy.md, "Create users"):
 *
 *   npm run users:create -- --library 140429 --email wang@example.org [--email li@example.org]
 *     [--name 王芳] --user-pool-id ap-east-1_AbCdEfGhI [--dry-run]
 *   npm run users:create -- --role province --email office@example.org --user-pool-id …
 *
 * A library's users are bound to it (custom:libraryId) and put in group `library`; the library
 * must be in the province's registry (reference/libraries-<provinceCode>.json, the province of
 * cdk.json). Cognito mails each user a temporary password, to be changed at first sign-in.
 * Running it again for an existing user only makes sure of the group.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { readRegistryFile } from '../adapters/registry-file.js';
import { LibraryId, Role } from '../domain/auth/principal.js';
import type { Library } from '../domain/registry/library.js';
import type { RegistryData } from '../domain/registry/registry-data.js';

export const USAGE = `usage: npm run users:create -- [--role library|province|admin] [--library 140429]
    --email someone@example.org [--email …] [--name 姓名] [--registry reference/libraries-14.json]
    (--user-pool-id <id> | --dry-run)
  --library is required for --role library (the default) and only allowed with it;
  --name only with a single --email; USER_POOL_ID may replace --user-pool-id.`;

/** A mistake in the command line: the message, then the script's usage; exit status 2. */
export class UsageError extends Error {
  constructor(message: string, usage = USAGE) {
    super(`${message}\n${usage}`);
    this.name = 'UsageError';
  }
}

const Email = z.email();

const Options = z
  .object({
    role: z._default(Role, 'library'),
    library: z.optional(LibraryId),
    email: z.array(Email).min(1, 'at least one --email is required'),
    name: z.string().trim().min(1).max(100).optional(),
    userPoolId: z
      .string()
      .regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must be a user pool id like ap-east-1_AbCdEfGhI')
      .optional(),
    registry: z.string().min(1).optional(),
    dryRun: z.boolean().default(false),
  })
  .refine((options) => (options.role === 'library') === (options.library !== undefined), {
    message: 'is required for --role library and only allowed with it',
    path: ['library'],
  })
  .refine((options) => options.name === undefined || options.email.length === 1, {
    message: 'names one user: give a single --email with it',
    path: ['name'],
  })
  .refine((options) => options.dryRun || options.userPoolId !== undefined, {
    message: 'is required unless --dry-run (or set USER_POOL_ID)',
    path: ['userPoolId'],
  });
export type Options = z.infer<typeof Options>;

const FLAG_OF: Record<string, string> = { userPoolId: 'user-pool-id', dryRun: 'dry-run' };

/** Command-line arguments (and USER_POOL_ID) to checked options; UsageError when wrong. */
export const parseArguments = (
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Options => {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        role: { type: 'string' },
        library: { type: 'string' },
        email: { type: 'string', multiple: true },
        name: { type: 'string' },
        'user-pool-id': { type: 'string' },
        registry: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = Options.safeParse({
    role: values.role,
    library: values.library,
    email: values.email ?? [],
    name: values.name,
    userPoolId: values['user-pool-id'] ?? env.USER_POOL_ID,
    registry: values.registry,
    dryRun: values['dry-run'],
  });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((issue) => {
          const key = String(issue.path[0] ?? '');
          return `--${FLAG_OF[key] ?? key}: ${issue.message}`;
        })
        .join('\n'),
    );
  }
  return parsed.data;
};

export interface PlannedUser {
  /** Not an e-mail address: the pool signs in by e-mail as an alias of the username. */
  username: string;
  email: string;
  name?: string;
  role: Role;
  library?: Library;
}

/** `Wang.Fang+lib@example.org` → `wang.fang-lib`: Cognito-safe and readable in the console. */
const handleOf = (email: string): string =>
  (email.split('@')[0] ?? email)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** The users to create, checked against the registry; throws for a library not in it. */
export const planUsers = (options: Options, registry: RegistryData): PlannedUser[] => {
  const library =
    options.library === undefined
      ? undefined
      : registry.libraries.find((entry) => entry.libraryId === options.library);
  if (options.library !== undefined && library === undefined) {
    throw new UsageError(
      `--library: ${options.library} is not in the registry of ${registry.provinceName} (${registry.provinceCode})`,
    );
  }
  const prefix = library?.libraryId ?? options.role;
  const users = options.email.map((email) => ({
    username: `${prefix}.${handleOf(email)}`.slice(0, 128),
    email: email.toLowerCase(),
    ...(options.name !== undefined ? { name: options.name } : {}),
    role: options.role,
    ...(library !== undefined ? { library } : {}),
  }));
  const usernames = new Set(users.map((user) => user.username));
  if (usernames.size !== users.length) {
    throw new UsageError('--email: two addresses give the same username; create them one by one');
  }
  return users;
};

/** The two Cognito calls that create one user: the account, then its group. */
export const commandsFor = (user: PlannedUser, userPoolId: string) => ({
  create: new AdminCreateUserCommand({
    UserPoolId: userPoolId,
    Username: user.username,
    UserAttributes: [
      { Name: 'email', Value: user.email },
      // The administrator vouches for the address; it is where the temporary password goes.
      { Name: 'email_verified', Value: 'true' },
      ...(user.name !== undefined ? [{ Name: 'name', Value: user.name }] : []),
      ...(user.library !== undefined
        ? [{ Name: 'custom:libraryId', Value: user.library.libraryId }]
        : []),
    ],
    DesiredDeliveryMediums: ['EMAIL'],
  }),
  addToGroup: new AdminAddUserToGroupCommand({
    UserPoolId: userPoolId,
    Username: user.username,
    GroupName: user.role,
  }),
});

type Command = ReturnType<typeof commandsFor>[keyof ReturnType<typeof commandsFor>];
/** The client's `send`, or a fake of it. */
export type Send = (command: Command) => Promise<unknown>;

const summaryOf = (user: PlannedUser) =>
  `${user.username} <${user.email}> in group ${user.role}${
    user.library ? `, library ${user.library.libraryId} ${user.library.name}` : ''
  }`;

/**
 * Creates each user and adds it to its group. An existing username is not an error: the group
 * is made sure of, nothing else changes (rebinding a library is a console or CLI action).
 */
export const createUsers = async (
  users: readonly PlannedUser[],
  userPoolId: string,
  send: Send,
  print: (line: string) => void,
): Promise<void> => {
  for (const user of users) {
    const { create, addToGroup } = commandsFor(user, userPoolId);
    let created = true;
    try {
      await send(create);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'UsernameExistsException')) throw error;
      created = false;
    }
    await send(addToGroup);
    print(`${created ? 'created' : 'exists, group ensured:'} ${summaryOf(user)}`);
  }
};

/** reference/libraries-<provinceCode>.json for the province cdk.json deploys. */
export const defaultRegistryFile = (): string => {
  const cdkJson = z
    .object({ context: z.object({ provinceCode: z.string().regex(/^\d{2}$/) }) })
    .parse(JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')));
  return fileURLToPath(
    new URL(`../reference/libraries-${cdkJson.context.provinceCode}.json`, import.meta.url),
  );
};

const main = async () => {
  const options = parseArguments(process.argv.slice(2), process.env);
  const registry = await readRegistryFile(options.registry ?? defaultRegistryFile());
  const users = planUsers(options, registry);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (options.dryRun || options.userPoolId === undefined) {
    for (const user of users) {
      print(`would create ${summaryOf(user)}`);
      const { create, addToGroup } = commandsFor(user, options.userPoolId ?? '<user pool id>');
      print(`  AdminCreateUser ${JSON.stringify(create.input)}`);
      print(`  AdminAddUserToGroup ${JSON.stringify(addToGroup.input)}`);
    }
    return;
  }
  const client = new CognitoIdentityProviderClient({});
  // Narrowed per command: the client's send is typed by each command's input and output.
  const send: Send = (command) =>
    command instanceof AdminCreateUserCommand ? client.send(command) : client.send(command);
  await createUsers(users, options.userPoolId, send, print);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
