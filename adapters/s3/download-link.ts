import type { ObjectAddress, S3ObjectClient } from './client.js';

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
  client: S3ObjectClient,
  address: ObjectAddress,
  fileName: string,
  expiresInSeconds: number,
): Promise<string> =>
  client.presignGet(
    address,
    { 'response-content-disposition': attachmentDisposition(fileName) },
    expiresInSeconds,
  );
