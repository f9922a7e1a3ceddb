/**
 * cdk-nag: the AwsSolutions and Serverless rule packs check every synth (infra/app.ts) and the
 * infrastructure tests. A finding is either fixed or acknowledged beside the resource it concerns,
 * with its reason; these helpers only name the findings.
 */
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
// The function cdk-nag itself uses to name a finding's resource, so ids built here match its own.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Registers both packs as validation plugins: synth fails on any unacknowledged finding. */
export const applyNagPacks = (app: App): NagPack[] => {
  const packs = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
  Validations.of(app).addPlugins(...packs);
  return packs;
};

/** Acknowledges one finding on a construct and everything under it. */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id, reason });
};

/** The finding of a wildcard resource in an IAM policy, as cdk-nag names it. */
export const wildcardResourceFinding = (scope: IConstruct, resource: string): string =>
  `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;

/**
 * Acknowledges a wildcard resource that refers to another stack. cdk-nag names the finding after
 * the reference's final form (`Fn::GetStackOutput`), which exists only once the app is prepared
 * for synthesis; construct validations run after that, so the finding is named there.
 */
export const acknowledgeCrossStackWildcard = (
  scope: IConstruct,
  resource: string,
  reason: string,
): void => {
  let acknowledged = false;
  scope.node.addValidation({
    validate: () => {
      if (!acknowledged) acknowledge(scope, wildcardResourceFinding(scope, resource), reason);
      acknowledged = true;
      return [];
    },
  });
};

/** The finding of a wildcard action (e.g. `s3:List*`) in an IAM policy. */
export const wildcardActionFinding = (action: string): string =>
  `AwsSolutions-IAM5[Action::${action}]`;

/** The AWS-managed policy that CDK attaches to the roles of its own Lambda handlers. */
export const LAMBDA_BASIC_EXECUTION_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
