/**
 * EvidenceService over in-memory fakes: an evidence store with conditional transitions (like
 * the DynamoDB adapter's condition expression), an object store holding bytes in a Map and
 * counting its reads, and the in-memory submission and period stores. Covers magic-byte
 * verification of every allowed type, rejections that delete the object (also of an upload
 * whose report was submitted meanwhile), idempotent and concurrent verification, duplicate
 * detection, and the presign (with its link ending at the lock), list and delete rules.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { detectContentType } from '../../adapters/file-type.js';
import { pngImage } from '../../test/fixtures/png.js';
import type { Principal } from '../auth/principal.js';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  LockedError,
  NotFoundError,
} from '../errors.js';
import { FormRegistry } from '../forms/catalog.js';
import { countyAnnualReport, realPeriods, realStandards } from '../forms/fixtures.js';
import { PeriodService } from '../periods/service.js';
import { countyLibrary } from '../registry/fixtures.js';
import { InMemoryLibraryStore } from '../registry/memory-store.js';
import { InMemoryPeriodStore, InMemorySubmissionStore } from '../submissions/memory-store.js';
import type { SubmissionKey, SubmissionStatus } from '../submissions/model.js';
import type { SubmissionStore } from '../submissions/store.js';
import {
  type EvidenceContentType,
  type EvidenceItem,
  type EvidenceKey,
  type EvidenceObjects,
  EvidenceSetChangedError,
  type EvidenceSnapshot,
  type EvidenceStatus,
  type EvidenceStore,
  evidenceObjectKey,
  evidenceUploadKey,
  type StoredObject,
  type UploadTicket,
} from './model.js';
import { EvidenceService, REPORT_LOCKED, UPLOAD_EXPIRY_SECONDS } from './service.js';

const FORM_ID = 'county-annual-report';
const PERIOD = '2025';
const OWN = '140602';
const OTHER = '140603';
/** Inside the default 2025 window (opens 2025-11-01, locks 2026-03-31, Beijing time). */
const OPEN_TIME = '2025-12-01T02:00:00.000Z';
const AFTER_LOCK = '2026-04-15T00:00:00.000Z';
const MAX_BYTES = 1024;
const MAX_ITEMS = 3;

/** Lets other pending promises run, so that concurrent calls really interleave. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const reportKeyText = (key: SubmissionKey) => `${key.libraryId}/${key.formId}/${key.period}`;
const evidenceKeyText = (key: EvidenceKey) =>
  `${key.libraryId}/${key.formId}/${key.period}/${key.evidenceId}`;

/** Keeps the adapter's contract: copies in and out, transitions only from the given states. */
class FakeEvidenceStore implements EvidenceStore {
  constructor(private readonly heads: Pick<SubmissionStore, 'getHead'>) {}

  readonly items = new Map<string, EvidenceItem>();
  /** Transitions that moved an item (the condition held). */
  successfulTransitions = 0;

  /** Each report's set version, moved on by every create. */
  readonly versions = new Map<string, number>();
  /** Creates refused because another create got in after the snapshot. */
  changedSetRefusals = 0;

  async create(item: EvidenceItem, expectedVersion: number): Promise<void> {
    await tick();
    const key = evidenceKeyText(item);
    if (this.items.has(key)) throw new Error(`Evidence ${key} exists`);
    const report = reportKeyText(item);
    if ((this.versions.get(report) ?? 0) !== expectedVersion) {
      this.changedSetRefusals += 1;
      throw new EvidenceSetChangedError(item, expectedVersion);
    }
    this.versions.set(report, expectedVersion + 1);
    this.items.set(key, structuredClone(item));
  }

  async snapshot(report: SubmissionKey): Promise<EvidenceSnapshot> {
    // The version before the items, as the DynamoDB store reads them.
    const version = this.versions.get(reportKeyText(report)) ?? 0;
    return { items: await this.list(report), version };
  }

  async get(key: EvidenceKey): Promise<EvidenceItem | undefined> {
    await tick();
    const item = this.items.get(evidenceKeyText(key));
    return item ? structuredClone(item) : undefined;
  }

  async list(report: SubmissionKey): Promise<EvidenceItem[]> {
    await tick();
    return [...this.items.values()]
      .filter(
        (item) =>
          item.libraryId === report.libraryId &&
          item.formId === report.formId &&
          item.period === report.period,
      )
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((item) => structuredClone(item));
  }

  async findVerifiedBySha256(libraryId: string, sha256: string): Promise<EvidenceItem[]> {
    await tick();
    return [...this.items.values()]
      .filter(
        (item) =>
          item.libraryId === libraryId && item.status === 'verified' && item.sha256 === sha256,
      )
      .map((item) => structuredClone(item));
  }

  /** The next transition throws this, writing nothing (storage down, conflicts that persist). */
  failNextTransitionWith?: Error;
  /** Runs at the start of the next transition: what happens right before the write. */
  beforeNextTransition?: () => Promise<unknown>;

  async transition(
    key: EvidenceKey,
    from: readonly EvidenceStatus[],
    patch: Partial<EvidenceItem> & { status: EvidenceStatus },
    reportIn?: readonly SubmissionStatus[],
  ): Promise<boolean> {
    const before = this.beforeNextTransition;
    this.beforeNextTransition = undefined;
    await before?.();
    // The head first, so that the item's check and write below stay one step, as the DynamoDB
    // store's transaction checks both at once.
    const report = reportIn && (await this.heads.getHead(key));
    await tick();
    const failure = this.failNextTransitionWith;
    this.failNextTransitionWith = undefined;
    if (failure) throw failure;
    const current = this.items.get(evidenceKeyText(key));
    if (!current || !from.includes(current.status)) return false;
    if (reportIn && !(report && reportIn.includes(report.status))) return false;
    const defined = Object.fromEntries(
      Object.entries(patch).filter(([, value]) => value !== undefined),
    );
    this.items.set(evidenceKeyText(key), structuredClone({ ...current, ...defined }));
    this.successfulTransitions += 1;
    return true;
  }
}

