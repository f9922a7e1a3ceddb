/**
 * The local stand-in for Cognito (issuer) and the HTTP API JWT authorizer (verifier).
 * ES256 keys are generated once into DATA_DIR, so tokens survive restarts of the stack.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { GROUPS_CLAIM, LIBRARY_ID_CLAIM, type Role } from '../domain/auth/principal.js';

export const LOCAL_ISSUER = 'https://local-idp.county-library-reports.invalid';
export const LOCAL_AUDIENCE = 'county-library-reports-web';
const ALGORITHM = 'ES256';
const DEFAULT_TTL_SECONDS = 12 * 60 * 60;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const keyFile = (dataDir: string) => join(dataDir, 'local-idp', 'signing-key.json');

const importSigningKey = async (privateJwk: JWK): Promise<SigningKey> => {
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = String(privateJwk.kid);
  const privateKey = (await importJWK(privateJwk, ALGORITHM)) as CryptoKey;
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' } };
};

/** Loads the local issuer's key, creating it on first use (race-safe: the first writer wins). */
export const loadOrCreateSigningKey = async (dataDir: string): Promise<SigningKey> => {
  const path = keyFile(dataDir);
  try {
    return await importSigningKey(JSON.parse(await readFile(path, 'utf8')) as JWK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  privateJwk.kid = createHash('sha256')
    .update(JSON.stringify(privateJwk.x))
    .digest('hex')
    .slice(0, 16);
  await mkdir(join(dataDir, 'local-idp'), { recursive: true });
  // Written whole under a private name, then linked into place: the link fails if the file
  // exists (the first writer wins), and no reader (in any process) sees a half-written file.
  const staging = `${path}.${randomUUID()}.tmp`;
  await writeFile(staging, JSON.stringify(privateJwk), { flag: 'wx', mode: 0o600 });
  try {
    await link(staging, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(staging, { force: true });
  }
  return importSigningKey(JSON.parse(await readFile(path, 'utf8')) as JWK);
};

export const jwks = (key: SigningKey): JSONWebKeySet => ({ keys: [key.publicJwk] });

export interface DevIdentity {
  role: Role;
  libraryId?: string;
  ttlSeconds?: number;
}

/** A stable subject per identity, shaped like Cognito's UUID `sub`. */
const subjectOf = ({ role, libraryId }: DevIdentity): string => {
  const hex = createHash('sha256')
    .update(`${role}:${libraryId ?? ''}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** Signs an ID token with the claims a Cognito user of that group would carry. */
export const signDevToken = async (key: SigningKey, identity: DevIdentity): Promise<string> => {
  const username = identity.libraryId ? `${identity.role}-${identity.libraryId}` : identity.role;
  const claims: JWTPayload = {
    [GROUPS_CLAIM]: [identity.role],
    'cognito:username': username,
    token_use: 'id',
    auth_time: Math.floor(Date.now() / 1000),
    ...(identity.libraryId ? { [LIBRARY_ID_CLAIM]: identity.libraryId } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setSubject(subjectOf(identity))
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${identity.ttlSeconds ?? DEFAULT_TTL_SECONDS}s`)
    .sign(key.privateKey);
};

export class InvalidTokenError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'InvalidTokenError';
  }
}

/** Verified tokens the local authorizer remembers (the most recent ones). */
const VERIFIED_TOKENS_KEPT = 1_000;

/**
 * Verifies like the API Gateway JWT authorizer: signature against our key (ES256 only, so
 * `alg: none` and HMAC confusion are refused), issuer, audience and expiry.
 *
 * A token that passed is remembered until it expires: an ECDSA verification costs the local
 * server's one thread about a millisecond per request, work that in AWS happens in API
 * Gateway, not in our functions, and would otherwise weigh on every local measurement of them.
 * Any other string, a tampered copy included, is verified in full; an expired one is refused.
 */
export const createTokenVerifier = (key: SigningKey) => {
  const publicKey = importJWK(key.publicJwk, ALGORITHM);
  const verified = new Map<string, JWTPayload & { exp: number }>();
  return async (token: string): Promise<JWTPayload> => {
    const known = verified.get(token);
    if (known && known.exp * 1000 > Date.now()) return known;
    verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, await publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'exp'],
      });
      const { exp } = payload;
      if (exp !== undefined) {
        if (verified.size >= VERIFIED_TOKENS_KEPT) {
          const oldest = verified.keys().next().value;
          if (oldest !== undefined) verified.delete(oldest);
        }
        verified.set(token, { ...payload, exp });
      }
      return payload;
    } catch (cause) {
      throw new InvalidTokenError('Token rejected', { cause });
    }
  };
};
