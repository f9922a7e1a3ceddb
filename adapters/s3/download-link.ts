import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * A time-limited GET link to one object that the browser saves under `fileName` (RFC 6266/5987:
 * the original, often Chinese, name survives the download instead of the object key).
 */
export const presignDownload = (
  client: S3Client,
  bucket: string,
  objectKey: string,
  fileName: string,
  expiresInSeconds: number,
): Promise<string> =>
  getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: bucket,
      Key: objectKey,
      ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    }),
    { expiresIn: expiresInSeconds },
  );
