/** The `npm start` process itself: restart on the same data, clean stop, clear failures. */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadOrCreateSigningKey, signDevToken } from '../../local/jwt.js';
import { runToExit, startStackProcess, stopStackProcess } from './global-setup.js';
import { stack } from './support.js';

const dataDirs: string[] = [];
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'clr-lifecycle-'));
  dataDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const javaProcessesFor = (dataDir: string) => {
  try {
    return execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.*${dataDir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
};

describe('npm start', () => {
  it('seeds demo reports once, keeps data across a restart and stops DynamoDB Local on SIGTERM', async () => {
    const dataDir = freshDataDir();
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const first = await startStackProcess(dataDir, { DEMO: '1' });
    expect(first.state.demoReports).toBeGreaterThan(117);
    const province = await signDevToken(await loadOrCreateSigningKey(dataDir), {
      role: 'province',
    });
    const statuses = async (period: string) => {
      const response = await fetch(
        `${first.state.apiUrl}/api/submissions?formId=county-annual-report&period=${period}&limit=100`,
        { headers: { authorization: `Bearer ${province}` } },
      );
      const body = (await response.json()) as { items: { status: string }[]; nextCursor?: string };
      return {
        count: body.items.length,
        statuses: new Set(body.items.map((item) => item.status)),
        more: Boolean(body.nextCursor),
      };
    };
    const year2024 = await statuses('2024');
    expect(year2024).toEqual({ count: 100, statuses: new Set(['accepted']), more: true });
    const year2025 = await statuses('2025');
    expect(year2025.statuses).toEqual(new Set(['draft', 'submitted', 'returned', 'accepted']));
    const item = { PK: { S: 'TEST' }, SK: { S: 'survives-restart' } };
    const firstClient = new DynamoDBClient({
      endpoint: first.state.dynamoDbEndpoint,
      region: 'us-east-1',
      credentials,
    });
    await firstClient.send(new PutItemCommand({ TableName: first.state.tableName, Item: item }));
    firstClient.destroy();
    expect(javaProcessesFor(dataDir)).toHaveLength(1);

    expect(await stopStackProcess(first.child)).toBe(0);
    expect(javaProcessesFor(dataDir)).toEqual([]);

    const second = await startStackProcess(dataDir, { DEMO: '1' });
    expect(second.state.demoReports).toBe(0);
    const secondClient = new DynamoDBClient({
      endpoint: second.state.dynamoDbEndpoint,
      region: 'us-east-1',
      credentials,
    });
    const { Item } = await secondClient.send(
      new GetItemCommand({ TableName: second.state.tableName, Key: item }),
    );
    secondClient.destroy();
    expect(Item).toEqual(item);
    expect(second.output()).toContain('117 libraries');
    // Not the default data directory: the commands it prints name it, or they would miss it.
    expect(second.output()).toContain(
      `API token    DATA_DIR=${dataDir} npm run --silent dev:token -- --role library`,
    );
    await stopStackProcess(second.child);
  }, 180_000);

  it('refuses to start a second stack on a data directory in use', async () => {
    const result = await runToExit('local/start.ts', {
      ...process.env,
      PORT: '0',
      DATA_DIR: stack.dataDir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already running');
  });

  it('says how to install Java when it is missing', async () => {
    const result = await runToExit('local/start.ts', {
      ...process.env,
      PATH: '/nonexistent',
      PORT: '0',
      DATA_DIR: freshDataDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Java 17 or newer/);
    expect(result.stderr).toMatch(/apt-get install -y openjdk-17-jre-headless/);
  });

  it('names the variable of a bad setting', async () => {
    const result = await runToExit('local/start.ts', { ...process.env, PORT: 'abc' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
  });
});

describe('npm run dev:token', () => {
  it('prints exactly one token and nothing else', async () => {
    const result = await runToExit(
      'local/dev-token.ts',
      { ...process.env, DATA_DIR: stack.dataDir },
      ['--role', 'library', '--library', '140429'],
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const response = await fetch(`${stack.url}/api/libraries`, {
      headers: { authorization: `Bearer ${result.stdout.trim()}` },
    });
    expect(response.status).toBe(200);
  });

  it('rejects an unknown role or library with a message naming the option', async () => {
    const badRole = await runToExit(
      'local/dev-token.ts',
      { ...process.env, DATA_DIR: stack.dataDir },
      ['--role', 'boss'],
    );
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role');
    expect(badRole.stdout).toBe('');
    const unknownLibrary = await runToExit(
      'local/dev-token.ts',
      { ...process.env, DATA_DIR: stack.dataDir },
      ['--role', 'library', '--library', '999999'],
    );
    expect(unknownLibrary.code).toBe(2);
    expect(unknownLibrary.stderr).toContain('--library');
  });
});
