import * as z from 'zod/mini';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

export const Role = z.enum(['library', 'province', 'admin']);
export type Role = z.infer<typeof Role>;

export const LibraryId = z.string().check(z.regex(/^\d{6}$/));
export type LibraryId = z.infer<typeof LibraryId>;

/** The signed-in caller, derived from verified token claims. */
export type Principal =
  | { subject: string; role: 'library'; libraryId: LibraryId }
  | { subject: string; role: 'province' | 'admin' };

/** Claim names as Cognito writes them into ID tokens. */
export const GROUPS_CLAIM = 'cognito:groups';
export const LIBRARY_ID_CLAIM = 'custom:libraryId';

/** The strongest role wins when a user is in several groups. */
const ROLE_PRECEDENCE: readonly Role[] = ['admin', 'province', 'library'];

/** The role a user in these groups acts as; groups that are no role are ignored. */
export const strongestRole = (groups: readonly string[]): Role | undefined =>
  ROLE_PRECEDENCE.find((candidate) => groups.includes(candidate));

/**
 * Group claims arrive as a JSON array from a decoded token, but API Gateway's JWT authorizer
 * stringifies every claim, arrays as `[a b]`; accept both.
 */
export const parseGroups = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.filter((group) => typeof group === 'string');
  if (typeof value !== 'string') return [];
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return inner.split(/[\s,]+/).filter(Boolean);
};

export const principalFromClaims = (
  claims: Readonly<Record<string, unknown>> | undefined,
): Principal => {
  const subject = claims?.sub;
  if (typeof subject !== 'string' || subject === '') {
    throw new UnauthorizedError({ zh: '请先登录。', en: 'Sign-in required.' });
  }
  const role = strongestRole(parseGroups(claims?.[GROUPS_CLAIM]));
  if (role === undefined) {
    throw new ForbiddenError({
      zh: '该账号未分配角色，请联系管理员。',
      en: 'This account has no role; ask an administrator.',
    });
  }
  if (role !== 'library') return { subject, role };
  const libraryId = LibraryId.safeParse(claims?.[LIBRARY_ID_CLAIM]);
  if (!libraryId.success) {
    throw new ForbiddenError({
      zh: '该图书馆账号未绑定馆代码，请联系管理员。',
      en: 'This library account is not bound to a library code; ask an administrator.',
    });
  }
  return { subject, role, libraryId: libraryId.data };
};

/** Province staff and administrators see every library; a library only itself. */
export const canReadLibrary = (principal: Principal, libraryId: string): boolean =>
  principal.role !== 'library' || principal.libraryId === libraryId;
