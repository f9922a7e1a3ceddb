/**
 * A small province for the rollup tests: six libraries in two cities, each in a different
 * state (submitted with and without a previous period, accepted and late, a draft, a returned
 * report, no report at all), with the quoting edge cases the CSV files must survive: a library
 * name with a comma and quotes, and problem details with commas, quotes and a line break.
 */
import type { FormValues } from '../../forms/compile.js';
import { realForm, realStandards, wuxiangReport2025 } from '../../forms/fixtures.js';
import type { Library } from '../../registry/library.js';
import type { SubmissionHead, SubmissionStatus } from '../../submissions/model.js';
import { COUNTED, type RollupInput } from '../tables.js';

export const FORM_ID = 'county-annual-report';
export const FORM_VERSION = '2026.1';
export const PERIOD = '2025';
export const PREVIOUS_PERIOD = '2024';
/** The default due time of period 2025 (2026-01-31 23:59:59 Beijing time) in UTC. */
export const DUE_AT = '2026-01-31T15:59:59.000Z';

export const QINGXU = '140121';
export const YANGQU = '140122';
export const LOUFAN = '140123';
export const WUXIANG = '140429';
export const QINXIAN = '140430';
export const QINYUAN = '140431';

/** A registry name with both a comma and quotes, to be quoted in every CSV. */
export const LOUFAN_NAME = '娄烦县"新华"书店,分馆';

/** Problem details with an ASCII comma, quotes and a bare line break. */
export const QINGXU_DETAILS = '书库已满，"密集书架"仍在申请中,\n缺少图书馆学专业人员。';

export const fixtureLibraries = (): Library[] => [
  // Listed out of code order: the tables sort by library code.
  {
    libraryId: WUXIANG,
    name: '武乡县图书馆',
    countyName: '武乡县',
    cityCode: '1404',
    cityName: '长治市',
  },
  {
    libraryId: QINGXU,
    name: '清徐县图书馆',
    countyName: '清徐县',
    cityCode: '1401',
    cityName: '太原市',
  },
  {
    libraryId: YANGQU,
    name: '阳曲县图书馆',
    countyName: '阳曲县',
    cityCode: '1401',
    cityName: '太原市',
  },
  {
    libraryId: LOUFAN,
    name: LOUFAN_NAME,
    countyName: '娄烦县',
    cityCode: '1401',
    cityName: '太原市',
  },
  {
    libraryId: QINXIAN,
    name: '沁县图书馆',
    countyName: '沁县',
    cityCode: '1404',
    cityName: '长治市',
  },
  {
    libraryId: QINYUAN,
    name: '沁源县图书馆',
    countyName: '沁源县',
    cityCode: '1404',
    cityName: '长治市',
  },
];

/** A complete report of a mid-sized county library. */
export const qingxuReport2025 = (): FormValues => ({
  servicePopulation: 200000,
  floorArea: 4000,
  readingSeats: 400,
  weeklyOpenHours: 60,
  assessmentGrade: 'grade2',
  holdingsTotal: 250000,
  holdingsBooks: 230000,
  newAcquisitions: 5000,
  visits: 300000,
  loans: 150000,
  eventsTotal: 80,
  staffTotal: 12,
  staffEstablished: 10,
  staffOther: 2,
  staffSeniorTitle: 1,
  staffMidTitle: 5,
  fundingTotal: 2400000,
  bookFunds: 400000,
  dedicatedBookBudget: true,
  problemCategories: ['space', 'staffExpertise'],
  problemDetails: QINGXU_DETAILS,
});

/** Only the required fields and one problem: every optional value is missing. */
export const loufanReport2025 = (): FormValues => ({
  servicePopulation: 100000,
  floorArea: 1700,
  assessmentGrade: 'none',
  holdingsTotal: 102000,
  newAcquisitions: 2000,
  visits: 50000,
  loans: 40000,
  eventsTotal: 20,
  staffTotal: 4,
  staffEstablished: 4,
  fundingTotal: 1200000,
  bookFunds: 100000,
  dedicatedBookBudget: true,
  problemCategories: ['space'],
  problemDetails: '馆舍为租用民房。',
});

interface HeadOptions {
  libraryId: string;
  period?: string;
  status: SubmissionStatus;
  values: FormValues;
  submittedAt?: string;
  acceptedAt?: string;
  revision?: number;
}

