import { BadRequestError, ConfigurationError, NotFoundError } from '../errors.js';
import type { FormRegistry } from './catalog.js';
import type { CompiledForm } from './compile.js';
import { parsePeriod } from './periods.js';

/**
 * The form a request names (its active version, or the version a report was started with),
 * after checking that the period fits the form's period type: 404 for an unknown form, 400
 * for a malformed period, a ConfigurationError (500) for a version of a known form that is not
 * deployed.
 */
export const resolveForm = (
  forms: Pick<FormRegistry, 'get'>,
  formId: string,
  period: string,
  version?: string,
): CompiledForm => {
  const form = forms.get(formId, version);
  if (!form) {
    // A version that stored reports name is gone from the catalog: the deployment is wrong,
    // not the request (the forms build refuses to drop a released version).
    if (version !== undefined && forms.get(formId)) {
      throw new ConfigurationError(
        `Form ${formId} version ${version}, used by stored reports, is not deployed`,
      );
    }
    throw new NotFoundError({ zh: `没有表单 ${formId}。`, en: `No form ${formId}.` });
  }
  if (!parsePeriod(form.definition.periodType, period)) {
    const example = form.definition.periodType === 'annual' ? '2025' : '2025-H1';
    throw new BadRequestError(
      {
        zh: `报告期“${period}”格式不正确，例如 ${example}。`,
        en: `Period "${period}" is not valid; for example ${example}.`,
      },
      {
        errors: [
          {
            path: 'period',
            code: 'invalid_period',
            message: { zh: `应形如 ${example}`, en: `like ${example}` },
          },
        ],
      },
    );
  }
  return form;
};
