import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { buckets, mainTable } from '../../infra/resources.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateSigningKey } from '../../local/jwt.js';
import { api, dynamoDbClient, s3Client, stack, tokenFor } from './support.js';

interface LibraryBody {
  items: { libraryId: string; name: string; cityName: string }[];
}

const expectProblem = async (response: Response, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({
    status,
    message: { zh: expect.any(String), en: expect.any(String) },
  });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+|Exception|stack/);
  return body;
};

describe('GET /api/health', () => {
  it('answers ok once the emulators are ready, without a token', async () => {
    const response = await api('/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /api/libraries', () => {
  it('lists the 117 county-level libraries of Shanxi to the province', async () => {
    const response = await api('/api/libraries', { token: await tokenFor('province') });
    expect(response.status).toBe(200);
    const body = (await response.json()) as LibraryBody;
    expect(body.items).toHaveLength(117);
    expect(body.items).toContainEqual(
      expect.objectContaining({ libraryId: '140429', name: '武乡县图书馆', cityName: '长治市' }),
    );
  });

  it('lists every library to an administrator', async () => {
    const response = await api('/api/libraries', { token: await tokenFor('admin') });
    expect(((await response.json()) as LibraryBody).items).toHaveLength(117);
  });

  it('shows a library only itself', async () => {
    const response = await api('/api/libraries', { token: await tokenFor('library', '140429') });
    expect(response.status).toBe(200);
    const body = (await response.json()) as LibraryBody;
    expect(body.items.map((library) => library.libraryId)).toEqual(['140429']);
  });

  it('refuses a request without a token', async () => {
    const response = await api('/api/libraries');
    await expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses expired, tampered and unsigned tokens', async () => {
    const key = await loadOrCreateSigningKey(stack.dataDir);
    const expired = await new SignJWT({ 'cognito:groups': ['province'] })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject('someone')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key.privateKey);
    const [header, , signature] = (await tokenFor('library', '140429')).split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({
        sub: 'x',
        'cognito:groups': ['admin'],
        iss: LOCAL_ISSUER,
        aud: LOCAL_AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 3600,
      }),
    ).toString('base64url');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${forgedPayload}.`;
    for (const token of [expired, `${header}.${forgedPayload}.${signature}`, unsigned]) {
      await expectProblem(await api('/api/libraries', { token }), 401);
    }
  });
});

describe('errors', () => {
  it('answers an unknown API route with a 404 problem', async () => {
    await expectProblem(await api('/api/no-such-thing', { token: await tokenFor('admin') }), 404);
  });

  it('echoes a safe correlation id and uses it in problems', async () => {
    const response = await api('/api/libraries', { headers: { 'x-correlation-id': 'trace-123' } });
    const body = await expectProblem(response, 401);
    expect(body.correlationId).toEqual(expect.any(String));
    const ok = await api('/api/health', { headers: { 'x-correlation-id': 'trace-123' } });
    expect(ok.headers.get('x-correlation-id')).toBe('trace-123');
  });
});

describe('resources', () => {
  const dynamo = dynamoDbClient();
  const s3 = s3Client();
  afterAll(() => {
    dynamo.destroy();
    s3.destroy();
  });

  it('creates the table from the definition the CDK stack uses', async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: stack.tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: mainTable.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: mainTable.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(
      mainTable.globalSecondaryIndexes.map((index) => index.indexName),
    );
  });

  it('creates the evidence and reports buckets', async () => {
    for (const bucket of Object.values(buckets)) {
      await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    }
  });
});

describe('web app', () => {
  it('serves index.html for client-side routes', async () => {
    const response = await api('/libraries/140429/submissions/county-annual-report/2025');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('县级公共图书馆年报平台');
  });

  it('signs a browser in through /dev-login with the token in the fragment', async () => {
    const response = await api('/dev-login?role=library&library=140429', { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(/^\/#id_token=[\w-]+\.[\w-]+\.[\w-]+$/);
    const token = location.slice('/#id_token='.length);
    const libraries = await api('/api/libraries', { token });
    expect(((await libraries.json()) as LibraryBody).items).toHaveLength(1);
  });
});
