/**
 * A section's evidence (佐证材料): upload photos or PDFs straight to storage with a progress
 * bar, see thumbnails once the server has verified them, remove them while editable.
 */
import { useRef, useState } from 'preact/hooks';
import { api, type EvidenceView, problemText, uploadWithProgress } from '../api.js';
import { type Localized, useT } from '../i18n.js';
import {
  createLimiter,
  finishUpload,
  startUpload,
  type Upload,
  updateUpload,
  withoutFailed,
} from './upload-list.js';

/** What the server accepts (docs/api.md), by declared type and by file name for HEIC. */
const TYPE_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heic',
  pdf: 'application/pdf',
};
const ACCEPTED = new Set(Object.values(TYPE_BY_EXTENSION));

const contentTypeOf = (file: File) => {
  if (ACCEPTED.has(file.type)) return file.type;
  return TYPE_BY_EXTENSION[file.name.split('.').pop()?.toLowerCase() ?? ''];
};

export interface EvidencePanelProps {
  path: string;
  /** The section uploads go to; without one, the panel lists and removes but takes none. */
  sectionKey?: string;
  maxFiles?: number;
  hint?: Localized;
  items: EvidenceView[];
  editable: boolean;
  /** Saves the report first when it does not exist yet; false when that failed. */
  ensureSaved: () => Promise<boolean>;
  onChanged: () => void;
}

/** Uploads of the page running at once, over all its sections. */
const UPLOADS_AT_ONCE = 3;
const uploadSlots = createLimiter(UPLOADS_AT_ONCE);

export const EvidencePanel = (props: EvidencePanelProps) => {
  const t = useT();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [error, setError] = useState<string>();
  const lastUploadId = useRef(0);
  const inputId = `evidence-${props.sectionKey ?? 'unplaced'}`;
  const live = props.items.filter((item) => item.status !== 'deleted');

  const upload = (file: File) => {
    lastUploadId.current += 1;
    const id = lastUploadId.current;
    // Shown at once, at 0 %, while it waits for its turn.
    setUploads((current) => startUpload(current, id, file.name));
    return uploadSlots(() => transfer(id, file));
  };

  const transfer = async (id: number, file: File) => {
    const contentType = contentTypeOf(file);
    const track = (patch: Partial<Pick<Upload, 'progress' | 'error'>>) =>
      setUploads((current) => updateUpload(current, id, patch));
    if (!contentType) {
      track({
        error: t(
          '只能上传 JPEG、PNG、WebP、HEIC 图片或 PDF',
          'Only JPEG, PNG, WebP, HEIC images or PDF files',
        ),
      });
      return;
    }
    try {
      if (!(await props.ensureSaved())) {
        track({ error: t('请先保存报告', 'Save the report first') });
        return;
      }
      const ticket = await api.presign(props.path, {
        fileName: file.name,
        contentType,
        size: file.size,
        ...(props.sectionKey === undefined ? {} : { sectionKey: props.sectionKey }),
      });
      await uploadWithProgress(ticket.upload, file, (progress) => track({ progress }));
      const verified = await api.completeEvidence(props.path, ticket.evidence.evidenceId);
      if (verified.status === 'rejected') {
        track({
          error: verified.rejection
            ? t(verified.rejection.message)
            : t('文件未通过校验', 'The file was rejected'),
        });
      } else {
        setUploads((current) => finishUpload(current, id));
      }
    } catch (failure) {
      track({ error: problemText(failure, t) });
    }
    props.onChanged();
  };

  const remove = async (item: EvidenceView) => {
    setError(undefined);
    try {
      await api.deleteEvidence(props.path, item.evidenceId);
      props.onChanged();
    } catch (failure) {
      setError(problemText(failure, t));
    }
  };

  return (
    <section class="evidence" aria-labelledby={`${inputId}-title`}>
      <h3 id={`${inputId}-title`}>
        {t('佐证材料', 'Evidence')}{' '}
        {props.maxFiles === undefined ? null : (
          <span class="muted">
            ({live.length}/{props.maxFiles})
          </span>
        )}
      </h3>
      {props.hint ? <p class="help">{t(props.hint)}</p> : null}
      {live.length > 0 ? (
        <ul class="evidence-list">
          {live.map((item) => (
            <li key={item.evidenceId} class={`evidence-item evidence-${item.status}`}>
              {item.downloadUrl &&
              item.contentType.startsWith('image/') &&
              item.contentType !== 'image/heic' ? (
                <img
                  src={item.downloadUrl}
                  alt={item.caption ?? item.fileName}
                  width={64}
                  height={64}
                  loading="lazy"
                />
              ) : (
                <span class="evidence-icon" aria-hidden="true">
                  {item.contentType === 'application/pdf' ? 'PDF' : '🖼'}
                </span>
              )}
              <span class="evidence-name">
                {item.downloadUrl ? (
                  <a href={item.downloadUrl} target="_blank" rel="noopener">
                    {item.fileName}
                  </a>
                ) : (
                  item.fileName
                )}
                <span class="muted">
                  {item.status === 'pending'
                    ? t(' · 校验中', ' · being checked')
                    : item.status === 'rejected'
                      ? ` · ${item.rejection ? t(item.rejection.message) : t('未通过校验', 'rejected')}`
                      : item.duplicateOf
                        ? t(' · 与已上传文件相同', ' · same as an earlier file')
                        : ''}
                </span>
              </span>
              {props.editable ? (
                <button
                  type="button"
                  class="link-button"
                  aria-label={t(`删除 ${item.fileName}`, `Remove ${item.fileName}`)}
                  onClick={() => void remove(item)}
                >
                  {t('删除', 'Remove')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('尚未上传', 'Nothing uploaded yet')}</p>
      )}
      {uploads.map((entry) => (
        <div key={entry.id} class="upload-progress" aria-live="polite">
          <span>{entry.name}</span>
          {entry.error ? (
            <span class="message error" role="alert">
              {entry.error}
            </span>
          ) : (
            <>
              <progress
                value={entry.progress}
                max={1}
                aria-label={t(`${entry.name} 上传进度`, `Upload of ${entry.name}`)}
              />
              <span>{Math.round(entry.progress * 100)}%</span>
            </>
          )}
        </div>
      ))}
      {error ? (
        <p class="message error" role="alert">
          {error}
        </p>
      ) : null}
      {props.editable &&
      props.sectionKey !== undefined &&
      props.maxFiles !== undefined &&
      live.length < props.maxFiles ? (
        <label class="button secondary upload-button" for={inputId}>
          {t('上传照片或 PDF', 'Upload photos or PDF')}
          <input
            id={inputId}
            type="file"
            class="visually-hidden"
            accept="image/jpeg,image/png,image/webp,image/heic,.heic,application/pdf"
            multiple
            onChange={(event) => {
              const files = [...(event.currentTarget.files ?? [])];
              event.currentTarget.value = '';
              setUploads(withoutFailed);
              void Promise.all(files.map(upload));
            }}
          />
        </label>
      ) : null}
    </section>
  );
};
