import { type App, type Environment, Tags } from 'aws-cdk-lib';
import { ApiStack } from './api-stack.js';
import { provinceOf, SERVICE_NAME } from './settings.js';
import { StatefulStack } from './stateful-stack.js';
import { WebStack } from './web-stack.js';

export const STATEFUL_STACK_NAME = 'CountyLibraryReportsStateful';
export const API_STACK_NAME = 'CountyLibraryReportsApi';
export const WEB_STACK_NAME = 'CountyLibraryReportsWeb';

/**
 * The stacks of the app; shared by infra/app.ts and the infrastructure tests. References only
 * point forward (web → api → stateful), so no stack ever waits on a later one.
 */
export const createStacks = (app: App, env?: Environment) => {
  const province = provinceOf(app);
  // Every resource says which application and which province's deployment it belongs to.
  Tags.of(app).add('application', SERVICE_NAME);
  Tags.of(app).add('province', province.code);
  const stateful = new StatefulStack(app, STATEFUL_STACK_NAME, {
    env,
    description: `County library reports, province ${province.code}: table, buckets and user pool (retained)`,
  });
  const api = new ApiStack(app, API_STACK_NAME, {
    env,
    description: `County library reports, province ${province.code}: HTTP API, functions and alarms`,
    table: stateful.table,
    evidenceBucket: stateful.evidenceBucket,
    reportsBucket: stateful.reportsBucket,
    userPool: stateful.userPool,
    webClient: stateful.webClient,
  });
  const web = new WebStack(app, WEB_STACK_NAME, {
    env,
    description: `County library reports, province ${province.code}: web app and /api on CloudFront`,
    api: api.api,
    webClient: stateful.webClient,
    userPoolDomainHost: stateful.userPoolDomainHost,
    evidenceBucket: stateful.evidenceBucket,
    reportsBucket: stateful.reportsBucket,
  });
  return { stateful, api, web };
};
