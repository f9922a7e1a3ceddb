import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { base64url, decodeProtectedHeader, SignJWT } from 'jose';
import {
  createTokenVerifier,
  InvalidTokenError,
  jwks,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateSigningKey,
  type SigningKey,
  signDevToken,
} from './jwt.js';

let dataDir: string;
let key: SigningKey;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'jwt-test-'));
  key = await loadOrCreateSigningKey(join(dataDir, 'main'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const keyPath = (directory: string) => join(directory, 'local-idp', 'signing-key.json');

const nowSeconds = () => Math.floor(Date.now() / 1000);

const segment = (value: unknown) => base64url.encode(JSON.stringify(value));

/** A token with the right claims, signed with the real key; override what a test needs. */
const signWith = (
  signingKey: Pick<SigningKey, 'privateKey' | 'kid'>,
  claims: { iss?: string; aud?: string; exp?: number; iat?: number; sub?: string } = {},
) =>
  new SignJWT({
    'cognito:groups': ['province'],
    token_use: 'id',
  })
    .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid, typ: 'JWT' })
    .setSubject(claims.sub ?? 'someone')
    .setIssuer(claims.iss ?? LOCAL_ISSUER)
    .setAudience(claims.aud ?? LOCAL_AUDIENCE)
    .setIssuedAt(claims.iat ?? nowSeconds())
    .setExpirationTime(claims.exp ?? nowSeconds() + 600)
    .sign(signingKey.privateKey);

const expectRejected = async (token: string) => {
  const verify = createTokenVerifier(key);
  await expect(verify(token)).rejects.toThrow(InvalidTokenError);
  await expect(verify(token)).rejects.toThrow('Token rejected');
};

describe('loadOrCreateSigningKey', () => {
  it('creates a key file readable only by its owner', async () => {
    const info = await stat(keyPath(join(dataDir, 'main')));
    expect(info.isFile()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(keyPath(join(dataDir, 'main')), 'utf8')) as {
      kid?: unknown;
      kty?: unknown;
      d?: unknown;
    };
    expect(stored.kid).toBe(key.kid);
    expect(stored.kty).toBe('EC');
    expect(typeof stored.d).toBe('string');
  });

  it('reuses the stored key on later calls', async () => {
    const again = await loadOrCreateSigningKey(join(dataDir, 'main'));
    expect(again.kid).toBe(key.kid);
    expect(again.publicJwk).toEqual(key.publicJwk);
    // A token signed with the reloaded key verifies against the first instance, and back.
    const verifyFirst = createTokenVerifier(key);
    const verifyAgain = createTokenVerifier(again);
    await expect(verifyFirst(await signDevToken(again, { role: 'admin' }))).resolves.toBeDefined();
    await expect(verifyAgain(await signDevToken(key, { role: 'admin' }))).resolves.toBeDefined();
  });

  it('creates a different key in a different data directory', async () => {
    const other = await loadOrCreateSigningKey(join(dataDir, 'other'));
    expect(other.kid).not.toBe(key.kid);
    expect(other.publicJwk.x).not.toBe(key.publicJwk.x);
  });

  it('has concurrent first calls agree on one key', async () => {
    const directory = join(dataDir, 'concurrent');
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => loadOrCreateSigningKey(directory)),
    );
    expect(new Set(keys.map((each) => each.kid)).size).toBe(1);
    expect(new Set(keys.map((each) => each.publicJwk.x)).size).toBe(1);
    const stored = JSON.parse(await readFile(keyPath(directory), 'utf8')) as { kid?: unknown };
    expect(stored.kid).toBe(keys[0]?.kid);
    // Only the key itself is left in the directory, with its private mode.
    expect(await readdir(join(directory, 'local-idp'))).toEqual(['signing-key.json']);
    expect((await stat(keyPath(directory))).mode & 0o777).toBe(0o600);
  });

  it('publishes only the public half in the JWKS', () => {
    const set = jwks(key);
    expect(set.keys).toHaveLength(1);
    const [published] = set.keys;
    expect(published).toBeDefined();
    if (published === undefined) return;
    expect(published).not.toHaveProperty('d');
    expect(published).toMatchObject({ kty: 'EC', crv: 'P-256', kid: key.kid, alg: 'ES256' });
  });

  it('fails loudly on a corrupt key file instead of replacing it', async () => {
    const directory = join(dataDir, 'corrupt');
    await loadOrCreateSigningKey(directory);
    await writeFile(keyPath(directory), '{ not json');
    await expect(loadOrCreateSigningKey(directory)).rejects.toThrow(SyntaxError);
    expect(await readFile(keyPath(directory), 'utf8')).toBe('{ not json');
  });
});

