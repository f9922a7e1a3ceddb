import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** RFC 5987 ext-value characters: encodeURIComponent leaves ' ( ) * as they are. */
const extValue = (text: string) =>
  encodeURIComponent(text).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** The plain `filename` for clients without RFC 5987: printable ASCII, quotes and `\` left out. */
const asciiName = (text: string) => text.replace(/[^\x20-\x7e]|["\\]/g, '_');

/**
 * `Content-Disposition` that saves a download under `fileName` (RFC 6266): `filename*` keeps the
 * original, often Chinese, name; `filename` is the fallback for older clients.
 */
export const attachmentDisposition = (fileName: string) =>
  `attachment; filename="${asciiName(fileName)}"; filename*=UTF-8''${extValue(fileName)}`;

/** A time-limited GET link to one object that the browser saves under `fileName`. */
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
      ResponseContentDisposition: attachmentDisposition(fileName),
    }),
    { expiresIn: expiresInSeconds },
  );
