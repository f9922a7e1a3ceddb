/**
 * The forms the system knows: every version of every definition, the standards and the
 * period windows, from the catalog `npm run forms -- build` generates. Versions compile on
 * first use, so a function pays only for the forms it touches.
 */
import { compareVersions } from './check.js';
import { type CompiledForm, compileForm } from './compile.js';
import type { FormCatalog, FormDefinition, Standard } from './definition.js';

export interface FormSummary {
  formId: string;
  version: string;
  title: FormDefinition['title'];
  periodType: FormDefinition['periodType'];
  versions: string[];
}

export class FormRegistry {
  private readonly compiled = new Map<string, CompiledForm>();
  private readonly byForm = new Map<string, FormDefinition[]>();

  constructor(readonly catalog: FormCatalog) {
    for (const definition of catalog.forms) {
      const versions = this.byForm.get(definition.formId) ?? [];
      versions.push(definition);
      this.byForm.set(definition.formId, versions);
    }
    for (const versions of this.byForm.values()) {
      versions.sort((a, b) => compareVersions(a.version, b.version));
    }
  }

  /** Every form with its active (highest) version. */
  list(): FormSummary[] {
    return [...this.byForm.values()].flatMap((versions) => {
      const active = versions.at(-1);
      return active
        ? [
            {
              formId: active.formId,
              version: active.version,
              title: active.title,
              periodType: active.periodType,
              versions: versions.map((definition) => definition.version),
            },
          ]
        : [];
    });
  }

  /** A version of a form (the active one when no version is given), or undefined. */
  get(formId: string, version?: string): CompiledForm | undefined {
    const versions = this.byForm.get(formId);
    const definition =
      version === undefined
        ? versions?.at(-1)
        : versions?.find((candidate) => candidate.version === version);
    if (!definition) return undefined;
    const cacheKey = `${definition.formId}@${definition.version}`;
    let form = this.compiled.get(cacheKey);
    if (!form) {
      form = compileForm(definition);
      this.compiled.set(cacheKey, form);
    }
    return form;
  }

  /** Every version's definition of a form, oldest first (none for an unknown form). */
  definitionsOf(formId: string): readonly FormDefinition[] {
    return this.byForm.get(formId) ?? [];
  }

  standardsFor(formId: string): Standard[] {
    return this.catalog.standards.filter((standard) => standard.formId === formId);
  }
}