describe('signDevToken and createTokenVerifier', () => {
  it('signs a library token that verifies with the claims Cognito would set', async () => {
    const token = await signDevToken(key, { role: 'library', libraryId: '140429' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: key.kid });
    const claims = await createTokenVerifier(key)(token);
    expect(claims['cognito:groups']).toEqual(['library']);
    expect(claims['custom:libraryId']).toBe('140429');
    expect(claims.token_use).toBe('id');
    expect(claims.iss).toBe(LOCAL_ISSUER);
    expect(claims.aud).toBe(LOCAL_AUDIENCE);
    expect(claims.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(typeof claims.exp).toBe('number');
    expect(typeof claims.iat).toBe('number');
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return;
    expect(claims.exp - claims.iat).toBe(12 * 60 * 60);
  });

  it('gives province and admin tokens no library id, and a stable subject per identity', async () => {
    const verify = createTokenVerifier(key);
    const province = await verify(await signDevToken(key, { role: 'province' }));
    expect(province['cognito:groups']).toEqual(['province']);
    expect(province).not.toHaveProperty('custom:libraryId');
    const provinceAgain = await verify(await signDevToken(key, { role: 'province' }));
    const admin = await verify(await signDevToken(key, { role: 'admin' }));
    expect(provinceAgain.sub).toBe(province.sub);
    expect(admin.sub).not.toBe(province.sub);
  });

  it('honours ttlSeconds', async () => {
    const claims = await createTokenVerifier(key)(
      await signDevToken(key, { role: 'admin', ttlSeconds: 60 }),
    );
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
      throw new Error('exp and iat must be numbers');
    }
    expect(claims.exp - claims.iat).toBe(60);
  });

  it('remembers a verified token only until it expires', async () => {
    const verify = createTokenVerifier(key);
    const token = await signDevToken(key, { role: 'admin', ttlSeconds: 60 });
    await expect(verify(token)).resolves.toMatchObject({ 'cognito:groups': ['admin'] });
    // The same token a minute later, once from memory and once verified afresh: both refused.
    jest.useFakeTimers({ now: Date.now() + 61_000, doNotFake: ['queueMicrotask', 'nextTick'] });
    try {
      await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
      await expect(createTokenVerifier(key)(token)).rejects.toBeInstanceOf(InvalidTokenError);
    } finally {
      jest.useRealTimers();
    }
  });

  it('accepts a hand-made token with the real key, issuer and audience (control)', async () => {
    await expect(createTokenVerifier(key)(await signWith(key))).resolves.toMatchObject({
      sub: 'someone',
    });
  });

  it('rejects a token signed by a different key (forged), even with our kid', async () => {
    const forger = await loadOrCreateSigningKey(join(dataDir, 'forger'));
    await expectRejected(await signDevToken(forger, { role: 'admin' }));
    await expectRejected(await signWith({ privateKey: forger.privateKey, kid: key.kid }));
  });

  it('rejects an expired token', async () => {
    await expectRejected(await signWith(key, { iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }));
  });

  it('rejects a wrong audience', async () => {
    await expectRejected(await signWith(key, { aud: 'some-other-app' }));
  });

  it('rejects a wrong issuer', async () => {
    await expectRejected(await signWith(key, { iss: 'https://cognito-idp.example.invalid/pool' }));
  });

  it('rejects a token without a subject', async () => {
    const token = await new SignJWT({ 'cognito:groups': ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key.privateKey);
    await expectRejected(token);
  });

  it('rejects a token without an expiry', async () => {
    const token = await new SignJWT({ 'cognito:groups': ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject('someone')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .sign(key.privateKey);
    await expectRejected(token);
  });

  it('rejects alg: none', async () => {
    const payload = {
      sub: 'someone',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      iat: nowSeconds(),
      exp: nowSeconds() + 600,
      'cognito:groups': ['admin'],
    };
    await expectRejected(`${segment({ alg: 'none', typ: 'JWT' })}.${segment(payload)}.`);
    await expectRejected(
      `${segment({ alg: 'none', typ: 'JWT', kid: key.kid })}.${segment(payload)}.`,
    );
  });

  it('rejects a tampered payload that keeps the original signature', async () => {
    const token = await signDevToken(key, { role: 'library', libraryId: '140429' });
    const [header, payload, signature] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined) {
      throw new Error('a JWS has three segments');
    }
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<
      string,
      unknown
    >;
    const escalated = { ...claims, 'cognito:groups': ['admin'] };
    await expectRejected(`${header}.${segment(escalated)}.${signature}`);
  });

  it('rejects an HS256 token, including one keyed with the public key (algorithm confusion)', async () => {
    const claims = { 'cognito:groups': ['admin'] };
    const build = (secret: Uint8Array) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: key.kid })
        .setSubject('someone')
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(secret);
    await expectRejected(await build(new TextEncoder().encode('a-shared-secret-of-32-bytes-long')));
    await expectRejected(await build(new TextEncoder().encode(JSON.stringify(key.publicJwk))));
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not-a-token'],
    ['three garbage segments', 'aaa.bbb.ccc'],
    ['a bearer prefix', 'Bearer x.y.z'],
  ])('rejects %s', async (_label, token) => {
    await expectRejected(token);
  });

  it('keeps the underlying reason as the cause', async () => {
    let thrown: unknown;
    try {
      await createTokenVerifier(key)('garbage');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTokenError);
    if (!(thrown instanceof InvalidTokenError)) return;
    expect(thrown.name).toBe('InvalidTokenError');
    expect(thrown.cause).toBeInstanceOf(Error);
  });
});
