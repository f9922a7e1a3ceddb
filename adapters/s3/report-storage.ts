import type { ReportStorage } from '../../domain/rollup/model.js';
import { readText } from '../aws/sigv4-client.js';
import { withStorageErrors } from '../storage-errors.js';
import { isMissingObject, type S3ObjectClient } from './client.js';
import { presignDownload } from './download-link.js';

/** The reports bucket: rollup files, manifests and `latest` pointers, and links to them. */
export class S3ReportStorage implements ReportStorage {
  constructor(
    private readonly client: S3ObjectClient,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await withStorageErrors(() =>
      this.client.send('PutObject', {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const object = await withStorageErrors(() =>
        this.client.send('GetObject', { Bucket: this.bucket, Key: key }),
      );
      return await readText(object.body);
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  /** Saved under the file's own name, not the run prefix. */
  async presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    return presignDownload(
      this.client,
      { Bucket: this.bucket, Key: key },
      fileName,
      expiresInSeconds,
    );
  }
}
