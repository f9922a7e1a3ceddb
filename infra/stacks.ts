import type { App, Environment } from 'aws-cdk-lib';
import { ApiStack } from './api-stack.js';
import { StatefulStack } from './stateful-stack.js';

export const STATEFUL_STACK_NAME = 'CountyLibraryReportsStateful';
export const API_STACK_NAME = 'CountyLibraryReportsApi';

/** Both stacks of the app; shared by infra/app.ts and the infrastructure tests. */
export const createStacks = (app: App, env?: Environment) => {
  const stateful = new StatefulStack(app, STATEFUL_STACK_NAME, {
    env,
    description: 'County library reports: table, buckets and user pool (retained)',
  });
  const api = new ApiStack(app, API_STACK_NAME, {
    env,
    description: 'County library reports: HTTP API and functions',
    table: stateful.table,
    evidenceBucket: stateful.evidenceBucket,
    reportsBucket: stateful.reportsBucket,
    userPool: stateful.userPool,
    webClient: stateful.webClient,
  });
  return { stateful, api };
};
