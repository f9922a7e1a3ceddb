import { describe, expect, it } from '@jest/globals';
import type { FieldType } from './definition.js';
import { realForm } from './fixtures.js';
import { type UiField, uiModel, type Widget } from './ui-model.js';

const form = realForm();
const model = uiModel(form);
const uiFields = model.sections.flatMap((section) => section.fields);
const uiField = (key: string): UiField => {
  const found = uiFields.find((field) => field.key === key);
  if (!found) throw new Error(`no UI field ${key}`);
  return found;
};

const WIDGET_OF: Record<FieldType, Widget> = {
  int: 'integer',
  decimal: 'decimal',
  money: 'money',
  bool: 'toggle',
  choice: 'select',
  multi: 'checkboxes',
  text: 'textarea',
  date: 'date',
  group: 'group',
};

describe('uiModel of the county annual report', () => {
  it('names the form and keeps the section order', () => {
    expect(model).toMatchObject({
      formId: 'county-annual-report',
      version: '2026.1',
      periodType: 'annual',
      title: { zh: '县级公共图书馆年度工作报告' },
    });
    expect(model.sections.map((section) => section.key)).toEqual(
      form.definition.sections.map((section) => section.key),
    );
  });

  it('shows every field exactly once, in definition order, with the widget of its type', () => {
    expect(uiFields.map((field) => field.key)).toEqual([...form.fields.keys()]);
    for (const field of uiFields) {
      expect(field.widget).toBe(WIDGET_OF[field.type]);
      expect(field.type).toBe(form.fields.get(field.key)?.type);
      expect(field.label.zh.length).toBeGreaterThan(0);
    }
    expect(uiField('fundingTotal').widget).toBe('money');
    expect(uiField('problemCategories').widget).toBe('checkboxes');
    expect(uiField('assessmentGrade').widget).toBe('select');
    expect(uiField('dedicatedBookBudget').widget).toBe('toggle');
  });

  it('gives numbers their bounds and input step', () => {
    expect(uiField('servicePopulation')).toMatchObject({ min: 1000, max: 5000000, step: 1 });
    expect(uiField('floorArea')).toMatchObject({ min: 0, max: 200000, step: 0.1 });
    expect(uiField('weeklyOpenHours').step).toBe(0.1);
    expect(uiField('digitalResourcesTB').step).toBe(0.01);
    expect(uiField('fundingTotal').step).toBe(1);
    expect(uiField('holdingsTotal')).not.toHaveProperty('max');
    expect(uiField('plans')).not.toHaveProperty('step');
  });

  it('carries units, help, required flags and conditions', () => {
    expect(uiField('holdingsTotal')).toMatchObject({
      unit: { zh: '册(件)' },
      required: true,
      help: { zh: expect.stringContaining('年末实体馆藏总量') },
    });
    expect(uiField('problemDetails')).toMatchObject({
      required: false,
      requiredWhen: 'count(problemCategories) > 0',
      maxLength: 4000,
    });
    expect(uiField('problemDetails')).not.toHaveProperty('showWhen');
    expect(uiField('problemCategories').choices?.map((choice) => choice.code)).toHaveLength(9);
  });

  it('describes a group with its sub-fields', () => {
    const incidents = uiField('incidents');
    expect(incidents).toMatchObject({ widget: 'group', maxItems: 50 });
    expect(incidents.fields?.map((field) => [field.key, field.widget, field.required])).toEqual([
      ['date', 'date', false],
      ['kind', 'select', false],
      ['description', 'textarea', false],
      ['lossYuan', 'money', false],
    ]);
    // The dictionary's text type: up to 4,000 characters.
    expect(incidents.fields?.find((field) => field.key === 'description')?.maxLength).toBe(4000);
  });

  it('lists the rules with their fields and the derived indicators', () => {
    expect(model.rules.map((rule) => rule.id)).toEqual(form.rules.map((rule) => rule.id));
    expect(model.rules.find((rule) => rule.id === 'holdingsJump')).toMatchObject({
      severity: 'warning',
      yearOverYear: true,
      fields: ['holdingsTotal'],
    });
    expect(model.derived.find((entry) => entry.key === 'newAcquisitionsPerCapita')).toMatchObject({
      formula: 'newAcquisitions / servicePopulation',
      scale: 3,
    });
    expect(model.sections.find((section) => section.key === 'profile')?.evidence?.maxFiles).toBe(
      20,
    );
    // Evidence may be tied to any section key, as the dictionary says.
    expect(model.sections.filter((section) => !section.evidence).map((s) => s.key)).toEqual([]);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});
