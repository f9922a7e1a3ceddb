import { Logger } from '@aws-lambda-powertools/logger';
import { sourceMappedErrors } from './source-mapped-stack.js';

/**
 * One structured JSON logger for every function; level from POWERTOOLS_LOG_LEVEL. Logged errors'
 * stacks name the TypeScript sources, through the bundle's source map, read only then.
 */
export const logger = new Logger({
  serviceName: 'county-library-reports',
  jsonReplacerFn: sourceMappedErrors,
});
