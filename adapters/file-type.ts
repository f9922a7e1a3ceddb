import { fileTypeFromBuffer } from 'file-type';
import type { DetectContentType } from '../domain/evidence/model.js';

/** Magic-byte detection by file-type; only verify-evidence bundles it. */
export const detectContentType: DetectContentType = async (head) =>
  (await fileTypeFromBuffer(head))?.mime;
