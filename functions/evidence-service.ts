/** The evidence service wired to DynamoDB and the evidence bucket, created once. */
import { positiveIntEnv, requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbEvidenceStore } from '../adapters/dynamodb/evidence-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { formRegistry } from '../adapters/form-catalog.js';
import { s3Client } from '../adapters/s3/client.js';
import { S3EvidenceObjects } from '../adapters/s3/evidence-objects.js';
import { EvidenceService } from '../domain/evidence/service.js';
import { resourceEnv } from '../infra/resources.js';
import { periodService } from './submission-services.js';

const tableName = requireEnv(resourceEnv.tableName);

export const evidenceService = new EvidenceService({
  evidence: new DynamoDbEvidenceStore(documentClient, tableName),
  objects: new S3EvidenceObjects(s3Client, requireEnv(resourceEnv.evidenceBucket)),
  submissions: new DynamoDbSubmissionStore(documentClient, tableName),
  periods: periodService,
  forms: formRegistry,
  limits: {
    maxBytes: positiveIntEnv('EVIDENCE_MAX_BYTES', 20 * 1024 * 1024),
    maxItemsPerReport: positiveIntEnv('EVIDENCE_MAX_ITEMS', 30),
  },
  now: () => new Date(),
});
