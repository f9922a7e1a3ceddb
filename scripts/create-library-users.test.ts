import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from '@jest/globals';
import { readRegistryFile } from '../adapters/registry-file.js';
import {
  commandsFor,
  createUsers,
  defaultRegistryFile,
  type Options,
  parseArguments,
  planUsers,
  type Send,
  UsageError,
} from './create-library-users.js';

const POOL = 'ap-east-1_AbCdEfGhI';

const registry = {
  source: 'test',
  provinceCode: '14',
  provinceName: '山西省',
  libraries: [
    {
      libraryId: '140429',
      name: '武乡县图书馆',
      countyName: '武乡县',
      cityCode: '1404',
      cityName: '长治市',
    },
  ],
};

const usageErrorOf = (run: () => unknown): UsageError => {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
};

describe('parseArguments', () => {
  it('reads a library user, defaulting the role to library', () => {
    expect(
      parseArguments([
        '--library',
        '140429',
        '--email',
        'wang@example.org',
        '--name',
        '王芳',
        '--user-pool-id',
        POOL,
      ]),
    ).toEqual({
      role: 'library',
      library: '140429',
      email: ['wang@example.org'],
      name: '王芳',
      userPoolId: POOL,
      dryRun: false,
    });
  });

  it('takes several addresses, the pool from USER_POOL_ID, and --dry-run', () => {
    expect(
      parseArguments(
        ['--library', '140429', '--email', 'a@example.org', '--email', 'b@example.org'],
        { USER_POOL_ID: POOL },
      ),
    ).toMatchObject({ email: ['a@example.org', 'b@example.org'], userPoolId: POOL });
    expect(
      parseArguments(['--role', 'province', '--email', 'office@example.org', '--dry-run']),
    ).toEqual({ role: 'province', email: ['office@example.org'], dryRun: true });
  });

  it.each([
    [['--email', 'a@example.org', '--dry-run'], /--library: is required for --role library/],
    [
      ['--role', 'admin', '--library', '140429', '--email', 'a@example.org', '--dry-run'],
      /--library: is required for --role library and only allowed with it/,
    ],
    [['--library', '140429', '--dry-run'], /--email: at least one --email is required/],
    [['--library', '140429', '--email', 'not-an-address', '--dry-run'], /--email/],
    [['--library', '1404', '--email', 'a@example.org', '--dry-run'], /--library/],
    [['--role', 'reader', '--email', 'a@example.org', '--dry-run'], /--role/],
    [
      [
        '--library',
        '140429',
        '--email',
        'a@example.org',
        '--email',
        'b@example.org',
        '--name',
        '王芳',
        '--dry-run',
      ],
      /--name: names one user/,
    ],
    [
      ['--library', '140429', '--email', 'a@example.org'],
      /--user-pool-id: is required unless --dry-run/,
    ],
    [
      ['--library', '140429', '--email', 'a@example.org', '--user-pool-id', 'pool'],
      /--user-pool-id/,
    ],
    [['--library', '140429', '--emial', 'a@example.org'], /Unknown option '--emial'/],
  ])('rejects %j with a usage message', (args, message) => {
    const error = usageErrorOf(() => parseArguments(args));
    expect(error.message).toMatch(message);
    expect(error.message).toContain('usage: npm run users:create');
  });
});

describe('planUsers', () => {
  const options = (overrides: Partial<Options>): Options => ({
    role: 'library',
    email: ['Wang.Fang+lib@Example.org'],
    dryRun: true,
    ...overrides,
  });

  it('binds library users to a library of the registry, with safe usernames', () => {
    expect(planUsers(options({ library: '140429', name: '王芳' }), registry)).toEqual([
      {
        username: '140429.wang.fang-lib',
        email: 'wang.fang+lib@example.org',
        name: '王芳',
        role: 'library',
        library: registry.libraries[0],
      },
    ]);
  });

  it('plans province and admin users without a library', () => {
    expect(
      planUsers(options({ role: 'province', email: ['office@example.org'] }), registry),
    ).toEqual([{ username: 'province.office', email: 'office@example.org', role: 'province' }]);
  });

  it('refuses a library that is not in the registry, and colliding usernames', () => {
    expect(usageErrorOf(() => planUsers(options({ library: '140171' }), registry)).message).toMatch(
      /140171 is not in the registry of 山西省 \(14\)/,
    );
    expect(
      usageErrorOf(() =>
        planUsers(
          options({ library: '140429', email: ['wang@example.org', 'wang@example.com'] }),
          registry,
        ),
      ).message,
    ).toMatch(/same username/);
  });

  it('plans against the registry of the province in cdk.json', async () => {
    const shipped = await readRegistryFile(defaultRegistryFile());
    expect(shipped.provinceCode).toBe('14');
    expect(planUsers(options({ library: '140429' }), shipped)[0]?.library?.name).toBe(
      '武乡县图书馆',
    );
  });
});

describe('commandsFor and createUsers', () => {
  const [wang] = planUsers(
    {
      role: 'library',
      library: '140429',
      email: ['wang@example.org'],
      name: '王芳',
      dryRun: false,
    },
    registry,
  );
  if (wang === undefined) throw new Error('no user planned');

  it('creates the user with its verified address, name and library, then adds it to its group', () => {
    const { create, addToGroup } = commandsFor(wang, POOL);
    expect(create).toBeInstanceOf(AdminCreateUserCommand);
    expect(create.input).toEqual({
      UserPoolId: POOL,
      Username: '140429.wang',
      UserAttributes: [
        { Name: 'email', Value: 'wang@example.org' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: '王芳' },
        { Name: 'custom:libraryId', Value: '140429' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(addToGroup).toBeInstanceOf(AdminAddUserToGroupCommand);
    expect(addToGroup.input).toEqual({
      UserPoolId: POOL,
      Username: '140429.wang',
      GroupName: 'library',
    });
  });

  it('sends the calls in order and reports each user', async () => {
    const sent: string[] = [];
    const send: Send = async (command) => {
      sent.push(`${command.constructor.name} ${command.input.Username}`);
      return {};
    };
    const lines: string[] = [];
    await createUsers([wang], POOL, send, (line) => lines.push(line));
    expect(sent).toEqual([
      'AdminCreateUserCommand 140429.wang',
      'AdminAddUserToGroupCommand 140429.wang',
    ]);
    expect(lines).toEqual([
      'created 140429.wang <wang@example.org> in group library, library 140429 武乡县图书馆',
    ]);
  });

  it('treats an existing user as created and still makes sure of its group', async () => {
    const sent: string[] = [];
    const send: Send = async (command) => {
      sent.push(command.constructor.name);
      if (command instanceof AdminCreateUserCommand) {
        throw Object.assign(new Error('User account already exists'), {
          name: 'UsernameExistsException',
        });
      }
      return {};
    };
    const lines: string[] = [];
    await createUsers([wang], POOL, send, (line) => lines.push(line));
    expect(sent).toEqual(['AdminCreateUserCommand', 'AdminAddUserToGroupCommand']);
    expect(lines[0]).toMatch(/^exists, group ensured: 140429\.wang/);
  });

  it('stops at any other error, before touching the group', async () => {
    const sent: string[] = [];
    const send: Send = async (command) => {
      sent.push(command.constructor.name);
      throw Object.assign(new Error('An account with the email already exists.'), {
        name: 'AliasExistsException',
      });
    };
    await expect(createUsers([wang], POOL, send, () => undefined)).rejects.toThrow(
      'An account with the email already exists.',
    );
    expect(sent).toEqual(['AdminCreateUserCommand']);
  });
});
