/**
 * Evidence through HTTP against the local stack: presign, the browser's multipart POST straight
 * to the bucket (s3rver), verification on complete, download links, idempotent and concurrent
 * completes, duplicates, the limits, authorization, deletion and history. s3rver does not
 * enforce POST policies, so these tests read the policy itself and show that verification
 * catches what S3 would have refused. Libraries 1406xx and 140681, period 2026 (open); period
 * 2044, which no other test file uses, locks minutes after the administrator opens it here.
 */

import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { pngImage } from '../fixtures/png.js';
import { uploadTo } from './presigned-upload.js';
import { answerJson, api, s3Client, sendJson, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const PERIOD = '2026';
const MAX_BYTES = 20 * 1024 * 1024;
const UPLOAD_SECONDS = 10 * 60;

interface Localized {
  zh: string;
  en: string;
}

interface Problem {
  status: number;
  message: Localized;
  errors?: { path: string; code: string; message: Localized }[];
}

interface Evidence {
  libraryId: string;
  formId: string;
  period: string;
  evidenceId: string;
  fileName: string;
  contentType: string;
  size: number;
  sectionKey?: string;
  caption?: string;
  objectKey: string;
  uploadKey?: string;
  status: 'pending' | 'verified' | 'rejected' | 'deleted';
  createdAt: string;
  verifiedAt?: string;
  sha256?: string;
  actualSize?: number;
  duplicateOf?: string;
  rejection?: { code: string; message: Localized };
  downloadUrl?: string;
}

interface Upload {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

interface Presigned {
  evidence: Evidence;
  upload: Upload;
}

interface PresignBody {
  fileName: string;
  contentType: string;
  size: number;
  sectionKey?: string;
  caption?: string;
}

// ---------------------------------------------------------------------------------------------
// Real files, built here

/** A minimal valid one-page PDF with a correct cross-reference table. */
const minimalPdf = (text: string): Buffer => {
  const content = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
};

/** The start of a JFIF JPEG: enough for any magic-byte check. */
const jpegBytes = (): Buffer =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
  ]);

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// ---------------------------------------------------------------------------------------------
// HTTP helpers

const reportPath = (libraryId: string) =>
  `/api/libraries/${libraryId}/submissions/${FORM}/${PERIOD}`;
const evidencePath = (libraryId: string, evidenceId?: string) =>
  `${reportPath(libraryId)}/evidence${evidenceId ? `/${evidenceId}` : ''}`;

const HAN = /\p{Script=Han}/u;

const expectProblem = async (response: Response, status: number): Promise<Problem> => {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`expected problem ${status}, got ${response.status}: ${text}`);
  }
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(text).not.toMatch(/at .*\.(ts|js):\d+|Exception|stack|DynamoDB|LIB#|EVID#/);
  const body = JSON.parse(text) as Problem;
  expect(body.status).toBe(status);
  expect(body.message.zh).toMatch(HAN);
  return body;
};

const pathsOf = (problem: Problem) => (problem.errors ?? []).map((error) => error.path);

/** Saves the first draft (revision 1), which evidence needs. */
const createDraft = async (libraryId: string, token: string) =>
  answerJson(
    await sendJson(reportPath(libraryId), 'PUT', token, { values: {}, expectedRevision: 0 }),
    201,
  );

/** Saves the full fixture report over `expectedRevision` and submits it, explaining warnings. */
const submitReport = async (libraryId: string, token: string, expectedRevision: number) => {
  const saved = await answerJson<{ revision: number }>(
    await sendJson(reportPath(libraryId), 'PUT', token, {
      values: wuxiangReport2025(),
      expectedRevision,
    }),
    200,
  );
  let response = await sendJson(`${reportPath(libraryId)}/submit`, 'POST', token, {
    expectedRevision: saved.revision,
  });
  if (response.status === 422) {
    // Warnings need explanations; errors would be a broken fixture.
    const problem = (await response.json()) as Problem;
    const paths = pathsOf(problem);
    expect(paths.every((path) => path.startsWith('explanations.'))).toBe(true);
    response = await sendJson(`${reportPath(libraryId)}/submit`, 'POST', token, {
      expectedRevision: saved.revision,
      explanations: Object.fromEntries(
        paths.map((path) => [path.slice('explanations.'.length), '已核对。']),
      ),
    });
  }
  return answerJson<{ status: string; revision: number }>(response, 200);
};

