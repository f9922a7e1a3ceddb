/**
 * Tokens the API must refuse (401), each broken in one way only, so that a refusal can only come
 * from the check that one break defeats: expired, wrong audience, wrong issuer, a payload changed
 * after signing, `alg: none`, and a signature by a key that is not the issuer's.
 */
import { generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { GROUPS_CLAIM, LIBRARY_ID_CLAIM, type Role } from '../../domain/auth/principal.js';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateSigningKey,
  type SigningKey,
} from '../../local/jwt.js';

export type BrokenTokenKind =
  | 'expired token'
  | 'wrong audience'
  | 'wrong issuer'
  | 'tampered payload'
  | 'alg none'
  | 'another key';

export const BROKEN_TOKEN_KINDS: readonly BrokenTokenKind[] = [
  'expired token',
  'wrong audience',
  'wrong issuer',
  'tampered payload',
  'alg none',
  'another key',
];

interface Identity {
  role: Role;
  libraryId?: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The claims the local issuer would put in a valid token of this identity. */
const claimsOf = ({ role, libraryId }: Identity): JWTPayload => ({
  [GROUPS_CLAIM]: [role],
  'cognito:username': libraryId ? `${role}-${libraryId}` : role,
  token_use: 'id',
  auth_time: nowSeconds(),
  ...(libraryId ? { [LIBRARY_ID_CLAIM]: libraryId } : {}),
});

interface SignOptions {
  key: SigningKey['privateKey'];
  kid: string;
  issuer?: string;
  audience?: string;
  issuedAt?: number;
  expiresAt?: number;
}

const sign = (identity: Identity, subject: string, options: SignOptions) =>
  new SignJWT(claimsOf(identity))
    .setProtectedHeader({ alg: 'ES256', kid: options.kid, typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(options.issuedAt ?? nowSeconds())
    .setExpirationTime(options.expiresAt ?? nowSeconds() + 3600)
    .sign(options.key);

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const decodeSegment = (segment: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * A token signed by the real key whose payload is then rewritten (the signature kept): the way a
 * library would try to pass as another one.
 */
export const withTamperedPayload = (token: string, changes: Record<string, unknown>): string => {
  const [header, payload, signature] = token.split('.');
  return [header, base64url({ ...decodeSegment(payload), ...changes }), signature].join('.');
};

/** The payload of a token, unverified (for tests that check what a broken token claims). */
export const payloadOf = (token: string) => decodeSegment(token.split('.')[1]);

export interface HostileTokens {
  /**
   * Made exactly like the broken ones, with nothing broken: accepted, it shows that each broken
   * token is refused for its one break and not for something the helper got wrong.
   */
  control: string;
  broken: Record<BrokenTokenKind, string>;
}

/**
 * One token of every broken kind. `victim` is whose data the token reaches for: the tampered,
 * unsigned and foreign-key tokens claim to be it; `attacker` is the library whose genuine token
 * is tampered with. The expired token is an administrator's, the strongest role, so that only
 * its expiry can keep it out.
 */
export const brokenTokens = async (
  dataDir: string,
  victim: Identity,
  attacker: Identity & { token: string },
): Promise<HostileTokens> => {
  const key = await loadOrCreateSigningKey(dataDir);
  const stranger = await generateKeyPair('ES256');
  const subject = `broken-${victim.role}-${victim.libraryId ?? 'any'}`;
  const expiresAt = nowSeconds() + 3600;
  const broken: Record<BrokenTokenKind, string> = {
    'expired token': await sign({ role: 'admin' }, 'expired-admin', {
      key: key.privateKey,
      kid: key.kid,
      issuedAt: nowSeconds() - 7200,
      expiresAt: nowSeconds() - 60,
    }),
    'wrong audience': await sign(victim, subject, {
      key: key.privateKey,
      kid: key.kid,
      audience: 'some-other-app',
    }),
    'wrong issuer': await sign(victim, subject, {
      key: key.privateKey,
      kid: key.kid,
      issuer: 'https://evil.example',
    }),
    'tampered payload': withTamperedPayload(attacker.token, {
      ...(victim.libraryId ? { [LIBRARY_ID_CLAIM]: victim.libraryId } : {}),
    }),
    'alg none': [
      base64url({ alg: 'none', typ: 'JWT' }),
      base64url({
        ...claimsOf(victim),
        sub: subject,
        iss: LOCAL_ISSUER,
        aud: LOCAL_AUDIENCE,
        iat: nowSeconds(),
        exp: expiresAt,
      }),
      '',
    ].join('.'),
    // Same `kid` as the issuer's key: the verifier must check the signature, not the label.
    'another key': await sign(victim, subject, {
      key: stranger.privateKey,
      kid: key.kid,
      expiresAt,
    }),
  };
  return {
    control: await sign(victim, subject, { key: key.privateKey, kid: key.kid, expiresAt }),
    broken,
  };
};