/** An object's version as S3 tags a one-part upload: the MD5 of its bytes. */
const versionOf = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** The upload key of evidence presigned now (always set; only older items lack it). */
const uploadKeyOf = (item: EvidenceItem): string => {
  if (item.uploadKey === undefined) throw new Error(`${item.evidenceId} has no upload key`);
  return item.uploadKey;
};

/** The evidence bucket as a Map of bytes; reads come in small chunks, like a stream. */
class FakeEvidenceObjects implements EvidenceObjects {
  readonly objects = new Map<string, Uint8Array>();
  readonly markedDeleted = new Set<string>();
  readonly deleted: string[] = [];
  readonly copied: string[] = [];
  readonly presigned: {
    objectKey: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
  }[] = [];
  reads = 0;
  private readonly pauses = new Map<
    'size' | 'read' | 'copy' | 'copied' | 'delete',
    { arrive: () => void; wait: Promise<void> }
  >();

  /** Holds the next call of `method` until released; `arrived` settles when it gets there. */
  pauseNext(method: 'size' | 'read' | 'copy' | 'copied' | 'delete') {
    let arrive: () => void = () => undefined;
    let release: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const wait = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.pauses.set(method, { arrive, wait });
    return { arrived, release };
  }

  private async pause(method: 'size' | 'read' | 'copy' | 'copied' | 'delete') {
    const pause = this.pauses.get(method);
    if (!pause) return;
    this.pauses.delete(method);
    pause.arrive();
    await pause.wait;
  }

  async presignUpload(
    objectKey: string,
    contentType: string,
    maxBytes: number,
    expiresInSeconds: number,
  ): Promise<UploadTicket> {
    this.presigned.push({ objectKey, contentType, maxBytes, expiresInSeconds });
    return {
      url: 'memory://evidence',
      fields: { key: objectKey, 'Content-Type': contentType },
      expiresAt: new Date(Date.parse(OPEN_TIME) + expiresInSeconds * 1000).toISOString(),
    };
  }

  async size(objectKey: string): Promise<number | undefined> {
    await this.pause('size');
    await tick();
    return this.objects.get(objectKey)?.byteLength;
  }

  async read(objectKey: string): Promise<StoredObject> {
    await this.pause('read');
    await tick();
    const bytes = this.objects.get(objectKey);
    if (!bytes) throw new Error(`No object ${objectKey}`);
    this.reads += 1;
    const body = (async function* () {
      for (let offset = 0; offset < bytes.byteLength; offset += 7) {
        await tick();
        yield bytes.subarray(offset, offset + 7);
      }
    })();
    return { body, version: versionOf(bytes) };
  }

  /** S3's conditional copy. */
  async copy(uploadKey: string, objectKey: string, version: string): Promise<boolean> {
    await this.pause('copy');
    await tick();
    const bytes = this.objects.get(uploadKey);
    if (!bytes || versionOf(bytes) !== version) return false;
    this.objects.set(objectKey, bytes);
    this.copied.push(objectKey);
    await this.pause('copied');
    return true;
  }

  async delete(objectKey: string): Promise<void> {
    await this.pause('delete');
    await tick();
    this.deleted.push(objectKey);
    this.objects.delete(objectKey);
  }

  async markDeleted(objectKey: string): Promise<void> {
    this.markedDeleted.add(objectKey);
  }

  async presignDownload(objectKey: string, fileName: string): Promise<string> {
    return `memory://evidence/${objectKey}?name=${encodeURIComponent(fileName)}`;
  }
}

const librarian = (libraryId = OWN): Principal => ({
  subject: `librarian-${libraryId}`,
  role: 'library',
  libraryId,
});
const province: Principal = { subject: 'province-1', role: 'province' };
const admin: Principal = { subject: 'admin-1', role: 'admin' };

const reportKey = (libraryId = OWN): SubmissionKey => ({
  libraryId,
  formId: FORM_ID,
  period: PERIOD,
});

const setup = () => {
  let currentDate = new Date(OPEN_TIME);
  const now = () => currentDate;
  const forms = new FormRegistry({
    forms: [countyAnnualReport()],
    standards: realStandards(),
    periods: realPeriods(),
  });
  const submissions = new InMemorySubmissionStore();
  const evidence = new FakeEvidenceStore(submissions);
  const objects = new FakeEvidenceObjects();
  const periods = new PeriodService({
    store: new InMemoryPeriodStore(),
    forms,
    libraries: new InMemoryLibraryStore([countyLibrary(OWN), countyLibrary(OTHER)]),
    now,
  });
  const service = new EvidenceService({
    evidence,
    objects,
    detectType: detectContentType,
    submissions,
    periods,
    forms,
    limits: { maxBytes: MAX_BYTES, maxItemsPerReport: MAX_ITEMS },
    now,
  });
  const revisions = new Map<string, number>();
  /** Writes the report's head in a status, as its next revision; answers the revision. */
  const reportIn = async (status: SubmissionStatus, key = reportKey()) => {
    const at = currentDate.toISOString();
    const actor = { subject: `librarian-${key.libraryId}`, role: 'library' as const };
    const revision = (revisions.get(key.libraryId) ?? 0) + 1;
    revisions.set(key.libraryId, revision);
    await submissions.commit(
      {
        ...key,
        formVersion: '2026.1',
        status,
        revision,
        values: {},
        explanations: {},
        createdAt: at,
        updatedAt: at,
        updatedBy: actor,
      },
      {
        ...key,
        revision,
        action: 'save',
        status,
        formVersion: '2026.1',
        values: {},
        explanations: {},
        actor,
        at,
      },
      revision - 1,
    );
    return revision;
  };
  return {
    service,
    evidence,
    objects,
    periods,
    reportIn,
    setTime: (iso: string) => {
      currentDate = new Date(iso);
    },
  };
};

