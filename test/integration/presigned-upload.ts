/** A presigned POST upload as the browser sends it, for tests that upload evidence themselves. */

/** What the evidence API answers to a presign: where to POST, and the policy's fields. */
export interface UploadTicket {
  url: string;
  fields: Record<string, string>;
}

/** Every field of the ticket, then the file last; fails unless S3 took the upload. */
export const uploadTo = async (ticket: UploadTicket, bytes: Uint8Array, fileName: string) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append(
    'file',
    new Blob([new Uint8Array(bytes)], { type: ticket.fields['Content-Type'] }),
    fileName,
  );
  const response = await fetch(ticket.url, { method: 'POST', body: form });
  const text = await response.text();
  if (![200, 201, 204].includes(response.status)) {
    throw new Error(`upload: ${response.status} ${text}`);
  }
};
