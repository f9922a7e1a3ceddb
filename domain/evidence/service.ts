/** Presign, verify, list and delete evidence for a report. */
import { createHash, randomUUID } from 'node:crypto';
import { authorize } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { BadRequestError, ConflictError, type LocalizedText, NotFoundError } from '../errors.js';
import type { FormRegistry } from '../forms/catalog.js';
import { resolveForm } from '../forms/resolve.js';
import type { PeriodService, ResolvedWindow } from '../periods/service.js';
import { boundEndsAt, isWithinBound } from '../periods/writable.js';
import { actorOf, type SubmissionHead, type SubmissionKey } from '../submissions/model.js';
import type { SubmissionStore } from '../submissions/store.js';
import {
  type DetectContentType,
  downloadName,
  EVIDENCE_TYPES,
  type EvidenceItem,
  type EvidenceKey,
  type EvidenceObjects,
  EvidenceSetChangedError,
  type EvidenceStore,
  evidenceObjectKey,
  evidenceUploadKey,
  type PresignEvidenceBody,
  type UploadTicket,
  verifiedObjectKey,
} from './model.js';

export const UPLOAD_EXPIRY_SECONDS = 10 * 60;
export const DOWNLOAD_EXPIRY_SECONDS = 5 * 60;
/** Enough bytes for every signature the detector knows (file-type's 4,100). */
const SNIFF_BYTES = 4_100;

export interface EvidenceLimits {
  maxBytes: number;
  maxItemsPerReport: number;
}

export interface EvidenceServiceDeps {
  evidence: EvidenceStore;
  objects: EvidenceObjects;
  /** Only verification uses it; the other functions pass one that refuses. */
  detectType: DetectContentType;
  submissions: SubmissionStore;
  /**
   * The report's window and form: what editing and listing check. Verification needs neither
   * (verify-evidence is wired without them): it checks the report's status, and the upload's
   * link ends when the period locks.
   */
  periods: Pick<PeriodService, 'assertLibraryMayWrite'>;
  forms: Pick<FormRegistry, 'get'>;
  limits: EvidenceLimits;
  now: () => Date;
}

export interface EvidenceView extends EvidenceItem {
  /** A short-lived link, for verified evidence only. */
  downloadUrl?: string;
}

const EDITABLE_STATUSES: readonly SubmissionHead['status'][] = ['draft', 'returned'];
const isEditable = (head: SubmissionHead | undefined): head is SubmissionHead =>
  head !== undefined && EDITABLE_STATUSES.includes(head.status);
/** Reads and tries of an upload's create while other uploads of the report keep getting in. */
const CREATE_ATTEMPTS = 40;
/**
 * Items a report may have ever had, deleted and rejected ones included, as a multiple of its
 * limit: every item stays (history shows it), and every presign and verification reads them
 * all, so a loop of presign and delete must not grow a report without end.
 */
const HISTORY_FACTOR = 10;
/** Checks of one verification when its upload keeps being replaced while it is read. */
const VERIFY_ATTEMPTS = 3;
const ACTIVE = ['pending', 'verified'] as const;

/** The rejection of an upload that lands after its report was submitted or accepted. */
export const REPORT_LOCKED = 'report_locked';
const reportLocked: LocalizedText = {
  zh: '报告已提交或已通过，不能再添加佐证材料，上传的文件已删除；如需补充，请联系省馆退回报告。',
  en: 'The report was submitted or accepted, so it takes no more evidence; the uploaded file was deleted. To add it, ask the province to return the report.',
};

const notFound = () => new NotFoundError({ zh: '没有这份佐证材料。', en: 'No such evidence.' });

/**
 * How long an upload link lasts: ten minutes, but not past the second the period locks, so
 * that S3 itself refuses a later upload (verification does not read the window). A library
 * writing after the lock under an exception gets the full ten minutes.
 */
const uploadExpirySeconds = (window: ResolvedWindow, now: Date): number => {
  if (!isWithinBound(now, window.locksAt)) return UPLOAD_EXPIRY_SECONDS;
  const open = Math.floor((boundEndsAt(window.locksAt) - now.getTime()) / 1000);
  return Math.min(UPLOAD_EXPIRY_SECONDS, Math.max(1, open));
};

export class EvidenceService {
  constructor(private readonly deps: EvidenceServiceDeps) {}