const presign = (libraryId: string, token: string, body: unknown) =>
  sendJson(evidencePath(libraryId), 'POST', token, body);

const presigned = async (libraryId: string, token: string, body: PresignBody) =>
  answerJson<Presigned>(await presign(libraryId, token, body), 201);

const complete = (libraryId: string, token: string, evidenceId: string) =>
  api(`${evidencePath(libraryId, evidenceId)}/complete`, { method: 'POST', token });

const list = async (libraryId: string, token: string, revision?: number) =>
  (
    await answerJson<{ items: Evidence[] }>(
      await api(`${evidencePath(libraryId)}${revision ? `?revision=${revision}` : ''}`, { token }),
      200,
    )
  ).items;

/** Presign, upload and complete: the item as verification left it. */
const attach = async (
  libraryId: string,
  token: string,
  bytes: Uint8Array,
  meta: Omit<PresignBody, 'size'> & { size?: number },
) => {
  const ticket = await presigned(libraryId, token, { ...meta, size: meta.size ?? bytes.length });
  await uploadTo(ticket.upload, bytes, meta.fileName);
  const item = await answerJson<Evidence>(
    await complete(libraryId, token, ticket.evidence.evidenceId),
    200,
  );
  return { ticket, item };
};

const bucket = (): string =>
  (
    JSON.parse(readFileSync(join(stack.dataDir, 'stack.json'), 'utf8')) as {
      buckets: { evidence: string };
    }
  ).buckets.evidence;

const s3 = s3Client();
afterAll(() => s3.destroy());

const objectExists = async (objectKey: string): Promise<boolean> => {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: objectKey }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
};

/** Where the browser uploads: never the key downloads read. */
const uploadKeyOf = (item: Evidence): string => {
  if (item.uploadKey === undefined) throw new Error(`${item.evidenceId} has no upload key`);
  return item.uploadKey;
};

