/**
 * Who may do what, in one table: every handler asks `authorize` before touching data, so
 * object-level rules (a library only its own reports) cannot be forgotten route by route.
 */
import { ForbiddenError } from '../errors.js';
import type { Principal, Role } from './principal.js';

export type Action =
  | 'submission:read'
  | 'submission:edit'
  | 'submission:review'
  | 'submission:reopen'
  | 'submissions:list'
  | 'period:read'
  | 'period:manage'
  | 'rollup:run'
  | 'rollup:read'
  | 'narrative:import';

interface Grant {
  roles: readonly Role[];
  /** For the library role: only its own libraryId. */
  ownLibraryOnly: boolean;
}

export const POLICY: Readonly<Record<Action, Grant>> = {
  'submission:read': { roles: ['library', 'province', 'admin'], ownLibraryOnly: true },
  'submission:edit': { roles: ['library'], ownLibraryOnly: true },
  'submission:review': { roles: ['province', 'admin'], ownLibraryOnly: false },
  'submission:reopen': { roles: ['admin'], ownLibraryOnly: false },
  'submissions:list': { roles: ['province', 'admin'], ownLibraryOnly: false },
  'period:read': { roles: ['library', 'province', 'admin'], ownLibraryOnly: false },
  'period:manage': { roles: ['admin'], ownLibraryOnly: false },
  'rollup:run': { roles: ['province', 'admin'], ownLibraryOnly: false },
  'rollup:read': { roles: ['province', 'admin'], ownLibraryOnly: false },
  // For the caller's own draft: the route names no library and nothing is read or stored.
  'narrative:import': { roles: ['library'], ownLibraryOnly: false },
};

export const isAllowed = (principal: Principal, action: Action, libraryId?: string): boolean => {
  const grant = POLICY[action];
  if (!grant.roles.includes(principal.role)) return false;
  if (principal.role === 'library' && grant.ownLibraryOnly)
    return principal.libraryId === libraryId;
  return true;
};

export const authorize = (principal: Principal, action: Action, libraryId?: string): void => {
  if (!isAllowed(principal, action, libraryId)) {
    throw new ForbiddenError({ zh: '无权执行此操作。', en: 'You are not allowed to do this.' });
  }
};
