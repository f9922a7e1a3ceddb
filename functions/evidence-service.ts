/** The evidence service wired to DynamoDB and the evidence bucket, created once per function. */
import { positiveIntEnv, requireEnv } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbEvidenceStore } from '../adapters/dynamodb/evidence-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { s3Client } from '../adapters/s3/client.js';
import { S3EvidenceStorage } from '../adapters/s3/evidence-storage.js';
import type { DetectContentType } from '../domain/evidence/model.js';
import { EvidenceService, type EvidenceServiceDeps } from '../domain/evidence/service.js';
import { resourceEnv } from '../infra/resources.js';

const detectsNothing: DetectContentType = async () => {
  throw new Error('This function does not verify evidence (verify-evidence does)');
};

const editsNothing = (): never => {
  throw new Error('This function does not edit or list evidence (verify-evidence)');
};

/** Verification checks uploaded bytes against their item; it looks up no form or window. */
const noReports: Pick<EvidenceServiceDeps, 'forms' | 'periods'> = {
  forms: { get: editsNothing },
  periods: { assertLibraryMayWrite: async () => editsNothing() },
};

/**
 * Each evidence function passes only the pieces it uses, so the others stay out of its bundle:
 * verify-evidence the magic-byte detector (file-type); the functions that edit or list
 * evidence the forms and windows (`evidenceReports`), which verify-evidence does without.
 */
export const createEvidenceService = ({
  detectType = detectsNothing,
  reports = noReports,
}: {
  detectType?: DetectContentType;
  reports?: Pick<EvidenceServiceDeps, 'forms' | 'periods'>;
} = {}) => {
  const tableName = requireEnv(resourceEnv.tableName);
  return new EvidenceService({
    evidence: new DynamoDbEvidenceStore(documentClient, tableName),
    objects: new S3EvidenceStorage(s3Client, requireEnv(resourceEnv.evidenceBucket)),
    detectType,
    submissions: new DynamoDbSubmissionStore(documentClient, tableName),
    ...reports,
    limits: {
      maxBytes: positiveIntEnv('EVIDENCE_MAX_BYTES', 20 * 1024 * 1024),
      maxItemsPerReport: positiveIntEnv('EVIDENCE_MAX_ITEMS', 30),
    },
    now: () => new Date(),
  });
};
