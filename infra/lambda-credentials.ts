/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (infra/bundling.ts).
 * Every SDK client's default configuration imports that package's provider chain (SSO, INI
 * files, processes, web identity, containers, instance metadata and the STS and SSO clients
 * they need): about 130 KB that Node compiles at every cold start of every function. A Lambda
 * function always finds its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, which the chain's first link reads; this provider is that link alone.
 * The local stack and scripts run the sources, not the bundles, and keep the whole chain.
 */
import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);
