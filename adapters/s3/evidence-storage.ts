import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { EvidenceObjects, StoredObject, UploadTicket } from '../../domain/evidence/model.js';
import { EVIDENCE_DELETED_TAG } from '../../infra/resources.js';
import { withStorageErrors } from '../storage-errors.js';
import { presignDownload } from './download-link.js';

/**
 * The evidence bucket for the functions that read, delete, tag and link to evidence. Only
 * presign-evidence creates upload links: it uses S3EvidenceObjects, which adds them, so
 * @aws-sdk/s3-presigned-post is bundled there alone.
 */
export class S3EvidenceStorage implements EvidenceObjects {
  constructor(
    protected readonly client: S3Client,
    protected readonly bucket: string,
  ) {}

  async presignUpload(
    _objectKey: string,
    _contentType: string,
    _maxBytes: number,
    _expiresInSeconds: number,
  ): Promise<UploadTicket> {
    throw new Error('This function does not presign evidence uploads (S3EvidenceObjects does)');
  }

  async size(objectKey: string): Promise<number | undefined> {
    try {
      const head = await withStorageErrors(() =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey })),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound')
        return undefined;
      throw error;
    }
  }

  async read(objectKey: string): Promise<StoredObject> {
    const object = await withStorageErrors(() =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey })),
    );
    if (!object.Body || !object.ETag) throw new Error(`Object ${objectKey} has no body or ETag`);
    return { body: object.Body as AsyncIterable<Uint8Array>, version: object.ETag };
  }

  async copy(uploadKey: string, objectKey: string, version: string): Promise<boolean> {
    try {
      await withStorageErrors(() =>
        this.client.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            // `bucket/key`, URL-encoded with the key's slashes kept as they are.
            CopySource: encodeURI(`${this.bucket}/${uploadKey}`),
            // Only the bytes that were checked: S3 refuses the copy (412) if the upload changed.
            CopySourceIfMatch: version,
            Key: objectKey,
          }),
        ),
      );
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'PreconditionFailed' || name === 'NoSuchKey') return false;
      throw error;
    }
    return true;
  }

  async delete(objectKey: string): Promise<void> {
    await withStorageErrors(() =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey })),
    );
  }

  async markDeleted(objectKey: string): Promise<void> {
    try {
      await withStorageErrors(() =>
        this.client.send(
          new PutObjectTaggingCommand({
            Bucket: this.bucket,
            Key: objectKey,
            // A lifecycle rule of the evidence bucket expires objects with this tag.
            Tagging: { TagSet: [{ ...EVIDENCE_DELETED_TAG }] },
          }),
        ),
      );
    } catch (error) {
      // Evidence deleted before its upload finished has no object to mark.
      if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
    }
  }

  async presignDownload(
    objectKey: string,
    fileName: string,
    expiresInSeconds: number,
  ): Promise<string> {
    return presignDownload(this.client, this.bucket, objectKey, fileName, expiresInSeconds);
  }
}
