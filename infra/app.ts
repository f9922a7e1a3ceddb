import { App } from 'aws-cdk-lib';
import { applyNagPacks } from './nag.js';
import { createStacks } from './stacks.js';

const app = new App();
// cdk-nag's AwsSolutions and Serverless packs: synth fails on any unacknowledged finding.
applyNagPacks(app);
// Without credentials (offline synth) both are unset and the stacks stay environment-agnostic.
createStacks(app, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
app.synth();
