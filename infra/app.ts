import { App } from 'aws-cdk-lib';
import { createStacks } from './stacks.js';

const app = new App();
// Without credentials (offline synth) both are unset and the stacks stay environment-agnostic.
createStacks(app, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
app.synth();
