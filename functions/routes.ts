/**
 * The API's route table: the single source for the CDK HTTP API and the local HTTP server, so
 * the two cannot disagree about which handler serves which path or which routes need a token.
 * Plain data: importing it loads no handler code.
 */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** What a function may do with the table; CDK turns it into least-privilege grants. */
export type TableAccess = 'none' | 'read' | 'readWrite';

export interface FunctionDefinition {
  /** Kebab-case file name under functions/, exporting `handler`. */
  entry: string;
  table: TableAccess;
  description: string;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway route path, with `{name}` path parameters. */
  path: string;
  function: FunctionDefinition['entry'];
  /** `jwt`: behind the JWT authorizer; `public`: anyone, no token. */
  auth: 'jwt' | 'public';
}

export const functions = [
  { entry: 'health', table: 'read', description: 'Readiness of the API and its table' },
  { entry: 'list-libraries', table: 'read', description: 'Library registry, filtered by role' },
  { entry: 'list-forms', table: 'none', description: 'Active forms' },
  { entry: 'get-form', table: 'none', description: 'Compiled UI model of one form' },
] as const satisfies readonly FunctionDefinition[];

export type FunctionEntry = (typeof functions)[number]['entry'];

export const routes: readonly (RouteDefinition & { function: FunctionEntry })[] = [
  { method: 'GET', path: '/api/health', function: 'health', auth: 'public' },
  { method: 'GET', path: '/api/libraries', function: 'list-libraries', auth: 'jwt' },
  { method: 'GET', path: '/api/forms', function: 'list-forms', auth: 'jwt' },
  { method: 'GET', path: '/api/forms/{formId}', function: 'get-form', auth: 'jwt' },
];