  private async editableHead(
    key: SubmissionKey,
  ): Promise<{ head: SubmissionHead; window: ResolvedWindow }> {
    const head = await this.deps.submissions.getHead(key);
    if (!head) {
      throw new NotFoundError({
        zh: '请先保存报告草稿，再上传佐证材料。',
        en: 'Save the report as a draft before attaching evidence.',
      });
    }
    if (!isEditable(head)) {
      throw new ConflictError({
        zh: '报告已提交或已通过，不能再修改佐证材料。',
        en: 'The report is submitted or accepted; its evidence can no longer change.',
      });
    }
    const window = await this.deps.periods.assertLibraryMayWrite(
      key.formId,
      key.period,
      key.libraryId,
    );
    return { head, window };
  }

  /** Records a pending item and returns a presigned POST that S3 itself holds to the limits. */
  async presign(
    principal: Principal,
    key: SubmissionKey,
    body: PresignEvidenceBody,
  ): Promise<{ evidence: EvidenceItem; upload: UploadTicket }> {
    authorize(principal, 'submission:edit', key.libraryId);
    const { head, window } = await this.editableHead(key);
    const form = resolveForm(this.deps.forms, key.formId, key.period, head.formVersion);
    if (body.sectionKey !== undefined) {
      const section = form.definition.sections.find(
        (candidate) => candidate.key === body.sectionKey,
      );
      if (!section?.evidence) {
        throw new BadRequestError(
          { zh: '该栏目不接受佐证材料。', en: 'That section does not take evidence.' },
          {
            errors: [
              {
                path: 'sectionKey',
                code: 'invalid_section',
                message: {
                  zh: `可上传材料的栏目：${form.definition.sections
                    .filter((s) => s.evidence)
                    .map((s) => s.key)
                    .join('、')}`,
                  en: `Sections taking evidence: ${form.definition.sections
                    .filter((s) => s.evidence)
                    .map((s) => s.key)
                    .join(', ')}`,
                },
              },
            ],
          },
        );
      }
    }
    const evidenceId = randomUUID();
    const item: EvidenceItem = {
      ...key,
      evidenceId,
      fileName: body.fileName,
      contentType: body.contentType,
      size: body.size,
      ...(body.sectionKey !== undefined ? { sectionKey: body.sectionKey } : {}),
      ...(body.caption ? { caption: body.caption } : {}),
      objectKey: evidenceObjectKey({ ...key, evidenceId }),
      uploadKey: evidenceUploadKey({ ...key, evidenceId }),
      status: 'pending',
      createdAt: this.deps.now().toISOString(),
      createdBy: actorOf(principal),
    };
    await this.createWithinLimit(key, item);
    const upload = await this.deps.objects.presignUpload(
      item.uploadKey ?? item.objectKey,
      item.contentType,
      item.size,
      uploadExpirySeconds(window, this.deps.now()),
    );
    return { evidence: item, upload };
  }

  /**
   * Adds the item unless the report already has its limit of pending and verified evidence.
   * The count and the create go by the same snapshot: when another upload of the same report
   * got in between (a librarian picking several photos at once), the count is taken again at
   * once; that upload's success is the progress, and the store backs off from conflicts.
   */
  private async createWithinLimit(key: SubmissionKey, item: EvidenceItem): Promise<void> {
    const max = this.deps.limits.maxItemsPerReport;
    for (let attempt = 1; ; attempt += 1) {
      const { items, version } = await this.deps.evidence.snapshot(key);
      const active = items.filter((candidate) =>
        (ACTIVE as readonly string[]).includes(candidate.status),
      );
      if (active.length >= max) {
        throw new ConflictError({
          zh: `每份报告最多 ${max} 份佐证材料，请先删除不需要的材料。`,
          en: `A report takes at most ${max} evidence files; delete some first.`,
        });
      }
      if (items.length >= max * HISTORY_FACTOR) {
        throw new ConflictError({
          zh: `这份报告已添加过 ${items.length} 份材料（含已删除的），不能再添加。如确需添加，请联系省馆。`,
          en: `${items.length} files were added to this report (deleted ones included); no more can be added. Contact the provincial office if you must.`,
        });
      }
      try {
        await this.deps.evidence.create(item, version);
        return;
      } catch (error) {
        if (!(error instanceof EvidenceSetChangedError)) throw error;
        if (attempt === CREATE_ATTEMPTS) {
          throw new ConflictError(
            {
              zh: '同时上传的材料太多，请稍后重试。',
              en: 'Too many files are being added to this report at once; retry shortly.',
            },
            { cause: error },
          );
        }
      }
    }
  }

