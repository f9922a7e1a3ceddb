/**
 * The forms and period windows evidence is edited and listed under. Only the functions that
 * edit or list evidence import this module, so the form catalog stays out of verify-evidence.
 */
import { formRegistry } from '../adapters/form-catalog.js';
import { periodService } from './period-service.js';

export const evidenceReports = { forms: formRegistry, periods: periodService };
