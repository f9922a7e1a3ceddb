import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportStorage } from '../../domain/rollup/model.js';
import { withStorageErrors } from '../storage-errors.js';
import { presignDownload } from './download-link.js';

const isMissing = (error: unknown) => {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/** The reports bucket: rollup files, manifests and `latest` pointers, and links to them. */
export class S3ReportStorage implements ReportStorage {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await withStorageErrors(() =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.byteLength,
        }),
      ),
    );
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const object = await withStorageErrors(() =>
        this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      if (!object.Body) return undefined;
      return await object.Body.transformToString('utf-8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Saved under the file's own name, not the run prefix. */
  async presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    return presignDownload(this.client, this.bucket, key, fileName, expiresInSeconds);
  }
}