type Setup = ReturnType<typeof setup>;

const failure = async (step: Promise<unknown>): Promise<AppError> => {
  const outcome = await step.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof AppError) return outcome;
  throw new Error(`Expected an AppError, got ${outcome === undefined ? 'success' : outcome}`);
};

/** Files whose first bytes are each allowed type's signature. */
const padded = (head: number[] | string, length = 64) => {
  const start = typeof head === 'string' ? Buffer.from(head, 'latin1') : Buffer.from(head);
  return new Uint8Array(Buffer.concat([start, Buffer.alloc(Math.max(0, length - start.length))]));
};
const SAMPLES: Record<EvidenceContentType, Uint8Array> = {
  'image/jpeg': padded([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
  'image/png': pngImage(),
  'image/webp': padded('RIFF\x38\x00\x00\x00WEBPVP8 '),
  'image/heic': padded('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic'),
  'application/pdf': padded('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n'),
};
const TEXT = new TextEncoder().encode('Just some notes, not an image at all.\n'.repeat(3));

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Presigns an item and "uploads" bytes to its upload key. */
const uploaded = async (
  { service, objects }: Setup,
  contentType: EvidenceContentType,
  bytes: Uint8Array,
  options: { declaredSize?: number; libraryId?: string; fileName?: string } = {},
) => {
  const libraryId = options.libraryId ?? OWN;
  const { evidence } = await service.presign(librarian(libraryId), reportKey(libraryId), {
    fileName: options.fileName ?? 'file',
    contentType,
    size: options.declaredSize ?? bytes.byteLength,
  });
  objects.objects.set(uploadKeyOf(evidence), bytes);
  return evidence;
};

/** Where verification copies checked bytes: the evidence key and their SHA-256. */
const verifiedCopyOf = (item: EvidenceItem, bytes: Uint8Array) =>
  `${item.objectKey}/${sha256Of(bytes)}`;

/** A PNG as evidence was uploaded before uploads had their own key: in place, no upload key. */
const uploadedInPlace = async ({ service, evidence, objects }: Setup, bytes: Uint8Array) => {
  const { evidence: item } = await service.presign(librarian(), reportKey(), {
    fileName: 'old.png',
    contentType: 'image/png',
    size: bytes.byteLength,
  });
  const { uploadKey: _, ...older } = item;
  evidence.items.set(evidenceKeyText(keyOf(item)), older);
  objects.objects.set(item.objectKey, bytes);
  return older;
};

const keyOf = (item: EvidenceItem): EvidenceKey => ({
  libraryId: item.libraryId,
  formId: item.formId,
  period: item.period,
  evidenceId: item.evidenceId,
});

describe('EvidenceService.verify', () => {
  let context: Setup;
  beforeEach(async () => {
    context = setup();
    await context.reportIn('draft');
  });

  it.each(Object.keys(SAMPLES) as EvidenceContentType[])(
    'passes %s by its magic bytes, with sha256 and actual size',
    async (contentType) => {
      const bytes = SAMPLES[contentType];
      const item = await uploaded(context, contentType, bytes);
      const verified = await context.service.verify(keyOf(item));
      expect(verified).toMatchObject({
        status: 'verified',
        verifiedAt: OPEN_TIME,
        sha256: sha256Of(bytes),
        actualSize: bytes.byteLength,
      });
      expect(verified.rejection).toBeUndefined();
      expect(verified.duplicateOf).toBeUndefined();
      // The bytes checked are what downloads read, under a key naming them; the upload is gone.
      expect(verified.objectKey).toBe(verifiedCopyOf(item, bytes));
      expect(context.objects.objects.get(verified.objectKey)).toEqual(bytes);
      expect(context.objects.deleted).toEqual([uploadKeyOf(item)]);
    },
  );

  it.each([
    ['text declared as image/png', 'image/png', TEXT, undefined],
    ['a JPEG declared as image/png', 'image/png', SAMPLES['image/jpeg'], 'image/jpeg'],
    ['a PNG declared as application/pdf', 'application/pdf', SAMPLES['image/png'], 'image/png'],
    ['a PDF declared as image/jpeg', 'image/jpeg', SAMPLES['application/pdf'], 'application/pdf'],
  ] as const)('rejects %s (type) and deletes the object', async (_, contentType, bytes, actual) => {
    const item = await uploaded(context, contentType, bytes);
    const rejected = await context.service.verify(keyOf(item));
    expect(rejected).toMatchObject({
      status: 'rejected',
      actualSize: bytes.byteLength,
      rejection: {
        code: 'type',
        message: { zh: expect.any(String), en: expect.stringContaining(contentType) },
      },
    });
    if (actual) expect(rejected.rejection?.message.en).toContain(actual);
    expect(rejected.verifiedAt).toBeUndefined();
    expect(rejected.sha256).toBeUndefined();
    expect(context.objects.deleted).toEqual([uploadKeyOf(item)]);
    expect(context.objects.objects.has(item.objectKey)).toBe(false);
  });

  it('rejects an object larger than declared (size) without reading it, and deletes it', async () => {
    const bytes = SAMPLES['image/png'];
    const item = await uploaded(context, 'image/png', bytes, {
      declaredSize: bytes.byteLength - 1,
    });
    const rejected = await context.service.verify(keyOf(item));
    expect(rejected).toMatchObject({
      status: 'rejected',
      actualSize: bytes.byteLength,
      rejection: { code: 'size' },
    });
    expect(context.objects.reads).toBe(0);
    expect(context.objects.deleted).toEqual([uploadKeyOf(item)]);
  });

  it('rejects an object over the service limit and an empty object (size)', async () => {
    const big = await uploaded(context, 'image/png', padded([0x89, 0x50], MAX_BYTES + 1), {
      // Declared within what it holds: only the service's own limit refuses it.
      declaredSize: MAX_BYTES * 2,
    });
    const empty = await uploaded(context, 'image/png', new Uint8Array(0), { declaredSize: 10 });
    expect((await context.service.verify(keyOf(big))).rejection?.code).toBe('size');
    expect((await context.service.verify(keyOf(empty))).rejection?.code).toBe('size');
    expect(context.objects.deleted.sort()).toEqual([uploadKeyOf(big), uploadKeyOf(empty)].sort());
    expect(context.objects.reads).toBe(0);
  });

  it('leaves an item pending while nothing was uploaded', async () => {
    const { evidence } = await context.service.presign(librarian(), reportKey(), {
      fileName: 'a.png',
      contentType: 'image/png',
      size: 10,
    });
    expect(await context.service.verify(keyOf(evidence))).toMatchObject({ status: 'pending' });
    expect(context.evidence.successfulTransitions).toBe(0);
  });

  it('returns an already verified item unchanged, and never serves an upload sent again after it', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const first = await context.service.verify(keyOf(item));
    expect(context.objects.reads).toBe(1);
    context.setTime('2025-12-02T00:00:00.000Z');
    // The upload link is still valid: other bytes are sent to it (S3's event verifies again).
    context.objects.objects.set(uploadKeyOf(item), TEXT);
    const again = await context.service.verify(keyOf(item));
    expect(again).toEqual(first);
    expect(context.objects.reads).toBe(1);
    expect(context.evidence.successfulTransitions).toBe(1);
    // Once when it was verified, once when it was sent again.
    expect(context.objects.deleted).toEqual([uploadKeyOf(item), uploadKeyOf(item)]);
    expect(context.objects.objects.has(uploadKeyOf(item))).toBe(false);
    expect(context.objects.objects.get(first.objectKey)).toEqual(SAMPLES['image/png']);
  });

  it('serves the bytes the record describes when two uploads of one link are verified at once', async () => {
    const png = SAMPLES['image/png'];
    const other = new Uint8Array([...png, 0x00, 0x01]);
    const item = await uploaded(context, 'image/png', png, { declaredSize: other.byteLength });
    // A has copied the first upload; the link sends other bytes, which B reads and stops
    // before copying. A records its copy and stops before deleting the upload; B copies then.
    const aCopied = context.objects.pauseNext('copied');
    const a = context.service.verify(keyOf(item));
    await aCopied.arrived;
    context.objects.objects.set(uploadKeyOf(item), other);
    const bCopies = context.objects.pauseNext('copy');
    const b = context.service.verify(keyOf(item));
    await bCopies.arrived;
    const aDeletes = context.objects.pauseNext('delete');
    aCopied.release();
    await aDeletes.arrived;
    bCopies.release();
    const decided = await b;
    aDeletes.release();
    expect(await a).toEqual(decided);
    expect(decided).toMatchObject({ status: 'verified', sha256: sha256Of(png) });
    // What downloads read is what the record describes; B's copy of the other bytes is gone.
    expect(context.objects.objects.get(decided.objectKey)).toEqual(png);
    const otherCopy = verifiedCopyOf(item, other);
    expect(context.objects.copied).toContain(otherCopy);
    expect(context.objects.objects.has(otherCopy)).toBe(false);
  });

  it('checks the new bytes when the upload is sent again while it is being read', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png'], {
      declaredSize: SAMPLES['image/png'].byteLength + TEXT.byteLength,
    });
    const paused = context.objects.pauseNext('copy');
    const verification = context.service.verify(keyOf(item));
    await paused.arrived;
    // The PNG was read and passed; text replaces it before the copy, which is refused.
    context.objects.objects.set(uploadKeyOf(item), TEXT);
    paused.release();
    const decided = await verification;
    expect(decided).toMatchObject({ status: 'rejected', rejection: { code: 'type' } });
    expect(context.objects.reads).toBe(2);
    expect(context.objects.objects.has(item.objectKey)).toBe(false);
  });

  it('returns an already rejected item unchanged without reading again; an upload sent again is deleted', async () => {
    const item = await uploaded(context, 'image/png', TEXT);
    const first = await context.service.verify(keyOf(item));
    expect(first.status).toBe('rejected');
    context.objects.objects.set(uploadKeyOf(item), SAMPLES['image/png']);
    const again = await context.service.verify(keyOf(item));
    expect(again).toEqual(first);
    expect(context.objects.reads).toBe(1);
    expect(context.objects.deleted).toEqual([uploadKeyOf(item), uploadKeyOf(item)]);
    expect(context.objects.objects.has(uploadKeyOf(item))).toBe(false);
    expect(context.objects.objects.has(item.objectKey)).toBe(false);
  });

  it('of two concurrent verifications only one decides', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const [a, b] = await Promise.all([
      context.service.verify(keyOf(item)),
      context.service.verify(keyOf(item)),
    ]);
    expect(context.evidence.successfulTransitions).toBe(1);
    expect(a).toEqual(b);
    expect(a.status).toBe('verified');
  });

  it('of two concurrent rejections only one deletes the object', async () => {
    const item = await uploaded(context, 'image/png', TEXT);
    const results = await Promise.all([
      context.service.verify(keyOf(item)),
      context.service.verify(keyOf(item)),
      context.service.verify(keyOf(item)),
    ]);
    expect(context.evidence.successfulTransitions).toBe(1);
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(context.objects.deleted).toEqual([uploadKeyOf(item)]);
  });

  it('a verification that finds the object already deleted by a concurrent rejection answers that rejection', async () => {
    const item = await uploaded(context, 'image/png', TEXT);
    // The late one has seen the item pending and the object present, then stalls before reading.
    const paused = context.objects.pauseNext('read');
    const late = context.service.verify(keyOf(item));
    await paused.arrived;
    const decided = await context.service.verify(keyOf(item));
    expect(decided.status).toBe('rejected');
    expect(context.objects.objects.has(item.objectKey)).toBe(false);
    paused.release();
    expect(await late).toEqual(decided);
    expect(context.evidence.successfulTransitions).toBe(1);
  });

  it('a complete that finds no object because a concurrent rejection deleted it answers that rejection, not 409', async () => {
    const item = await uploaded(context, 'image/jpeg', SAMPLES['image/png']);
    // The late one has seen the item pending, then stalls before asking for the object's size.
    const paused = context.objects.pauseNext('size');
    const late = context.service.complete(librarian(), keyOf(item));
    await paused.arrived;
    const decided = await context.service.verify(keyOf(item));
    expect(decided).toMatchObject({ status: 'rejected', rejection: { code: 'type' } });
    paused.release();
    expect(await late).toEqual(decided);
  });

  it('a read failing while the item is still pending is not hidden', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const paused = context.objects.pauseNext('read');
    const verification = context.service.verify(keyOf(item));
    await paused.arrived;
    // The object vanishes (say, a lifecycle rule) but nobody decided: the error stands.
    context.objects.objects.delete(uploadKeyOf(item));
    paused.release();
    await expect(verification).rejects.toThrow(/No object/);
    expect(context.evidence.items.get(evidenceKeyText(keyOf(item)))?.status).toBe('pending');
  });

  it('flags identical bytes of the same library as a duplicate of the verified item', async () => {
    const bytes = SAMPLES['application/pdf'];
    const first = await uploaded(context, 'application/pdf', bytes, { fileName: 'a.pdf' });
    const second = await uploaded(context, 'application/pdf', bytes, { fileName: 'b.pdf' });
    const verifiedFirst = await context.service.verify(keyOf(first));
    const verifiedSecond = await context.service.verify(keyOf(second));
    expect(verifiedFirst.duplicateOf).toBeUndefined();
    expect(verifiedSecond).toMatchObject({
      status: 'verified',
      sha256: verifiedFirst.sha256,
      duplicateOf: first.evidenceId,
    });
  });

  it('does not flag identical bytes of another library, or of rejected evidence', async () => {
    await context.reportIn('draft', reportKey(OTHER));
    const bytes = SAMPLES['image/webp'];
    const theirs = await uploaded(context, 'image/webp', bytes, { libraryId: OTHER });
    expect((await context.service.verify(keyOf(theirs))).status).toBe('verified');
    // The same bytes declared wrongly are rejected, and no twin of anything.
    const wrong = await uploaded(context, 'image/png', bytes);
    expect((await context.service.verify(keyOf(wrong))).status).toBe('rejected');
    const mine = await uploaded(context, 'image/webp', bytes);
    const verified = await context.service.verify(keyOf(mine));
    expect(verified.status).toBe('verified');
    expect(verified.duplicateOf).toBeUndefined();
  });

  it.each(['submitted', 'accepted'] as const)(
    'refuses an upload to a report %s since its presign (report_locked) without reading it, and deletes it',
    async (status) => {
      const bytes = SAMPLES['image/png'];
      const item = await uploaded(context, 'image/png', bytes);
      await context.reportIn(status);
      const rejected = await context.service.verify(keyOf(item));
      expect(rejected).toMatchObject({
        status: 'rejected',
        actualSize: bytes.byteLength,
        rejection: {
          code: REPORT_LOCKED,
          message: {
            zh: expect.stringContaining('已提交'),
            en: expect.stringContaining('submitted'),
          },
        },
      });
      expect(rejected.verifiedAt).toBeUndefined();
      expect(rejected.sha256).toBeUndefined();
      expect(context.objects.reads).toBe(0);
      expect(context.objects.deleted).toEqual([uploadKeyOf(item)]);
      // Deciding again changes nothing.
      expect(await context.service.verify(keyOf(item))).toEqual(rejected);
      expect(context.evidence.successfulTransitions).toBe(1);
    },
  );

  it('leaves it out of the evidence of every later revision', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    context.setTime('2025-12-02T00:00:00.000Z');
    const submitted = await context.reportIn('submitted');
    context.setTime('2025-12-03T00:00:00.000Z');
    await context.service.verify(keyOf(item));
    context.setTime('2025-12-04T00:00:00.000Z');
    const accepted = await context.reportIn('accepted');
    for (const revision of [submitted, accepted]) {
      expect(await context.service.list(province, reportKey(), revision)).toEqual([]);
    }
    expect((await context.service.list(province, reportKey())).map((i) => i.status)).toEqual([
      'rejected',
    ]);
  });

  it('takes an upload to a returned report', async () => {
    await context.reportIn('returned');
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    expect((await context.service.verify(keyOf(item))).status).toBe('verified');
  });

  it.each([
    // The check before the copy finds it: nothing was copied.
    ['while its bytes are being read', 'read', (item: EvidenceItem) => [uploadKeyOf(item)]],
    // The decision's own check of the report finds it: the copy goes too.
    [
      'between its last check and its decision',
      'copied',
      (item: EvidenceItem) => [verifiedCopyOf(item, SAMPLES['image/png']), uploadKeyOf(item)],
    ],
  ] as const)('refuses an upload whose report is submitted %s', async (_, step, deleted) => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const paused = context.objects.pauseNext(step);
    const verification = context.service.verify(keyOf(item));
    await paused.arrived;
    await context.reportIn('submitted');
    paused.release();
    expect(await verification).toMatchObject({
      status: 'rejected',
      rejection: { code: REPORT_LOCKED },
    });
    // Neither the upload nor a copy made of it is kept.
    expect(context.objects.deleted).toEqual(deleted(item));
    expect(context.objects.objects.size).toBe(0);
  });

  it('leaves no copy behind when its decision cannot be written, and is verified on the retry', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const unavailable = new Error('Storage is temporarily unavailable');
    context.evidence.failNextTransitionWith = unavailable;
    await expect(context.service.verify(keyOf(item))).rejects.toBe(unavailable);
    const copy = verifiedCopyOf(item, SAMPLES['image/png']);
    expect(context.objects.deleted).toEqual([copy]);
    expect((await context.evidence.get(keyOf(item)))?.status).toBe('pending');
    // The event's retry checks the upload, which is still there, again.
    expect(await context.service.verify(keyOf(item))).toMatchObject({
      status: 'verified',
      objectKey: copy,
    });
  });

  it('refuses in-place evidence (no upload key) whose report is submitted right before its decision', async () => {
    const evidence = await uploadedInPlace(context, SAMPLES['image/png']);
    context.evidence.beforeNextTransition = () => context.reportIn('submitted');
    expect(await context.service.verify(keyOf(evidence))).toMatchObject({
      status: 'rejected',
      rejection: { code: REPORT_LOCKED },
    });
    expect(context.objects.copied).toEqual([]);
    expect(context.objects.deleted).toEqual([evidence.objectKey]);
  });

  it('still verifies an upload whose report is only saved while its bytes are being read', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const paused = context.objects.pauseNext('read');
    const verification = context.service.verify(keyOf(item));
    await paused.arrived;
    await context.reportIn('draft');
    paused.release();
    expect(await verification).toMatchObject({ status: 'verified' });
    expect(context.objects.deleted).toEqual([uploadKeyOf(item)]);
  });

  it('answers 404 for unknown evidence', async () => {
    const error = await failure(
      context.service.verify({
        ...reportKey(),
        evidenceId: '00000000-0000-4000-8000-000000000000',
      }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe('EvidenceService.complete', () => {
  let context: Setup;
  beforeEach(async () => {
    context = setup();
    await context.reportIn('draft');
  });

  it('verifies for the owner; 409 while nothing was uploaded', async () => {
    const { evidence } = await context.service.presign(librarian(), reportKey(), {
      fileName: 'a.png',
      contentType: 'image/png',
      size: SAMPLES['image/png'].byteLength,
    });
    expect(await failure(context.service.complete(librarian(), keyOf(evidence)))).toBeInstanceOf(
      ConflictError,
    );
    context.objects.objects.set(uploadKeyOf(evidence), SAMPLES['image/png']);
    expect((await context.service.complete(librarian(), keyOf(evidence))).status).toBe('verified');
  });

  it('answers 409 report_locked for an upload that lands after the report was submitted, every time', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    await context.reportIn('submitted');
    for (let call = 0; call < 2; call += 1) {
      const error = await failure(context.service.complete(librarian(), keyOf(item)));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.statusCode).toBe(409);
      expect(error.detail.zh).toContain('已提交或已通过');
      expect(error.detail.en).toContain('submitted or accepted');
      expect(error.errors).toEqual([
        {
          path: 'evidenceId',
          code: REPORT_LOCKED,
          message: { zh: expect.any(String), en: expect.any(String) },
        },
      ]);
    }
    expect(context.evidence.items.get(evidenceKeyText(keyOf(item)))?.status).toBe('rejected');
    expect(context.objects.objects.has(item.objectKey)).toBe(false);
  });

  it('is refused to another library and to the province before anything is read', async () => {
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    for (const principal of [librarian(OTHER), province]) {
      expect(await failure(context.service.complete(principal, keyOf(item)))).toBeInstanceOf(
        ForbiddenError,
      );
    }
    expect(context.objects.reads).toBe(0);
    expect(context.evidence.successfulTransitions).toBe(0);
  });
});

describe('EvidenceService.presign', () => {
  let context: Setup;
  beforeEach(() => {
    context = setup();
  });

  const body = (overrides: Record<string, unknown> = {}) => ({
    fileName: '活动照片.png',
    contentType: 'image/png' as const,
    size: 100,
    ...overrides,
  });

  it('records a pending item and presigns an upload held to its own key, type and size', async () => {
    await context.reportIn('draft');
    const { evidence, upload } = await context.service.presign(
      librarian(),
      reportKey(),
      body({ sectionKey: 'activities', caption: '世界读书日活动' }),
    );
    expect(evidence).toMatchObject({
      ...reportKey(),
      fileName: '活动照片.png',
      contentType: 'image/png',
      size: 100,
      sectionKey: 'activities',
      caption: '世界读书日活动',
      status: 'pending',
      createdAt: OPEN_TIME,
      createdBy: { subject: `librarian-${OWN}`, role: 'library', libraryId: OWN },
      objectKey: evidenceObjectKey({ ...reportKey(), evidenceId: evidence.evidenceId }),
      uploadKey: evidenceUploadKey({ ...reportKey(), evidenceId: evidence.evidenceId }),
    });
    expect(evidence.objectKey).toBe(`evidence/${OWN}/${FORM_ID}/${PERIOD}/${evidence.evidenceId}`);
    // Not the key downloads read: only verification writes that one.
    expect(evidence.uploadKey).toBe(`uploads/${OWN}/${FORM_ID}/${PERIOD}/${evidence.evidenceId}`);
    expect(context.objects.presigned).toEqual([
      {
        objectKey: evidence.uploadKey,
        contentType: 'image/png',
        maxBytes: 100,
        expiresInSeconds: UPLOAD_EXPIRY_SECONDS,
      },
    ]);
    expect(upload.expiresAt).toBe(
      new Date(Date.parse(OPEN_TIME) + UPLOAD_EXPIRY_SECONDS * 1000).toISOString(),
    );
    expect(context.evidence.items.size).toBe(1);
  });

  it('refuses an unknown section (400 at sectionKey) and records nothing', async () => {
    await context.reportIn('draft');
    const error = await failure(
      context.service.presign(librarian(), reportKey(), body({ sectionKey: 'noSuchSection' })),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'sectionKey', code: 'invalid_section' }),
    ]);
    expect(error.errors[0]?.message.en).toContain('activities');
    expect(context.evidence.items.size).toBe(0);
  });

  it.each(['services', 'staffing', 'plans'])(
    'takes evidence for section %s, as for any section of the dictionary',
    async (sectionKey) => {
      await context.reportIn('draft');
      const { evidence } = await context.service.presign(
        librarian(),
        reportKey(),
        body({ sectionKey }),
      );
      expect(evidence).toMatchObject({ sectionKey, status: 'pending' });
      expect(context.evidence.items.size).toBe(1);
    },
  );

  it('answers 404 before the report was saved', async () => {
    expect(await failure(context.service.presign(librarian(), reportKey(), body()))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it.each(['submitted', 'accepted'] as const)(
    'refuses a report that is %s (409) and records nothing',
    async (status) => {
      await context.reportIn(status);
      expect(
        await failure(context.service.presign(librarian(), reportKey(), body())),
      ).toBeInstanceOf(ConflictError);
      expect(context.evidence.items.size).toBe(0);
    },
  );

  it('ends a loop of adding and deleting: at most ten times the limit of items ever (409)', async () => {
    await context.reportIn('draft');
    for (let index = 0; index < MAX_ITEMS * 10; index += 1) {
      const { evidence } = await context.service.presign(librarian(), reportKey(), body());
      await context.service.delete(librarian(), keyOf(evidence));
    }
    const error = await failure(context.service.presign(librarian(), reportKey(), body()));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.detail.en).toContain(`${MAX_ITEMS * 10} files were added`);
    expect(context.evidence.items.size).toBe(MAX_ITEMS * 10);
  });

  it('accepts a returned report', async () => {
    await context.reportIn('returned');
    const { evidence } = await context.service.presign(librarian(), reportKey(), body());
    expect(evidence.status).toBe('pending');
  });

  it('refuses more than the limit of active items (409); rejected and deleted ones do not count', async () => {
    await context.reportIn('draft');
    const items: EvidenceItem[] = [];
    for (let index = 0; index < MAX_ITEMS; index += 1) {
      items.push((await context.service.presign(librarian(), reportKey(), body())).evidence);
    }
    const error = await failure(context.service.presign(librarian(), reportKey(), body()));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.detail.en).toContain(String(MAX_ITEMS));
    expect(context.evidence.items.size).toBe(MAX_ITEMS);

    // One rejected and one deleted free two places.
    const [first, second] = items;
    if (!first || !second) throw new Error('presign did not record the items');
    context.objects.objects.set(uploadKeyOf(first), TEXT);
    expect((await context.service.verify(keyOf(first))).status).toBe('rejected');
    await context.service.delete(librarian(), keyOf(second));
    await context.service.presign(librarian(), reportKey(), body());
    await context.service.presign(librarian(), reportKey(), body());
    expect(await failure(context.service.presign(librarian(), reportKey(), body()))).toBeInstanceOf(
      ConflictError,
    );
  });

  it('keeps the limit when uploads race for the last place: one gets it, the others 409', async () => {
    await context.reportIn('draft');
    for (let index = 0; index < MAX_ITEMS - 1; index += 1) {
      await context.service.presign(librarian(), reportKey(), body());
    }
    const racing = await Promise.allSettled(
      Array.from({ length: 4 }, () => context.service.presign(librarian(), reportKey(), body())),
    );
    expect(racing.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of racing) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConflictError);
    }
    expect(context.evidence.items.size).toBe(MAX_ITEMS);
    // They did race: at least one create found the set moved on and counted again.
    expect(context.evidence.changedSetRefusals).toBeGreaterThan(0);
  });

  it('takes as many uploads at once as the limit allows, each counted again after a lost race', async () => {
    await context.reportIn('draft');
    const racing = await Promise.all(
      Array.from({ length: MAX_ITEMS }, () =>
        context.service.presign(librarian(), reportKey(), body()),
      ),
    );
    expect(new Set(racing.map(({ evidence }) => evidence.evidenceId)).size).toBe(MAX_ITEMS);
    expect(context.evidence.items.size).toBe(MAX_ITEMS);
    expect(context.evidence.versions.get(`${OWN}/${FORM_ID}/${PERIOD}`)).toBe(MAX_ITEMS);
    expect(context.evidence.changedSetRefusals).toBeGreaterThan(0);
  });

  it('refuses a locked period (423)', async () => {
    await context.reportIn('draft');
    context.setTime(AFTER_LOCK);
    expect(await failure(context.service.presign(librarian(), reportKey(), body()))).toBeInstanceOf(
      LockedError,
    );
    expect(context.evidence.items.size).toBe(0);
  });

  it.each([
    ['ten minutes before the lock', '2026-03-31T15:50:00.000Z', UPLOAD_EXPIRY_SECONDS],
    ['five minutes before the lock', '2026-03-31T15:55:00.000Z', 300],
    ['in the second before the lock second', '2026-03-31T15:59:58.000Z', 2],
    ['in the lock second itself', '2026-03-31T15:59:59.400Z', 1],
  ])('ends the upload link with the period, presigned %s', async (_, now, seconds) => {
    await context.reportIn('draft');
    context.setTime(now);
    await context.service.presign(librarian(), reportKey(), body());
    expect(context.objects.presigned.map((ticket) => ticket.expiresInSeconds)).toEqual([seconds]);
  });

  it('gives a library writing after the lock under an exception the full ten minutes', async () => {
    await context.reportIn('draft');
    context.setTime('2026-04-01T00:00:00.000Z');
    await context.periods.addException(admin, FORM_ID, PERIOD, {
      libraryId: OWN,
      until: '2026-04-10T23:59:59+08:00',
    });
    await context.service.presign(librarian(), reportKey(), body());
    expect(context.objects.presigned.map((ticket) => ticket.expiresInSeconds)).toEqual([
      UPLOAD_EXPIRY_SECONDS,
    ]);
  });

  it('is for the owner library only (403)', async () => {
    await context.reportIn('draft');
    for (const principal of [librarian(OTHER), province]) {
      expect(await failure(context.service.presign(principal, reportKey(), body()))).toBeInstanceOf(
        ForbiddenError,
      );
    }
  });
});

