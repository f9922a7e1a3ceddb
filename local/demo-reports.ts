/**
 * Deterministic, realistic demo reports for the local stack: every county library of the
 * registry gets a profile (size, staff, money, problems) from a seeded generator, spread like
 * the real work summaries in shared/seeds (holdings 50,000–300,000, staff 4–25, book funds
 * 0–500,000 yuan, many without a dedicated book budget).
 */
import type { FormValues } from '../domain/forms/compile.js';

/** mulberry32: small, fast and good enough for demo data; the same seed gives the same data. */
export const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

export type Random = () => number;

const between = (random: Random, min: number, max: number) =>
  Math.round(min + random() * (max - min));
const decimal = (random: Random, min: number, max: number, places: number) =>
  Number((min + random() * (max - min)).toFixed(places));
const chance = (random: Random, probability: number) => random() < probability;

const PROBLEM_DETAILS: Record<string, string> = {
  space: '馆舍面积狭小，书库已满，新购图书无处上架，少儿阅览区与成人阅览区共用。',
  staffShortage: '在编人员少，多名职工临近退休，一人多岗，难以保证全天开放和基层辅导。',
  staffExpertise: '缺少图书馆学专业人才，职工年龄老化，数字化业务无人承担。',
  bookFunding: '没有专门的购书经费，只能从免费开放补助中挤出少量资金购书，新书入藏量低。',
  operatingFunding: '运行经费紧张，活动经费和设备维护费用难以保障。',
  facilities: '馆舍建于上世纪，设施设备陈旧，电子阅览室电脑老化。',
  digital: '数字资源少，网站和新媒体服务薄弱，缺少数字化建设资金。',
  collection: '馆藏结构老化，近五年出版的图书比例低，不能满足读者需求。',
  other: '受汛期影响部分服务点暂停开放。',
};

export interface LibraryProfile {
  servicePopulation: number;
  floorArea: number;
  holdingsTotal: number;
  staffTotal: number;
  fundingTotal: number;
  dedicatedBookBudget: boolean;
  grade: 'grade1' | 'grade2' | 'grade3' | 'none';
}

export const libraryProfile = (random: Random): LibraryProfile => {
  const servicePopulation = between(random, 80_000, 900_000);
  const grades = ['grade1', 'grade2', 'grade2', 'grade3', 'grade3', 'none'] as const;
  return {
    servicePopulation,
    floorArea: decimal(random, 600, 8_000, 1),
    holdingsTotal: between(random, 50_000, 300_000),
    staffTotal: between(random, 4, 25),
    fundingTotal: between(random, 30, 500) * 10_000,
    dedicatedBookBudget: chance(random, 0.45),
    grade: grades[between(random, 0, grades.length - 1)] ?? 'none',
  };
};