  /**
   * Checks an uploaded object: its report still editable, size within the limit, magic bytes of
   * the declared type, sha256 over the whole stream; then copies exactly the bytes checked to
   * the key downloads read. Idempotent: an item already decided is returned as it is, and of two
   * concurrent verifications only one decides.
   */
  async verify(key: EvidenceKey): Promise<EvidenceItem> {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.verifyOnce(key);
      // The upload was sent again while it was read: check the new bytes.
      if (outcome !== 'replaced') return outcome;
      if (attempt === VERIFY_ATTEMPTS) return this.current(key);
    }
  }

  private async verifyOnce(key: EvidenceKey): Promise<EvidenceItem | 'replaced'> {
    const item = await this.deps.evidence.get(key);
    if (!item) throw notFound();
    const uploadKey = item.uploadKey ?? item.objectKey;
    if (item.status !== 'pending') {
      // An upload to a decided item (its link lives on for minutes) is never checked or served.
      if (item.uploadKey) await this.deps.objects.delete(item.uploadKey);
      // Evidence uploaded in place (before uploads had their own key) is tagged for expiry.
      else if (item.status === 'deleted') await this.deps.objects.markDeleted(item.objectKey);
      return item;
    }
    const size = await this.deps.objects.size(uploadKey);
    // Nothing uploaded yet, or a concurrent verification rejected and deleted it meanwhile.
    if (size === undefined) return this.current(key);

    const reject = async (code: string, message: LocalizedText) => {
      const decided = await this.deps.evidence.transition(key, ['pending'], {
        status: 'rejected',
        actualSize: size,
        rejection: { code, message },
      });
      if (decided) await this.deps.objects.delete(uploadKey);
      return this.current(key);
    };

    // Presign checked the report, but its link outlives a submission by up to ten minutes.
    if (!isEditable(await this.deps.submissions.getHead(key))) {
      return reject(REPORT_LOCKED, reportLocked);
    }

    if (size === 0 || size > this.deps.limits.maxBytes || size > item.size) {
      return reject('size', {
        zh: `文件大小 ${size} 字节超出限制（声明 ${item.size} 字节，上限 ${this.deps.limits.maxBytes} 字节）。`,
        en: `The file has ${size} bytes; declared ${item.size}, limit ${this.deps.limits.maxBytes}.`,
      });
    }

    const hash = createHash('sha256');
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let total = 0;
    let version: string;
    try {
      const stored = await this.deps.objects.read(uploadKey);
      version = stored.version;
      for await (const chunk of stored.body) {
        hash.update(chunk);
        total += chunk.byteLength;
        if (headBytes < SNIFF_BYTES) {
          head.push(chunk);
          headBytes += chunk.byteLength;
        }
      }
    } catch (error) {
      // A concurrent verification (the S3 event and the client's complete, or two completes)
      // may have rejected the object and deleted it under us: its decision stands.
      const latest = await this.current(key);
      if (latest.status !== 'pending') return latest;
      throw error;
    }
    const detected = await this.deps.detectType(Buffer.concat(head).subarray(0, SNIFF_BYTES));
    const allowed: readonly string[] = EVIDENCE_TYPES[item.contentType];
    if (!detected || !allowed.includes(detected)) {
      return reject('type', {
        zh: `文件内容不是声明的类型 ${item.contentType}${detected ? `（实际为 ${detected}）` : ''}。`,
        en: `The file is not ${item.contentType}${detected ? ` but ${detected}` : ''}.`,
      });
    }
    const sha256 = hash.digest('hex');
    const twin = (await this.deps.evidence.findVerifiedBySha256(item.libraryId, sha256)).find(
      (candidate) => candidate.evidenceId !== item.evidenceId,
    );
    // Again before the copy: the report may have been submitted while the bytes were read. The
    // decision's write checks it once more, in the same transaction.
    if (!isEditable(await this.deps.submissions.getHead(key))) {
      return reject(REPORT_LOCKED, reportLocked);
    }
    // The copy's key names its bytes: two verifications of different uploads (a link used twice
    // before either decided) each copy to their own key, and only the one that decides has its
    // key recorded, so what downloads read is always what the record's sha256 describes.
    const verifiedKey = item.uploadKey ? verifiedObjectKey(item, sha256) : item.objectKey;
    if (item.uploadKey && !(await this.deps.objects.copy(item.uploadKey, verifiedKey, version))) {
      return 'replaced';
    }
    const decided = await this.deps.evidence
      .transition(
        key,
        ['pending'],
        {
          status: 'verified',
          objectKey: verifiedKey,
          verifiedAt: this.deps.now().toISOString(),
          sha256,
          actualSize: total,
          ...(twin ? { duplicateOf: twin.evidenceId } : {}),
        },
        EDITABLE_STATUSES,
      )
      .catch(async (error: unknown) => {
        // Not recorded (storage down or busy): the copy is not left behind, unless another
        // verification of the same bytes recorded that key meanwhile. A failure to clean up
        // must not hide the error the event is retried for.
        if (item.uploadKey) {
          const recorded = await this.deps.evidence.get(key).catch(() => undefined);
          if (recorded && recorded.objectKey !== verifiedKey) {
            await this.deps.objects.delete(verifiedKey).catch(() => undefined);
          }
        }
        throw error;
      });
    const latest = await this.current(key);
    if (!decided && latest.status === 'pending') {
      // Still pending, so the report's check failed: it was submitted after the read above.
      if (item.uploadKey) await this.deps.objects.delete(verifiedKey);
      return reject(REPORT_LOCKED, reportLocked);
    }
    if (item.uploadKey) {
      // Only now: a concurrent verification still finds the upload until the item is decided.
      await this.deps.objects.delete(item.uploadKey);
      // Decided otherwise meanwhile (another upload verified, rejected, deleted): the copy
      // made for this one is never read.
      if (!decided && latest.objectKey !== verifiedKey) await this.deps.objects.delete(verifiedKey);
    }
    return latest;
  }

  private async current(key: EvidenceKey): Promise<EvidenceItem> {
    const item = await this.deps.evidence.get(key);
    if (!item) throw notFound();
    return item;
  }

  /** The client's "upload finished": verify now rather than wait for the S3 event. */
  async complete(principal: Principal, key: EvidenceKey): Promise<EvidenceItem> {
    authorize(principal, 'submission:edit', key.libraryId);
    const item = await this.verify(key);
    if (item.status === 'deleted') throw notFound();
    // Refused like a presign to a submitted report (409), though the item records why too.
    if (item.status === 'rejected' && item.rejection?.code === REPORT_LOCKED) {
      throw new ConflictError(item.rejection.message, {
        errors: [
          {
            path: 'evidenceId',
            code: REPORT_LOCKED,
            message: { zh: '报告已不可修改', en: 'the report can no longer change' },
          },
        ],
      });
    }
    if (item.status === 'pending') {
      throw new ConflictError({
        zh: '还没有收到上传的文件，请上传后再确认。',
        en: 'No uploaded file was found yet; upload it first.',
      });
    }
    return item;
  }

  /**
   * The report's evidence with download links. `atRevision` shows what was attached when that
   * revision was written (for the province's review of history).
   */
  async list(
    principal: Principal,
    key: SubmissionKey,
    atRevision?: number,
  ): Promise<EvidenceView[]> {
    authorize(principal, 'submission:read', key.libraryId);
    resolveForm(this.deps.forms, key.formId, key.period);
    let items = await this.deps.evidence.list(key);
    if (atRevision !== undefined) {
      const revision = await this.deps.submissions.getRevision(key, atRevision);
      if (!revision)
        throw new NotFoundError({
          zh: `没有第 ${atRevision} 版。`,
          en: `No revision ${atRevision}.`,
        });
      const at = revision.at;
      items = items.filter(
        (item) =>
          item.verifiedAt !== undefined &&
          item.verifiedAt <= at &&
          (item.deletedAt === undefined || item.deletedAt > at),
      );
    } else {
      items = items.filter((item) => item.status !== 'deleted');
    }
    return Promise.all(
      items.map(async (item) =>
        item.status === 'verified' || atRevision !== undefined
          ? {
              ...item,
              downloadUrl: await this.deps.objects.presignDownload(
                item.objectKey,
                downloadName(item.fileName, item.contentType),
                DOWNLOAD_EXPIRY_SECONDS,
              ),
            }
          : item,
      ),
    );
  }

  /** Removes evidence from an editable report; the object expires by lifecycle rule. */
  async delete(principal: Principal, key: EvidenceKey): Promise<void> {
    authorize(principal, 'submission:edit', key.libraryId);
    await this.editableHead(key);
    const item = await this.deps.evidence.get(key);
    if (!item || item.status === 'deleted') throw notFound();
    const moved = await this.deps.evidence.transition(key, ['pending', 'verified', 'rejected'], {
      status: 'deleted',
      deletedAt: this.deps.now().toISOString(),
      deletedBy: actorOf(principal),
    });
    if (!moved) throw notFound();
    // An upload is deleted outright; the verified file (also one a verification may have just
    // copied) is tagged, and kept a while for the history.
    if (item.uploadKey) await this.deps.objects.delete(item.uploadKey);
    if (item.status !== 'rejected') await this.deps.objects.markDeleted(item.objectKey);
  }
}
