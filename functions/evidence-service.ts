/** The evidence service wired to DynamoDB and the evidence bucket, created once per function. */
import type { S3Client } from '@aws-sdk/client-s3';
import { positiveIntEnv, requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbEvidenceStore } from '../adapters/dynamodb/evidence-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { s3Client } from '../adapters/s3/client.js';
import { S3EvidenceStorage } from '../adapters/s3/evidence-storage.js';
import type { DetectContentType, EvidenceObjects } from '../domain/evidence/model.js';
import { EvidenceService } from '../domain/evidence/service.js';
import { resourceEnv } from '../infra/resources.js';
import { periodService } from './period-service.js';

const detectsNothing: DetectContentType = async () => {
  throw new Error('This function does not verify evidence (verify-evidence does)');
};

/**
 * Each evidence function passes only the pieces it uses, so the others stay out of its bundle:
 * presign-evidence the S3EvidenceObjects adapter, which presigns uploads
 * (@aws-sdk/s3-presigned-post); verify-evidence the magic-byte detector (file-type).
 */
export const createEvidenceService = ({
  Objects = S3EvidenceStorage,
  detectType = detectsNothing,
}: {
  Objects?: new (client: S3Client, bucket: string) => EvidenceObjects;
  detectType?: DetectContentType;
} = {}) => {
  const tableName = requireEnv(resourceEnv.tableName);
  return new EvidenceService({
    evidence: new DynamoDbEvidenceStore(documentClient, tableName),
    objects: new Objects(s3Client, requireEnv(resourceEnv.evidenceBucket)),
    detectType,
    submissions: new DynamoDbSubmissionStore(documentClient, tableName),
    periods: periodService,
    forms: formRegistry,
    limits: {
      maxBytes: positiveIntEnv('EVIDENCE_MAX_BYTES', 20 * 1024 * 1024),
      maxItemsPerReport: positiveIntEnv('EVIDENCE_MAX_ITEMS', 30),
    },
    now: () => new Date(),
  });
};