const decodePolicy = (upload: Upload) =>
  JSON.parse(Buffer.from(upload.fields.Policy ?? '', 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };

// ---------------------------------------------------------------------------------------------

describe('uploading real files through the presigned POST', () => {
  const LIB = '140602';
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
    await createDraft(LIB, token);
  });

  it('presigns a POST whose policy holds the upload to size, type and key for 10 minutes', async () => {
    const before = Date.now();
    const { evidence, upload } = await presigned(LIB, token, {
      fileName: '馆舍外景.png',
      contentType: 'image/png',
      size: 4321,
      sectionKey: 'profile',
      caption: '新馆外景',
    });
    const after = Date.now();
    const objectKey = `evidence/${LIB}/${FORM}/${PERIOD}/${evidence.evidenceId}`;
    const uploadKey = `uploads/${LIB}/${FORM}/${PERIOD}/${evidence.evidenceId}`;
    expect(evidence).toMatchObject({
      libraryId: LIB,
      formId: FORM,
      period: PERIOD,
      evidenceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      fileName: '馆舍外景.png',
      contentType: 'image/png',
      size: 4321,
      sectionKey: 'profile',
      caption: '新馆外景',
      objectKey,
      uploadKey,
      status: 'pending',
    });
    expect(upload.fields).toMatchObject({ key: uploadKey, 'Content-Type': 'image/png' });
    expect(upload.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);

    const policy = decodePolicy(upload);
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 4321]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'image/png']);
    expect(policy.conditions).toContainEqual(['eq', '$key', uploadKey]);
    const expiration = Date.parse(policy.expiration);
    // Whole seconds, from the SDK's skew-corrected clock (the emulator's Date header has whole
    // seconds too): up to two seconds short of exactly ten minutes.
    expect(expiration).toBeGreaterThanOrEqual(before + UPLOAD_SECONDS * 1000 - 2_500);
    expect(expiration).toBeLessThanOrEqual(after + UPLOAD_SECONDS * 1000);
    expect(Math.abs(Date.parse(upload.expiresAt) - expiration)).toBeLessThan(3_000);
  });

  it('a real PNG: uploaded, verified with its sha256, downloaded byte for byte', async () => {
    const png = pngImage({ note: 'round trip' });
    const fileName = '活动照片.png';
    const { ticket, item } = await attach(LIB, token, png, {
      fileName,
      contentType: 'image/png',
      sectionKey: 'activities',
    });
    expect(item).toMatchObject({
      evidenceId: ticket.evidence.evidenceId,
      status: 'verified',
      sha256: sha256Of(png),
      actualSize: png.length,
      verifiedAt: expect.any(String),
    });
    expect(item.duplicateOf).toBeUndefined();
    expect(item.rejection).toBeUndefined();
    // Copied to the key downloads read; the upload itself is gone.
    expect(await objectExists(item.objectKey)).toBe(true);
    expect(await objectExists(uploadKeyOf(item))).toBe(false);

    const listed = (await list(LIB, token)).find((entry) => entry.evidenceId === item.evidenceId);
    expect(listed).toMatchObject({ status: 'verified', sha256: sha256Of(png) });
    if (!listed?.downloadUrl) throw new Error('a verified item has no downloadUrl');
    const download = await fetch(listed.downloadUrl);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
    const disposition = download.headers.get('content-disposition');
    if (disposition !== null) {
      expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(fileName)}`);
      const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? '';
      expect(decodeURIComponent(encoded)).toBe(fileName);
    }
  });

  it('a real PDF: uploaded, verified, downloaded byte for byte', async () => {
    const pdf = minimalPdf('Annual report 2026');
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    const { item } = await attach(LIB, token, pdf, {
      fileName: '年度工作报告（盖章）.pdf',
      contentType: 'application/pdf',
      sectionKey: 'profile',
    });
    expect(item).toMatchObject({
      status: 'verified',
      sha256: sha256Of(pdf),
      actualSize: pdf.length,
    });
    const listed = (await list(LIB, token)).find((entry) => entry.evidenceId === item.evidenceId);
    if (!listed?.downloadUrl) throw new Error('a verified item has no downloadUrl');
    const download = await fetch(listed.downloadUrl);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('text bytes declared as image/png are rejected (type) and removed from the bucket', async () => {
    const text = Buffer.from('这不是图片 / not an image at all\n'.repeat(4), 'utf8');
    const { item } = await attach(LIB, token, text, {
      fileName: '照片.png',
      contentType: 'image/png',
    });
    expect(item).toMatchObject({
      status: 'rejected',
      actualSize: text.length,
      rejection: {
        code: 'type',
        message: { zh: expect.stringMatching(HAN), en: expect.any(String) },
      },
    });
    expect(item.sha256).toBeUndefined();
    expect(item.verifiedAt).toBeUndefined();
    expect(await objectExists(item.objectKey)).toBe(false);
    expect(await objectExists(uploadKeyOf(item))).toBe(false);
    const listed = (await list(LIB, token)).find((entry) => entry.evidenceId === item.evidenceId);
    expect(listed?.status).toBe('rejected');
    expect(listed?.downloadUrl).toBeUndefined();
  });

  it('a JPEG uploaded as PNG is rejected (type), naming what it really is', async () => {
    const { item } = await attach(LIB, token, jpegBytes(), {
      fileName: 'photo.png',
      contentType: 'image/png',
    });
    expect(item).toMatchObject({ status: 'rejected', rejection: { code: 'type' } });
    expect(item.rejection?.message.en).toContain('image/jpeg');
    expect(await objectExists(item.objectKey)).toBe(false);
    expect(await objectExists(uploadKeyOf(item))).toBe(false);
  });

  it('an object larger than declared, which S3 would refuse but s3rver lets in, is rejected (size)', async () => {
    const png = pngImage({ note: 'larger than declared' });
    const { item } = await attach(LIB, token, png, {
      fileName: 'big.png',
      contentType: 'image/png',
      size: png.length - 10,
    });
    expect(item).toMatchObject({
      status: 'rejected',
      size: png.length - 10,
      actualSize: png.length,
      rejection: { code: 'size' },
    });
    expect(await objectExists(item.objectKey)).toBe(false);
  });
});

describe('completing is idempotent', () => {
  const LIB = '140602';
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
  });

  it('an upload sent again after verification is deleted and never served', async () => {
    const png = pngImage({ note: `checked ${randomUUID()}` });
    const { ticket, item } = await attach(LIB, token, png, {
      fileName: 'checked.png',
      contentType: 'image/png',
    });
    expect(item.status).toBe('verified');
    // The link is valid for minutes more: other bytes sent with it (then S3's event, which
    // s3rver does not send: complete runs the same verification).
    const other = Buffer.from('MZ not a picture, sent after the check\n'.repeat(8));
    await uploadTo(ticket.upload, other, 'checked.png');
    expect(await answerJson<Evidence>(await complete(LIB, token, item.evidenceId), 200)).toEqual(
      item,
    );
    expect(await objectExists(uploadKeyOf(item))).toBe(false);
    const listed = (await list(LIB, token)).find((entry) => entry.evidenceId === item.evidenceId);
    if (!listed?.downloadUrl) throw new Error('a verified item has no downloadUrl');
    const download = await fetch(listed.downloadUrl);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
  });

  it('twice in a row: the same item, one verifiedAt', async () => {
    const png = pngImage({ note: `twice ${randomUUID()}` });
    const { ticket, item } = await attach(LIB, token, png, {
      fileName: 'twice.png',
      contentType: 'image/png',
    });
    expect(item.status).toBe('verified');
    const again = await answerJson<Evidence>(
      await complete(LIB, token, ticket.evidence.evidenceId),
      200,
    );
    expect(again).toEqual(item);
  });

  it('five concurrent completes of a good upload: all 200, verified, a single verifiedAt', async () => {
    const png = pngImage({ note: `concurrent ${randomUUID()}` });
    const { evidence, upload } = await presigned(LIB, token, {
      fileName: 'concurrent.png',
      contentType: 'image/png',
      size: png.length,
    });
    await uploadTo(upload, png, 'concurrent.png');
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => complete(LIB, token, evidence.evidenceId)),
    );
    const items = await Promise.all(
      responses.map((response) => answerJson<Evidence>(response, 200)),
    );
    expect(new Set(items.map((item) => item.status))).toEqual(new Set(['verified']));
    expect(new Set(items.map((item) => item.verifiedAt)).size).toBe(1);
    expect(new Set(items.map((item) => item.sha256))).toEqual(new Set([sha256Of(png)]));
    const after = await answerJson<Evidence>(await complete(LIB, token, evidence.evidenceId), 200);
    expect(after.verifiedAt).toBe(items[0]?.verifiedAt);
    expect(
      (await list(LIB, token)).filter((entry) => entry.evidenceId === evidence.evidenceId),
    ).toHaveLength(1);
  });

  it('five concurrent completes of a bad upload: all 200, rejected, the object gone', async () => {
    // Staggered by a few milliseconds, so that some completes start while another one is
    // rejecting and deleting the object; a few rounds, because that window is narrow.
    for (let round = 0; round < 6; round += 1) {
      const text = Buffer.from(`plain text ${randomUUID()}\n`.repeat(2_000));
      const { evidence, upload } = await presigned(LIB, token, {
        fileName: 'concurrent.pdf',
        contentType: 'application/pdf',
        size: text.length,
      });
      await uploadTo(upload, text, 'concurrent.pdf');
      const responses = await Promise.all(
        Array.from({ length: 5 }, async (_, index) => {
          await new Promise((resolve) => setTimeout(resolve, index * 10));
          return complete(LIB, token, evidence.evidenceId);
        }),
      );
      const items = await Promise.all(
        responses.map((response) => answerJson<Evidence>(response, 200)),
      );
      expect(new Set(items.map((item) => item.status))).toEqual(new Set(['rejected']));
      expect(new Set(items.map((item) => item.rejection?.code))).toEqual(new Set(['type']));
      expect(await objectExists(uploadKeyOf(evidence))).toBe(false);
    }
  });

  it('the same bytes uploaded twice by one library: the second is a duplicate of the first', async () => {
    const png = pngImage({ note: `duplicate ${randomUUID()}` });
    const first = await attach(LIB, token, png, { fileName: 'a.png', contentType: 'image/png' });
    const second = await attach(LIB, token, png, {
      fileName: 'b.png',
      contentType: 'image/png',
      sectionKey: 'activities',
    });
    expect(first.item.status).toBe('verified');
    expect(first.item.duplicateOf).toBeUndefined();
    expect(second.item).toMatchObject({
      status: 'verified',
      sha256: first.item.sha256,
      duplicateOf: first.item.evidenceId,
    });
  });

  it('complete before the upload answers 409 and leaves the item pending', async () => {
    const { evidence } = await presigned(LIB, token, {
      fileName: 'later.png',
      contentType: 'image/png',
      size: 100,
    });
    await expectProblem(await complete(LIB, token, evidence.evidenceId), 409);
    const listed = (await list(LIB, token)).find(
      (entry) => entry.evidenceId === evidence.evidenceId,
    );
    expect(listed?.status).toBe('pending');
    expect(listed?.downloadUrl).toBeUndefined();
  });

  it('an unknown evidence id answers 404, a malformed one 404 too', async () => {
    await expectProblem(await complete(LIB, token, randomUUID()), 404);
    await expectProblem(await complete(LIB, token, 'not-an-id'), 404);
    await expectProblem(
      await api(evidencePath(LIB, randomUUID()), { method: 'DELETE', token }),
      404,
    );
    await expectProblem(
      await api(evidencePath(LIB, 'x'.repeat(36)), { method: 'DELETE', token }),
      404,
    );
  });
});

describe('presign validation', () => {
  const LIB = '140602';
  const NO_REPORT = '140681';
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
  });

  const valid: PresignBody = { fileName: 'a.png', contentType: 'image/png', size: 100 };

  it.each([
    ['contentType text/plain', { contentType: 'text/plain' }, 'contentType'],
    ['size 0', { size: 0 }, 'size'],
    ['size over 20 MiB', { size: MAX_BYTES + 1 }, 'size'],
    ['a fractional size', { size: 1.5 }, 'size'],
    ['a caption over 200 characters', { caption: '说'.repeat(201) }, 'caption'],
    ['an empty fileName', { fileName: '   ' }, 'fileName'],
    ['an unknown key', { uploader: 'me' }, 'uploader'],
  ])('refuses %s (400 at that field)', async (_, change, path) => {
    const problem = await expectProblem(await presign(LIB, token, { ...valid, ...change }), 400);
    expect(pathsOf(problem)).toEqual([path]);
  });

  it('refuses a missing size (400 at size)', async () => {
    const { size: _, ...withoutSize } = valid;
    expect(pathsOf(await expectProblem(await presign(LIB, token, withoutSize), 400))).toEqual([
      'size',
    ]);
  });

  it('accepts exactly 20 MiB and a 200-character caption', async () => {
    const { evidence } = await presigned(LIB, token, {
      ...valid,
      size: MAX_BYTES,
      caption: '说'.repeat(200),
    });
    expect(evidence).toMatchObject({ size: MAX_BYTES, caption: '说'.repeat(200) });
  });

  it.each(['services', 'staffing', 'plans'])(
    'takes evidence for section %s, as for any section of the dictionary',
    async (sectionKey) => {
      const { evidence } = await presigned(LIB, token, { ...valid, sectionKey });
      expect(evidence).toMatchObject({ sectionKey, status: 'pending' });
    },
  );

  it('refuses an unknown section (400 at sectionKey)', async () => {
    const problem = await expectProblem(
      await presign(LIB, token, { ...valid, sectionKey: 'noSuchSection' }),
      400,
    );
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'sectionKey', code: 'invalid_section' }),
    ]);
  });

  it('answers 404 before the report was saved', async () => {
    const other = await tokenFor('library', NO_REPORT);
    await expectProblem(await presign(NO_REPORT, other, valid), 404);
    expect(await list(NO_REPORT, other)).toEqual([]);
  });
});

describe('who may touch evidence', () => {
  const OWNER = '140621';
  const OTHER = '140622';
  let owner: string;
  let other: string;
  let province: string;
  let admin: string;
  let evidenceId: string;
  beforeAll(async () => {
    [owner, other, province, admin] = await Promise.all([
      tokenFor('library', OWNER),
      tokenFor('library', OTHER),
      tokenFor('province'),
      tokenFor('admin'),
    ]);
    await createDraft(OWNER, owner);
    const { item } = await attach(OWNER, owner, pngImage({ note: `owner ${randomUUID()}` }), {
      fileName: '馆舍.png',
      contentType: 'image/png',
    });
    expect(item.status).toBe('verified');
    evidenceId = item.evidenceId;
  });

  const body: PresignBody = { fileName: 'a.png', contentType: 'image/png', size: 10 };

  it('another library gets 403 on presign, list, complete and delete', async () => {
    await expectProblem(await presign(OWNER, other, body), 403);
    await expectProblem(await api(evidencePath(OWNER), { token: other }), 403);
    await expectProblem(await complete(OWNER, other, evidenceId), 403);
    await expectProblem(
      await api(evidencePath(OWNER, evidenceId), { method: 'DELETE', token: other }),
      403,
    );
  });

  it('the province lists the evidence with download links but cannot presign, complete or delete', async () => {
    const items = await list(OWNER, province);
    expect(items.map((item) => item.evidenceId)).toEqual([evidenceId]);
    expect(items[0]?.downloadUrl).toEqual(expect.any(String));
    await expectProblem(await presign(OWNER, province, body), 403);
    await expectProblem(await complete(OWNER, province, evidenceId), 403);
    await expectProblem(
      await api(evidencePath(OWNER, evidenceId), { method: 'DELETE', token: province }),
      403,
    );
    await expectProblem(await presign(OWNER, admin, body), 403);
  });

  it('nothing the others tried changed the evidence', async () => {
    const items = await list(OWNER, owner);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ evidenceId, status: 'verified' });
  });
});

describe('the limit of evidence per report', () => {
  const LIB = '140603';
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
    await createDraft(LIB, token);
  });

  const body: PresignBody = { fileName: 'p.png', contentType: 'image/png', size: 100 };

  it('takes 30 pending items and refuses the 31st with 409', async () => {
    // Five at a time: the web app uploads three at a time, and each round of racing adds
    // contend for the same report (the race itself is the test after next).
    const statuses: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => presign(LIB, token, body)),
      );
      statuses.push(...responses.map((response) => response.status));
    }
    expect(statuses).toEqual(Array(30).fill(201));
    const problem = await expectProblem(await presign(LIB, token, body), 409);
    expect(problem.message.en).toContain('30');
    expect(await list(LIB, token)).toHaveLength(30);
  });

  it('deleting one makes room for one more', async () => {
    const [first] = await list(LIB, token);
    if (!first) throw new Error('no evidence listed');
    expect(
      (await api(evidencePath(LIB, first.evidenceId), { method: 'DELETE', token })).status,
    ).toBe(204);
    await presigned(LIB, token, body);
    await expectProblem(await presign(LIB, token, body), 409);
  });

  it('when five uploads race for the one free place, one gets it and the others 409', async () => {
    const [first] = await list(LIB, token);
    if (!first) throw new Error('no evidence listed');
    await api(evidencePath(LIB, first.evidenceId), { method: 'DELETE', token });
    const responses = await Promise.all(Array.from({ length: 5 }, () => presign(LIB, token, body)));
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await list(LIB, token)).toHaveLength(30);
  });
});

describe('deleting evidence, history, and the submitted report', () => {
  const LIB = '140623';
  let token: string;
  let revisionAfterVerification: number;
  let deleted: Evidence;
  let kept: Evidence;
  beforeAll(async () => {
    token = await tokenFor('library', LIB);
    await createDraft(LIB, token);
  });

  it('deletes a verified item (204); it is no longer listed', async () => {
    deleted = (
      await attach(LIB, token, pngImage({ note: `to delete ${randomUUID()}` }), {
        fileName: '删除.png',
        contentType: 'image/png',
      })
    ).item;
    kept = (
      await attach(LIB, token, minimalPdf(`kept ${randomUUID()}`), {
        fileName: 'kept.pdf',
        contentType: 'application/pdf',
      })
    ).item;
    expect([deleted.status, kept.status]).toEqual(['verified', 'verified']);

    // A revision written after verification and before deletion.
    const saved = await answerJson<{ revision: number }>(
      await sendJson(reportPath(LIB), 'PUT', token, {
        values: { holdingsTotal: 1000 },
        expectedRevision: 1,
      }),
      200,
    );
    revisionAfterVerification = saved.revision;
    expect(revisionAfterVerification).toBe(2);

    const response = await api(evidencePath(LIB, deleted.evidenceId), { method: 'DELETE', token });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect((await list(LIB, token)).map((item) => item.evidenceId)).toEqual([kept.evidenceId]);
    await expectProblem(
      await api(evidencePath(LIB, deleted.evidenceId), { method: 'DELETE', token }),
      404,
    );
  });

  it('the list at that revision still shows it, with a link; the first revision shows none', async () => {
    const atRevision = await list(LIB, token, revisionAfterVerification);
    expect(atRevision.map((item) => item.evidenceId).sort()).toEqual(
      [deleted.evidenceId, kept.evidenceId].sort(),
    );
    const old = atRevision.find((item) => item.evidenceId === deleted.evidenceId);
    expect(old?.downloadUrl).toEqual(expect.any(String));
    expect(await list(LIB, token, 1)).toEqual([]);
    const province = await tokenFor('province');
    expect(await list(LIB, province, revisionAfterVerification)).toHaveLength(2);
    await expectProblem(await api(`${evidencePath(LIB)}?revision=99`, { token }), 404);
    await expectProblem(await api(`${evidencePath(LIB)}?revision=abc`, { token }), 400);
  });

  it('a pending item can be deleted too', async () => {
    const { evidence } = await presigned(LIB, token, {
      fileName: 'never.png',
      contentType: 'image/png',
      size: 10,
    });
    expect(
      (await api(evidencePath(LIB, evidence.evidenceId), { method: 'DELETE', token })).status,
    ).toBe(204);
    expect((await list(LIB, token)).map((item) => item.evidenceId)).toEqual([kept.evidenceId]);
  });

  it('an upload that lands after its item was deleted is deleted, not verified', async () => {
    const bytes = pngImage({ note: `deleted first ${randomUUID()}` });
    const ticket = await presigned(LIB, token, {
      fileName: 'late.png',
      contentType: 'image/png',
      size: bytes.length,
    });
    const item = evidencePath(LIB, ticket.evidence.evidenceId);
    expect((await api(item, { method: 'DELETE', token })).status).toBe(204);
    await uploadTo(ticket.upload, bytes, 'late.png');
    await expectProblem(await complete(LIB, token, ticket.evidence.evidenceId), 404);
    expect(ticket.upload.fields.key).toBe(uploadKeyOf(ticket.evidence));
    expect(await objectExists(uploadKeyOf(ticket.evidence))).toBe(false);
    expect(await objectExists(ticket.evidence.objectKey)).toBe(false);
    expect((await list(LIB, token)).map((listed) => listed.evidenceId)).toEqual([kept.evidenceId]);
  });

  it('once the report is submitted: delete 409, presign 409, the evidence stays', async () => {
    expect(await submitReport(LIB, token, revisionAfterVerification)).toMatchObject({
      status: 'submitted',
    });

    await expectProblem(
      await api(evidencePath(LIB, kept.evidenceId), { method: 'DELETE', token }),
      409,
    );
    await expectProblem(
      await presign(LIB, token, { fileName: 'late.png', contentType: 'image/png', size: 10 }),
      409,
    );
    const items = await list(LIB, token);
    expect(items.map((item) => item.evidenceId)).toEqual([kept.evidenceId]);
    expect(items[0]?.status).toBe('verified');
    expect(await objectExists(kept.objectKey)).toBe(true);
  });
});

describe('an upload that lands after its report was submitted', () => {
  const LIB = '140624';
  let token: string;
  let province: string;
  beforeAll(async () => {
    [token, province] = await Promise.all([tokenFor('library', LIB), tokenFor('province')]);
    await createDraft(LIB, token);
  });

  it('is refused on complete (409 report_locked), deleted, and never part of the report', async () => {
    const png = pngImage({ note: `after submission ${randomUUID()}` });
    const { evidence, upload } = await presigned(LIB, token, {
      fileName: '迟到的照片.png',
      contentType: 'image/png',
      size: png.length,
    });
    const submitted = await submitReport(LIB, token, 1);
    expect(submitted.status).toBe('submitted');

    // The link is still valid for the rest of its ten minutes.
    await uploadTo(upload, png, '迟到的照片.png');
    for (let call = 0; call < 2; call += 1) {
      const problem = await expectProblem(await complete(LIB, token, evidence.evidenceId), 409);
      expect(problem.message.zh).toContain('已提交或已通过');
      expect(problem.message.en).toContain('submitted or accepted');
      expect(problem.errors).toEqual([
        {
          path: 'evidenceId',
          code: 'report_locked',
          message: { zh: expect.stringMatching(HAN), en: expect.any(String) },
        },
      ]);
    }

    const [listed] = await list(LIB, token);
    expect(listed).toMatchObject({
      evidenceId: evidence.evidenceId,
      status: 'rejected',
      actualSize: png.length,
      rejection: { code: 'report_locked' },
    });
    expect(listed?.verifiedAt).toBeUndefined();
    expect(listed?.downloadUrl).toBeUndefined();
    expect(await objectExists(evidence.objectKey)).toBe(false);
    expect(await objectExists(uploadKeyOf(evidence))).toBe(false);

    const accepted = await answerJson<{ status: string; revision: number }>(
      await sendJson(`${reportPath(LIB)}/accept`, 'POST', province, {}),
      200,
    );
    expect(accepted.status).toBe('accepted');
    for (const revision of [submitted.revision, accepted.revision]) {
      expect(await list(LIB, province, revision)).toEqual([]);
    }
  });
});

describe('an upload link presigned shortly before the lock', () => {
  const LIB = '140625';
  const LOCKING = '2044';
  const path = `/api/libraries/${LIB}/submissions/${FORM}/${LOCKING}`;
  let token: string;
  let locksAt: string;
  beforeAll(async () => {
    const admin = await tokenFor('admin');
    token = await tokenFor('library', LIB);
    const now = Date.now();
    locksAt = new Date(now + 5 * 60_000).toISOString();
    const window = {
      opensAt: new Date(now - 24 * 60 * 60_000).toISOString(),
      dueAt: new Date(now + 60_000).toISOString(),
      locksAt,
    };
    await answerJson(await sendJson(`/api/periods/${FORM}/${LOCKING}`, 'PUT', admin, window), 200);
    await answerJson(await sendJson(path, 'PUT', token, { values: {}, expectedRevision: 0 }), 201);
  });

  it('signs an upload policy that expires when the period locks, not ten minutes later', async () => {
    const { upload } = await answerJson<Presigned>(
      await sendJson(`${path}/evidence`, 'POST', token, {
        fileName: 'a.png',
        contentType: 'image/png',
        size: 100,
      }),
      201,
    );
    // The lock holds through its whole second.
    const lockedAt = (Math.floor(Date.parse(locksAt) / 1000) + 1) * 1000;
    const expiration = Date.parse(decodePolicy(upload).expiration);
    expect(expiration).toBeLessThanOrEqual(lockedAt);
    // Whole seconds from the SDK's skew-corrected clock: a few seconds short at most.
    expect(expiration).toBeGreaterThanOrEqual(lockedAt - 5_000);
    expect(Date.parse(upload.expiresAt)).toBeLessThanOrEqual(lockedAt);
  });
});
