/**
 * Evidence (佐证材料): photos and scanned documents attached to a report, optionally to one of
 * its sections. Uploaded straight to S3 with a presigned POST, then verified on the server
 * (magic bytes, size, sha256) before anyone can download it.
 */
import * as z from 'zod/mini';
import { LibraryId } from '../auth/principal.js';
import { FieldKey, LocalizedText } from '../forms/primitives.js';
import { Actor, type SubmissionKey, type SubmissionStatus } from '../submissions/model.js';

/** Declared type → the types magic-byte detection may report for it. */
export const EVIDENCE_TYPES = {
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png'],
  'image/webp': ['image/webp'],
  'image/heic': ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'],
  'application/pdf': ['application/pdf'],
} as const satisfies Record<string, readonly string[]>;
/** The extension a downloaded file gets for its verified type. */
const EXTENSIONS: Record<keyof typeof EVIDENCE_TYPES, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'image/heic': '.heic',
  'application/pdf': '.pdf',
};

/**
 * Characters a file name must not carry to someone's disk: controls, path separators, and the
 * bidirectional marks that make `photo\u202Egpj.exe` read as `photoexe.jpg`.
 */
const UNSAFE_IN_NAMES = /[\p{Cc}/\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * The name a download is saved under: the uploaded name's stem, cleaned, with the extension of
 * the type verification found, so `报告.exe` or `x.html` is saved as the picture or PDF it is.
 */
export const downloadName = (fileName: string, contentType: keyof typeof EVIDENCE_TYPES) => {
  const cleaned = fileName.replace(UNSAFE_IN_NAMES, '').trim();
  const stem = cleaned.replace(/\.[^.]*$/, '').trim() || '佐证材料';
  return `${stem}${EXTENSIONS[contentType]}`;
};

export const EvidenceContentType = z.enum(
  Object.keys(EVIDENCE_TYPES) as [keyof typeof EVIDENCE_TYPES, ...(keyof typeof EVIDENCE_TYPES)[]],
);
export type EvidenceContentType = z.infer<typeof EvidenceContentType>;

export const EvidenceStatus = z.enum(['pending', 'verified', 'rejected', 'deleted']);
export type EvidenceStatus = z.infer<typeof EvidenceStatus>;

export const MAX_CAPTION_LENGTH = 200;

export const EvidenceItem = z.object({
  libraryId: LibraryId,
  formId: z.string(),
  period: z.string(),
  evidenceId: z.string(),
  fileName: z.string(),
  contentType: EvidenceContentType,
  /** The size the client declared; S3's upload policy caps the object at it. */
  size: z.number().check(z.int(), z.positive()),
  sectionKey: z.optional(FieldKey),
  caption: z.optional(z.string()),
  /**
   * The verified file, which downloads read, written only by verification: once verified,
   * `evidence/…/{evidenceId}/{sha256}` (before, where it will be, without the hash; evidence
   * from before uploads had their own key keeps `evidence/…/{evidenceId}`).
   */
  objectKey: z.string(),
  /**
   * Where the browser uploads it (absent on evidence from before uploads had their own key,
   * uploaded and verified in place at `objectKey`).
   */
  uploadKey: z.optional(z.string()),
  status: EvidenceStatus,
  createdAt: z.string(),
  createdBy: Actor,
  verifiedAt: z.optional(z.string()),
  sha256: z.optional(z.string()),
  actualSize: z.optional(z.number().check(z.int(), z.nonnegative())),
  /** Another verified item of the same library with identical bytes. */
  duplicateOf: z.optional(z.string()),
  rejection: z.optional(z.object({ code: z.string(), message: LocalizedText })),
  deletedAt: z.optional(z.string()),
  deletedBy: z.optional(Actor),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

const objectPath = (key: EvidenceKey) =>
  `${key.libraryId}/${key.formId}/${key.period}/${key.evidenceId}`;

/** The verified file: `evidence/{libraryId}/{formId}/{period}/{evidenceId}`. */
export const evidenceObjectKey = (key: EvidenceKey) => `evidence/${objectPath(key)}`;

/**
 * Where verification copies an upload whose bytes have this sha256:
 * `evidence/{libraryId}/{formId}/{period}/{evidenceId}/{sha256}`, recorded as the item's
 * `objectKey` when it is verified.
 */
export const verifiedObjectKey = (key: EvidenceKey, sha256: string) =>
  `${evidenceObjectKey(key)}/${sha256}`;

/** The browser's upload of it: `uploads/{libraryId}/{formId}/{period}/{evidenceId}`. */
export const evidenceUploadKey = (key: EvidenceKey) => `uploads/${objectPath(key)}`;

/** Reads an upload's key back, e.g. from an S3 event; undefined for any other key. */
export const parseEvidenceUploadKey = (objectKey: string): EvidenceKey | undefined => {
  const match = /^uploads\/(\d{6})\/([A-Za-z0-9-]+)\/([A-Za-z0-9-]+)\/([A-Za-z0-9-]+)$/.exec(
    objectKey,
  );
  if (!match) return undefined;
  const [, libraryId = '', formId = '', period = '', evidenceId = ''] = match;
  return { libraryId, formId, period, evidenceId };
};

export const PresignEvidenceBody = (maxBytes: number) =>
  z.strictObject({
    fileName: z.string().check(z.trim(), z.minLength(1), z.maxLength(255)),
    contentType: EvidenceContentType,
    size: z.number().check(z.int(), z.minimum(1), z.maximum(maxBytes)),
    sectionKey: z.optional(FieldKey),
    caption: z.optional(z.string().check(z.trim(), z.maxLength(MAX_CAPTION_LENGTH))),
  });
export type PresignEvidenceBody = z.infer<ReturnType<typeof PresignEvidenceBody>>;

/**
 * Port: what a file's first bytes (magic numbers) say it is, as a media type such as
 * `image/png`; undefined when they match no known signature.
 */
export type DetectContentType = (head: Uint8Array) => Promise<string | undefined>;

/**
 * A report's evidence as read before adding to it: its items, oldest first, and the version of
 * the set, which every create moves on (0 before the first).
 */
export interface EvidenceSnapshot {
  items: EvidenceItem[];
  version: number;
}

/** Another item was added to the report since its snapshot was read. */
export class EvidenceSetChangedError extends Error {
  constructor(
    readonly report: SubmissionKey,
    readonly expectedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Evidence of ${report.libraryId}/${report.formId}/${report.period} is no longer at version ${expectedVersion}`,
      options,
    );
    this.name = 'EvidenceSetChangedError';
  }
}

/** Port: evidence metadata. */
export interface EvidenceStore {
  /**
   * Adds an item if no other create moved the report's set past `expectedVersion` (from its
   * snapshot), so a limit checked on the snapshot still holds; EvidenceSetChangedError if one did.
   */
  create(item: EvidenceItem, expectedVersion: number): Promise<void>;
  get(key: EvidenceKey): Promise<EvidenceItem | undefined>;
  /** Every item of one report, oldest first. */
  list(report: SubmissionKey): Promise<EvidenceItem[]>;
  /** The items of one report with the set's version, for a create that must respect a limit. */
  snapshot(report: SubmissionKey): Promise<EvidenceSnapshot>;
  /** Verified items of a library with these bytes. */
  findVerifiedBySha256(libraryId: string, sha256: string): Promise<EvidenceItem[]>;
  /**
   * Moves an item from one of `from` to the patch's status; false when the item was not in
   * one of them any more (someone else moved it first), or when `reportIn` is given and the
   * item's report is not in one of those statuses, checked in the same write.
   */
  transition(
    key: EvidenceKey,
    from: readonly EvidenceStatus[],
    patch: Partial<EvidenceItem> & { status: EvidenceStatus },
    reportIn?: readonly SubmissionStatus[],
  ): Promise<boolean>;
}

export interface EvidenceKey {
  libraryId: string;
  formId: string;
  period: string;
  evidenceId: string;
}

export interface UploadTicket {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface StoredObject {
  body: AsyncIterable<Uint8Array>;
  version: string;
}

/** Port: where evidence bytes live (the evidence bucket). */
export interface EvidenceObjects {
  presignUpload(
    objectKey: string,
    contentType: string,
    maxBytes: number,
    expiresInSeconds: number,
  ): Promise<UploadTicket>;
  /** Size of the stored object, or undefined when nothing was uploaded. */
  size(objectKey: string): Promise<number | undefined>;
  /** The object's bytes and its version (an opaque tag of exactly these bytes). */
  read(objectKey: string): Promise<StoredObject>;
  /**
   * Copies an upload to `objectKey` if it still is the version that was read; false, copying
   * nothing, when it was replaced or removed meanwhile.
   */
  copy(uploadKey: string, objectKey: string, version: string): Promise<boolean>;
  /** Deletes the object; nothing to delete is not an error. */
  delete(objectKey: string): Promise<void>;
  /** Marks an object of deleted evidence, which a lifecycle rule then expires. */
  markDeleted(objectKey: string): Promise<void>;
  presignDownload(objectKey: string, fileName: string, expiresInSeconds: number): Promise<string>;
}