export const headOf = (options: HeadOptions): SubmissionHead => {
  const period = options.period ?? PERIOD;
  const createdAt = `${Number(period) + 1}-01-05T02:00:00.000Z`;
  const updatedAt = options.acceptedAt ?? options.submittedAt ?? createdAt;
  return {
    libraryId: options.libraryId,
    formId: FORM_ID,
    period,
    formVersion: FORM_VERSION,
    status: options.status,
    revision: options.revision ?? 1,
    values: options.values,
    explanations: {},
    ...(options.status === 'returned'
      ? {
          review: {
            message: '经费数字请核对。',
            fieldComments: { fundingTotal: '单位应为元' },
            by: { subject: 'province-1', role: 'province' },
            at: updatedAt,
          },
        }
      : {}),
    createdAt,
    updatedAt,
    ...(options.submittedAt ? { submittedAt: options.submittedAt } : {}),
    ...(options.acceptedAt ? { acceptedAt: options.acceptedAt } : {}),
    updatedBy:
      options.status === 'accepted' || options.status === 'returned'
        ? { subject: 'province-1', role: 'province' }
        : {
            subject: `librarian-${options.libraryId}`,
            role: 'library',
            libraryId: options.libraryId,
          },
  };
};

/** Period 2025: 沁源 (140431) has no report at all. */
export const fixtureHeads = (): SubmissionHead[] => [
  headOf({
    libraryId: QINGXU,
    status: 'submitted',
    values: qingxuReport2025(),
    submittedAt: '2026-01-20T03:00:00.000Z',
  }),
  // A draft with values that would change every statistic if it were counted.
  headOf({
    libraryId: YANGQU,
    status: 'draft',
    values: { ...qingxuReport2025(), holdingsTotal: 9_999_999, problemCategories: ['other'] },
  }),
  // Submitted at the due second exactly: still on time.
  headOf({
    libraryId: LOUFAN,
    status: 'submitted',
    values: loufanReport2025(),
    submittedAt: DUE_AT,
  }),
  // Accepted, but submitted after the due time.
  headOf({
    libraryId: WUXIANG,
    status: 'accepted',
    values: wuxiangReport2025(),
    submittedAt: '2026-02-03T01:30:00.000Z',
    acceptedAt: '2026-02-10T08:00:00.000Z',
  }),
  // Returned: it keeps its submission time and values, but neither counts.
  headOf({
    libraryId: QINXIAN,
    status: 'returned',
    values: { ...loufanReport2025(), problemCategories: ['digital'] },
    submittedAt: '2026-01-25T00:00:00.000Z',
  }),
];

/** Period 2024 as far as year-over-year change needs it. */
export const previousValues = {
  [QINGXU]: { holdingsTotal: 240000, fundingTotal: 2000000, bookFunds: 500000, staffTotal: 16 },
  // bookFunds 0: no percentage can be computed from it.
  [WUXIANG]: { holdingsTotal: 120000, fundingTotal: 1500000, bookFunds: 0, staffTotal: 6 },
  [QINXIAN]: { holdingsTotal: 90000, fundingTotal: 700000, bookFunds: 80000, staffTotal: 4 },
} satisfies Record<string, FormValues>;

/** Period 2024: 娄烦's draft there must not give it a previous period. */
export const previousHeads = (): SubmissionHead[] => [
  headOf({
    libraryId: QINGXU,
    period: PREVIOUS_PERIOD,
    status: 'accepted',
    values: { ...qingxuReport2025(), ...previousValues[QINGXU] },
    submittedAt: '2025-01-20T03:00:00.000Z',
    acceptedAt: '2025-02-01T03:00:00.000Z',
  }),
  headOf({
    libraryId: LOUFAN,
    period: PREVIOUS_PERIOD,
    status: 'draft',
    values: { ...loufanReport2025(), holdingsTotal: 50000 },
  }),
  headOf({
    libraryId: WUXIANG,
    period: PREVIOUS_PERIOD,
    status: 'submitted',
    values: { ...wuxiangReport2025(), ...previousValues[WUXIANG] },
    submittedAt: '2025-01-28T03:00:00.000Z',
  }),
  headOf({
    libraryId: QINXIAN,
    period: PREVIOUS_PERIOD,
    status: 'accepted',
    values: { ...loufanReport2025(), ...previousValues[QINXIAN] },
    submittedAt: '2025-01-10T03:00:00.000Z',
    acceptedAt: '2025-01-15T03:00:00.000Z',
  }),
];

/** The rollup input the service builds from the heads above. */
export const fixtureInput = (): RollupInput => {
  const form = realForm();
  return {
    form,
    formOf: () => form,
    libraries: fixtureLibraries(),
    heads: fixtureHeads(),
    previous: new Map(
      previousHeads()
        .filter((head) => COUNTED.includes(head.status))
        .map((head) => [head.libraryId, head.values]),
    ),
    standards: realStandards().filter((standard) => standard.formId === FORM_ID),
    dueAt: DUE_AT,
  };
};
