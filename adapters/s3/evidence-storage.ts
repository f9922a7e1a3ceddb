import type { EvidenceObjects, StoredObject, UploadTicket } from '../../domain/evidence/model.js';
import { EVIDENCE_DELETED_TAG } from '../../infra/resources.js';
import { withStorageErrors } from '../storage-errors.js';
import { isMissingObject, type S3ObjectClient } from './client.js';
import { presignDownload } from './download-link.js';

/** The evidence bucket: upload links, and reading, copying, deleting, tagging and linking to objects. */
export class S3EvidenceStorage implements EvidenceObjects {
  constructor(
    private readonly client: S3ObjectClient,
    private readonly bucket: string,
  ) {}

  async presignUpload(
    objectKey: string,
    contentType: string,
    maxBytes: number,
    expiresInSeconds: number,
  ): Promise<UploadTicket> {
    const { url, fields } = await withStorageErrors(() =>
      this.client.presignPost(
        { Bucket: this.bucket, Key: objectKey },
        {
          // S3 refuses an upload of another size, type or key than these.
          conditions: [
            ['content-length-range', 1, maxBytes],
            ['eq', '$Content-Type', contentType],
            ['eq', '$key', objectKey],
          ],
          fields: { 'Content-Type': contentType },
          expiresInSeconds,
        },
      ),
    );
    return { url, fields, expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString() };
  }

  async size(objectKey: string): Promise<number | undefined> {
    try {
      const head = await withStorageErrors(() =>
        this.client.send('HeadObject', { Bucket: this.bucket, Key: objectKey }),
      );
      return head.contentLength;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async read(objectKey: string): Promise<StoredObject> {
    const object = await withStorageErrors(() =>
      this.client.send('GetObject', { Bucket: this.bucket, Key: objectKey }),
    );
    if (!object.etag) {
      object.body.destroy();
      throw new Error(`Object ${objectKey} has no ETag`);
    }
    return { body: object.body, version: object.etag };
  }

  async copy(uploadKey: string, objectKey: string, version: string): Promise<boolean> {
    try {
      await withStorageErrors(() =>
        this.client.send('CopyObject', {
          Bucket: this.bucket,
          // `bucket/key`, URL-encoded with the key's slashes kept as they are.
          CopySource: encodeURI(`${this.bucket}/${uploadKey}`),
          // Only the bytes that were checked: S3 refuses the copy (412) if the upload changed.
          CopySourceIfMatch: version,
          Key: objectKey,
        }),
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
      this.client.send('DeleteObject', { Bucket: this.bucket, Key: objectKey }),
    );
  }

  async markDeleted(objectKey: string): Promise<void> {
    try {
      await withStorageErrors(() =>
        this.client.send('PutObjectTagging', {
          Bucket: this.bucket,
          Key: objectKey,
          // A lifecycle rule of the evidence bucket expires objects with this tag.
          TagSet: [EVIDENCE_DELETED_TAG],
        }),
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
    return presignDownload(
      this.client,
      { Bucket: this.bucket, Key: objectKey },
      fileName,
      expiresInSeconds,
    );
  }
}