/** One year's complete report for a library; `growth` moves the yearly figures. */
export const demoReport = (profile: LibraryProfile, year: number, random: Random): FormValues => {
  const yearsSince2024 = year - 2024;
  const holdingsTotal = Math.round(profile.holdingsTotal * (1 + 0.025 * yearsSince2024));
  const newAcquisitions = Math.round(holdingsTotal * decimal(random, 0.008, 0.05, 3));
  const staffTotal = profile.staffTotal;
  const staffEstablished = Math.max(1, Math.round(staffTotal * decimal(random, 0.5, 0.9, 2)));
  const staffSeniorTitle = between(random, 0, Math.min(2, staffTotal));
  const staffMidTitle = between(random, 0, Math.floor((staffTotal - staffSeniorTitle) / 2));
  const staffJuniorTitle = between(random, 0, staffTotal - staffSeniorTitle - staffMidTitle);
  const fundingTotal =
    Math.round((profile.fundingTotal * decimal(random, 0.9, 1.12, 2)) / 100) * 100;
  const bookFunds = profile.dedicatedBookBudget
    ? Math.min(fundingTotal, between(random, 3, 50) * 10_000)
    : chance(random, 0.5)
      ? 0
      : between(random, 5, 50) * 1_000;
  const lectures = between(random, 2, 30);
  const exhibitions = between(random, 1, 15);
  const trainings = between(random, 1, 20);
  const onlineEvents = between(random, 0, 20);
  const visits = between(random, 20_000, Math.min(300_000, profile.servicePopulation * 2));

  const problems = [
    ['space', 0.5],
    ['staffShortage', 0.6],
    ['staffExpertise', 0.4],
    ['bookFunding', profile.dedicatedBookBudget ? 0.2 : 0.9],
    ['operatingFunding', 0.3],
    ['facilities', 0.4],
    ['digital', 0.3],
    ['collection', 0.2],
  ] as const;
  const problemCategories = problems.filter(([, p]) => chance(random, p)).map(([code]) => code);
  const flood = year === 2025 && chance(random, 0.06);

  return {
    servicePopulation: profile.servicePopulation,
    floorArea: profile.floorArea,
    readingSeats: between(random, 50, 600),
    weeklyOpenHours: decimal(random, 42, 63, 1),
    assessmentGrade: profile.grade,
    holdingsTotal,
    holdingsBooks: Math.round(holdingsTotal * decimal(random, 0.85, 0.95, 2)),
    newAcquisitions,
    newspaperTitles: between(random, 10, 80),
    periodicalTitles: between(random, 30, 300),
    localDocuments: between(random, 200, 5_000),
    ancientBooks: chance(random, 0.5) ? 0 : between(random, 50, 3_000),
    digitalResourcesTB: decimal(random, 0.5, 20, 2),
    donationsReceived: between(random, 0, 5_000),
    visits,
    loans: between(random, 10_000, 200_000),
    newCards: between(random, 300, 5_000),
    registeredReaders: between(random, 2_000, 40_000),
    referenceQueries: between(random, 100, 3_000),
    onlineVisits: between(random, 5_000, 200_000),
    eReadingVisits: between(random, 1_000, 20_000),
    eventsTotal: lectures + exhibitions + trainings + onlineEvents + between(random, 0, 30),
    eventParticipants: between(random, 1_000, 50_000),
    lectures,
    exhibitions,
    trainings,
    onlineEvents,
    volumesDonatedOut: between(random, 0, 5_000),
    branches: between(random, 0, 20),
    servicePoints: between(random, 0, 60),
    villageLibrariesSupported: between(random, 0, 300),
    grassrootsTrainings: between(random, 0, 12),
    staffTotal,
    staffEstablished,
    staffOther: staffTotal - staffEstablished,
    staffSeniorTitle,
    staffMidTitle,
    staffJuniorTitle,
    staffLibraryScience: between(random, 0, staffTotal),
    staffAged50Plus: between(random, 0, staffTotal),
    trainingHours: between(random, 20, 200),
    fundingTotal,
    bookFunds,
    dedicatedBookBudget: profile.dedicatedBookBudget,
    freeOpeningFunds: 200_000,
    specialProjectFunds: chance(random, 0.3) ? between(random, 5, 100) * 10_000 : 0,
    digitalFunds: between(random, 0, 10) * 10_000,
    ...(problemCategories.length > 0
      ? {
          problemCategories: [...problemCategories, ...(flood ? ['other' as const] : [])],
          problemDetails: [...problemCategories, ...(flood ? ['other'] : [])]
            .map((code) => PROBLEM_DETAILS[code])
            .join(''),
        }
      : {}),
    ...(flood
      ? {
          incidents: [
            {
              date: `${year}-07-${String(between(random, 10, 31)).padStart(2, '0')}`,
              kind: 'flood',
              description: '暴雨导致一楼书库进水，部分图书受潮损毁。',
              lossYuan: between(random, 5, 80) * 10_000,
            },
          ],
        }
      : {}),
    plans: '继续推进总分馆制建设，加强阅读推广活动，争取专项购书经费，提升数字化服务能力。',
    plannedAcquisitions: Math.round(newAcquisitions * 1.1),
  };
};

/** A half-finished draft: the first `share` of the fields, in form order. */
export const partialReport = (report: FormValues, share: number): FormValues => {
  const entries = Object.entries(report);
  return Object.fromEntries(entries.slice(0, Math.max(1, Math.round(entries.length * share))));
};

/** Explanations a library would write for the warnings its figures raise. */
export const DEMO_EXPLANATIONS: Record<string, string> = {
  holdingsJump: '本年度接收社会捐赠并完成馆藏清点剔旧，藏量变化经核实无误。',
  fundingJump: '本年度获得馆舍维修专项资金，经费变化属实。',
  eventKindsWithinTotal: '部分活动同时属于讲座和线上活动，分类统计有交叉。',
  visitsPerCapitaHigh: '到馆人次含总分馆及流动服务点，经核实无误。',
};
