/**
 * Test-only helpers and data for the forms engine: the real county annual report definition
 * read straight from its YAML, a small valid definition to mutate, and a complete realistic
 * report of a county library.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type * as z from 'zod/mini';
import { type CompiledForm, compileForm, type FormValues } from './compile.js';
import { FormDefinition, PeriodsFile, StandardsFile } from './definition.js';

export const FORMS_DIR = new URL('../../forms/', import.meta.url);

const readYaml = (relativePath: string): unknown =>
  parse(readFileSync(new URL(relativePath, FORMS_DIR), 'utf8'));

/** forms/county-annual-report/2026.1.yaml through the meta-schema. */
export const countyAnnualReport = (): FormDefinition =>
  FormDefinition.parse(readYaml('county-annual-report/2026.1.yaml'));

/** A later version of the real form: the same, plus an optional int `selfServiceMachines`. */
export const withSelfServiceMachines = (version = '2026.2'): FormDefinition => {
  const definition = structuredClone(countyAnnualReport());
  definition.sections[0]?.fields.push({
    key: 'selfServiceMachines',
    type: 'int',
    label: { zh: '自助借还设备', en: 'Self-service machines' },
    required: false,
    min: 0,
  });
  return FormDefinition.parse({ ...definition, version });
};

export const realStandards = () => StandardsFile.parse(readYaml('standards.yaml')).standards;

export const realPeriods = (): PeriodsFile => PeriodsFile.parse(readYaml('periods.yaml'));

let compiled: CompiledForm | undefined;
/** The compiled real form, compiled once per test file. */
export const realForm = (): CompiledForm => {
  compiled ??= compileForm(countyAnnualReport());
  return compiled;
};

export type DefinitionInput = z.input<typeof FormDefinition>;

/**
 * A small valid definition using every field type, one rule of each kind, a derived indicator
 * and a rollup: the base the checker tests mutate.
 */
export const minimalDefinitionInput = (): DefinitionInput => ({
  formId: 'mini-form',
  version: '2026.1',
  title: { zh: '测试表', en: 'Test form' },
  periodType: 'annual',
  sections: [
    {
      key: 'main',
      title: { zh: '主要', en: 'Main' },
      fields: [
        { key: 'total', type: 'int', label: { zh: '总数', en: 'Total' }, required: true },
        { key: 'part', type: 'int', label: { zh: '部分', en: 'Part' }, max: 1000 },
        { key: 'area', type: 'decimal', scale: 1, label: { zh: '面积', en: 'Area' } },
        { key: 'funds', type: 'money', label: { zh: '经费', en: 'Funds' } },
        { key: 'flag', type: 'bool', label: { zh: '标志', en: 'Flag' } },
        {
          key: 'grade',
          type: 'choice',
          label: { zh: '等级', en: 'Grade' },
          choices: [
            { code: 'a', label: { zh: '甲', en: 'A' } },
            { code: 'b', label: { zh: '乙', en: 'B' } },
          ],
        },
      ],
    },
    {
      key: 'more',
      title: { zh: '其他', en: 'More' },
      fields: [
        {
          key: 'issues',
          type: 'multi',
          label: { zh: '问题', en: 'Issues' },
          choices: [
            { code: 'x', label: { zh: '某', en: 'X' } },
            { code: 'y', label: { zh: '另', en: 'Y' } },
          ],
        },
        {
          key: 'notes',
          type: 'text',
          label: { zh: '说明', en: 'Notes' },
          requiredWhen: 'count(issues) > 0',
        },
        { key: 'day', type: 'date', label: { zh: '日期', en: 'Day' } },
        {
          key: 'events',
          type: 'group',
          label: { zh: '事件', en: 'Events' },
          fields: [{ key: 'when', type: 'date', label: { zh: '日期', en: 'Date' } }],
        },
      ],
    },
  ],
  rules: [
    {
      id: 'partWithinTotal',
      severity: 'error',
      check: 'part <= total',
      message: { zh: '部分不能大于总数', en: 'Part cannot exceed total' },
    },
    {
      id: 'totalJump',
      severity: 'warning',
      check: 'abs(total - previous.total) <= 0.2 * previous.total',
      message: { zh: '变化过大', en: 'Changed a lot' },
    },
  ],
  derived: [
    {
      key: 'partShare',
      label: { zh: '占比', en: 'Share' },
      formula: 'part / total',
    },
  ],
  rollup: { compare: ['total', 'partShare'], yearOverYear: ['total'], problems: 'issues' },
});

export const minimalDefinition = (): FormDefinition =>
  FormDefinition.parse(minimalDefinitionInput());

/**
 * A complete 2025 report of a small county library, modelled on 武乡县图书馆: no dedicated book
 * budget (book money squeezed from the free-opening subsidy), five established staff and one
 * public-welfare post, a flood in July.
 */
export const wuxiangReport2025 = (): FormValues => ({
  servicePopulation: 165000,
  floorArea: 2861.4,
  readingSeats: 320,
  weeklyOpenHours: 56,
  assessmentGrade: 'grade3',
  holdingsTotal: 129000,
  holdingsBooks: 118500,
  newAcquisitions: 2200,
  newspaperTitles: 32,
  periodicalTitles: 120,
  localDocuments: 1850,
  ancientBooks: 0,
  digitalResourcesTB: 12.5,
  donationsReceived: 600,
  visits: 80000,
  loans: 60000,
  newCards: 1200,
  registeredReaders: 9800,
  referenceQueries: 1500,
  onlineVisits: 45000,
  eReadingVisits: 3000,
  eventsTotal: 48,
  eventParticipants: 6200,
  lectures: 10,
  exhibitions: 6,
  trainings: 8,
  onlineEvents: 12,
  volumesDonatedOut: 1500,
  branches: 14,
  servicePoints: 36,
  villageLibrariesSupported: 120,
  grassrootsTrainings: 4,
  staffTotal: 6,
  staffEstablished: 5,
  staffOther: 1,
  staffSeniorTitle: 0,
  staffMidTitle: 2,
  staffJuniorTitle: 2,
  staffLibraryScience: 1,
  staffAged50Plus: 3,
  trainingHours: 240,
  fundingTotal: 1290000,
  bookFunds: 30000,
  dedicatedBookBudget: false,
  freeOpeningFunds: 200000,
  specialProjectFunds: 0,
  digitalFunds: 0,
  problemCategories: ['space', 'staffShortage', 'bookFunding'],
  problemDetails:
    '馆舍面积仅2861.4平方米，书库已满，新书无处上架；在编人员5人，其中3人50岁以上，年轻专业人员缺乏；财政预算未单列购书经费，购书款只能从免费开放补助中挤出。',
  incidents: [
    {
      date: '2025-07-30',
      kind: 'flood',
      description: '强降雨导致一层少儿阅览室进水，部分图书和书架受损，闭馆整修两周。',
      lossYuan: 129000,
    },
  ],
  plans: '新建两个乡镇分馆，争取将购书经费列入财政预算，开展全民阅读系列活动。',
  plannedAcquisitions: 3000,
});
