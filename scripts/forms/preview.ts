/** A standalone HTML page showing a compiled form as the office will see it, for review. */
import type { CompiledForm } from '../../domain/forms/compile.js';
import { type UiField, uiModel } from '../../domain/forms/ui-model.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const bounds = (field: UiField) =>
  [
    field.min !== undefined && field.min > 0 ? `≥ ${field.min}` : '',
    field.max !== undefined ? `≤ ${field.max}` : '',
    field.maxLength !== undefined ? `≤ ${field.maxLength} 字` : '',
  ]
    .filter(Boolean)
    .join(', ');

const renderField = (field: UiField): string => {
  const input =
    field.widget === 'select' || field.widget === 'checkboxes'
      ? `<ul class="choices">${(field.choices ?? [])
          .map(
            (choice) =>
              `<li><code>${escapeHtml(choice.code)}</code> ${escapeHtml(choice.label.zh)} <span class="en">${escapeHtml(choice.label.en)}</span></li>`,
          )
          .join('')}</ul>`
      : field.widget === 'group'
        ? `<div class="group">${(field.fields ?? []).map(renderField).join('')}</div>`
        : `<input name="${escapeHtml(field.key)}" disabled placeholder="${escapeHtml(field.widget)}">`;
  const notes = [
    field.required ? '<span class="req">必填 required</span>' : '',
    field.requiredWhen
      ? `<span>必填条件 required when <code>${escapeHtml(field.requiredWhen)}</code></span>`
      : '',
    field.showWhen
      ? `<span>显示条件 shown when <code>${escapeHtml(field.showWhen)}</code></span>`
      : '',
    bounds(field) ? `<span>${escapeHtml(bounds(field))}</span>` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `<div class="field">
  <label>${escapeHtml(field.label.zh)} <span class="en">${escapeHtml(field.label.en)}</span>
  ${field.unit ? `<span class="unit">${escapeHtml(field.unit.zh)}</span>` : ''}</label>
  <code class="key">${escapeHtml(field.key)}</code> · ${escapeHtml(field.type)} ${notes}
  ${field.help ? `<p class="help">${escapeHtml(field.help.zh)}<br><span class="en">${escapeHtml(field.help.en)}</span></p>` : ''}
  ${input}
</div>`;
};

export const renderPreview = (form: CompiledForm): string => {
  const model = uiModel(form);
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title.zh)} ${escapeHtml(model.version)} · 预览 preview</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}
section{border-top:2px solid #cbd2d9;margin-top:2rem}.field{margin:1rem 0;padding-left:.75rem;border-left:3px solid #e4e7eb}
.en{color:#616e7c}.unit{background:#f0f4f8;padding:0 .3rem;border-radius:3px}.req{color:#b42318}.help{margin:.25rem 0;font-size:.9em}
code{background:#f5f7fa;padding:0 .2rem}.group{padding-left:1rem;border-left:2px dashed #cbd2d9}table{border-collapse:collapse}td,th{border:1px solid #e4e7eb;padding:.25rem .5rem;vertical-align:top}
</style></head><body>
<h1>${escapeHtml(model.title.zh)} <span class="en">${escapeHtml(model.title.en)}</span></h1>
<p><code>${escapeHtml(model.formId)}</code> 版本 version ${escapeHtml(model.version)} · ${escapeHtml(model.periodType)}</p>
${model.sections
  .map(
    (
      section,
    ) => `<section><h2>${escapeHtml(section.title.zh)} <span class="en">${escapeHtml(section.title.en)}</span></h2>
${section.help ? `<p class="help">${escapeHtml(section.help.zh)}</p>` : ''}
${section.evidence ? `<p>📎 佐证材料 evidence: ≤ ${section.evidence.maxFiles}</p>` : ''}
${section.fields.map(renderField).join('\n')}</section>`,
  )
  .join('\n')}
<section><h2>校验规则 <span class="en">Rules</span></h2><table><tr><th>id</th><th>级别 severity</th><th>条件 check</th><th>提示 message</th></tr>
${model.rules
  .map(
    (rule) =>
      `<tr><td><code>${escapeHtml(rule.id)}</code></td><td>${rule.severity === 'error' ? '错误 error' : '警告 warning'}</td><td><code>${escapeHtml(rule.check)}</code></td><td>${escapeHtml(rule.message.zh)}<br><span class="en">${escapeHtml(rule.message.en)}</span></td></tr>`,
  )
  .join('\n')}</table></section>
<section><h2>派生指标 <span class="en">Derived indicators</span></h2><table><tr><th>key</th><th>名称 label</th><th>公式 formula</th></tr>
${model.derived
  .map(
    (indicator) =>
      `<tr><td><code>${escapeHtml(indicator.key)}</code></td><td>${escapeHtml(indicator.label.zh)} <span class="en">${escapeHtml(indicator.label.en)}</span></td><td><code>${escapeHtml(indicator.formula)}</code></td></tr>`,
  )
  .join('\n')}</table></section>
</body></html>
`;
};