describe('EvidenceService.list and delete', () => {
  let context: Setup;
  beforeEach(() => {
    context = setup();
  });

  it('lists with download links for verified items only, and hides deleted ones', async () => {
    await context.reportIn('draft');
    const verified = await uploaded(context, 'image/png', SAMPLES['image/png'], {
      fileName: '馆舍.png',
    });
    await context.service.verify(keyOf(verified));
    const pending = (
      await context.service.presign(librarian(), reportKey(), {
        fileName: 'p.pdf',
        contentType: 'application/pdf',
        size: 10,
      })
    ).evidence;
    const gone = await uploaded(context, 'image/jpeg', SAMPLES['image/jpeg']);
    await context.service.verify(keyOf(gone));
    await context.service.delete(librarian(), keyOf(gone));

    for (const principal of [librarian(), province]) {
      const items = await context.service.list(principal, reportKey());
      expect(items.map((item) => item.evidenceId)).toEqual([
        verified.evidenceId,
        pending.evidenceId,
      ]);
      expect(items[0]?.downloadUrl).toContain(encodeURIComponent('馆舍.png'));
      expect(items[1]?.downloadUrl).toBeUndefined();
    }
    expect(await failure(context.service.list(librarian(OTHER), reportKey()))).toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('lists at a revision what was verified before it and deleted after it', async () => {
    await context.reportIn('draft');
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    context.setTime('2025-12-02T00:00:00.000Z');
    await context.service.verify(keyOf(item));
    context.setTime('2025-12-03T00:00:00.000Z');
    const second = await context.reportIn('draft');
    context.setTime('2025-12-04T00:00:00.000Z');
    await context.service.delete(librarian(), keyOf(item));

    expect(await context.service.list(librarian(), reportKey())).toEqual([]);
    const atSecond = await context.service.list(librarian(), reportKey(), second);
    expect(atSecond.map((entry) => entry.evidenceId)).toEqual([item.evidenceId]);
    expect(atSecond[0]?.downloadUrl).toEqual(expect.any(String));
    expect(await context.service.list(librarian(), reportKey(), 1)).toEqual([]);
    expect(await failure(context.service.list(librarian(), reportKey(), 99))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('deletes: marks the object of verified evidence, not of rejected evidence', async () => {
    await context.reportIn('draft');
    const good = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const bad = await uploaded(context, 'image/png', TEXT);
    const verified = await context.service.verify(keyOf(good));
    await context.service.verify(keyOf(bad));
    await context.service.delete(librarian(), keyOf(good));
    await context.service.delete(librarian(), keyOf(bad));
    expect([...context.objects.markedDeleted]).toEqual([verified.objectKey]);
    expect(context.evidence.items.get(evidenceKeyText(keyOf(good)))).toMatchObject({
      status: 'deleted',
      deletedAt: OPEN_TIME,
      deletedBy: { subject: `librarian-${OWN}`, role: 'library', libraryId: OWN },
    });
    // Deleting again: there is nothing left to delete.
    expect(await failure(context.service.delete(librarian(), keyOf(good)))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('deletes an upload that lands after its item was deleted, and completes it as gone (404)', async () => {
    await context.reportIn('draft');
    const { evidence } = await context.service.presign(librarian(), reportKey(), {
      fileName: 'late.png',
      contentType: 'image/png',
      size: SAMPLES['image/png'].byteLength,
    });
    await context.service.delete(librarian(), keyOf(evidence));
    context.objects.objects.set(uploadKeyOf(evidence), SAMPLES['image/png']);
    expect(await context.service.verify(keyOf(evidence))).toMatchObject({ status: 'deleted' });
    expect(context.objects.objects.has(uploadKeyOf(evidence))).toBe(false);
    expect(context.objects.objects.has(evidence.objectKey)).toBe(false);
    expect(await failure(context.service.complete(librarian(), keyOf(evidence)))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('removes the copy a verification made when the item was deleted meanwhile', async () => {
    await context.reportIn('draft');
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    const paused = context.objects.pauseNext('copy');
    const verification = context.service.verify(keyOf(item));
    await paused.arrived;
    // The deletion's record is written; its object cleanup has not run yet.
    await context.evidence.transition(keyOf(item), ['pending'], { status: 'deleted' });
    paused.release();
    expect(await verification).toMatchObject({ status: 'deleted' });
    const copy = verifiedCopyOf(item, SAMPLES['image/png']);
    expect(context.objects.copied).toEqual([copy]);
    expect(context.objects.deleted).toContain(copy);
    expect(context.objects.objects.has(copy)).toBe(false);
  });

  it('verifies evidence uploaded in place, from before uploads had their own key', async () => {
    await context.reportIn('draft');
    const evidence = await uploadedInPlace(context, SAMPLES['image/png']);
    expect(await context.service.verify(keyOf(evidence))).toMatchObject({ status: 'verified' });
    expect(context.objects.copied).toEqual([]);
    expect(context.objects.objects.get(evidence.objectKey)).toEqual(SAMPLES['image/png']);
    await context.service.delete(librarian(), keyOf(evidence));
    expect([...context.objects.markedDeleted]).toEqual([evidence.objectKey]);
  });

  it('refuses to delete from a submitted report (409) and in a locked period (423)', async () => {
    await context.reportIn('draft');
    const item = await uploaded(context, 'image/png', SAMPLES['image/png']);
    await context.service.verify(keyOf(item));
    context.setTime(AFTER_LOCK);
    expect(await failure(context.service.delete(librarian(), keyOf(item)))).toBeInstanceOf(
      LockedError,
    );
    context.setTime(OPEN_TIME);
    await context.reportIn('submitted');
    expect(await failure(context.service.delete(librarian(), keyOf(item)))).toBeInstanceOf(
      ConflictError,
    );
    expect(context.evidence.items.get(evidenceKeyText(keyOf(item)))?.status).toBe('verified');
    expect(context.objects.markedDeleted.size).toBe(0);
  });
});
