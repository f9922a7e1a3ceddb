import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { UploadTicket } from '../../domain/evidence/model.js';
import { withStorageErrors } from '../storage-errors.js';
import { S3EvidenceStorage } from './evidence-storage.js';

/** The evidence bucket with presigned POST uploads too: everything the evidence service asks. */
export class S3EvidenceObjects extends S3EvidenceStorage {
  override async presignUpload(
    objectKey: string,
    contentType: string,
    maxBytes: number,
    expiresInSeconds: number,
  ): Promise<UploadTicket> {
    const { url, fields } = await withStorageErrors(() =>
      createPresignedPost(this.client, {
        Bucket: this.bucket,
        Key: objectKey,
        // S3 refuses an upload of another size, type or key than these.
        Conditions: [
          ['content-length-range', 1, maxBytes],
          ['eq', '$Content-Type', contentType],
          ['eq', '$key', objectKey],
        ],
        Fields: { 'Content-Type': contentType },
        Expires: expiresInSeconds,
      }),
    );
    return { url, fields, expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString() };
  }
}
