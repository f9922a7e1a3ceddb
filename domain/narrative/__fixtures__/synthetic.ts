/**
 * Synthetic work-summary prose, written for these tests (no sentence comes from a real
 * report). Each case says what must be suggested, exactly, and which fields must stay empty;
 * `unmapped` names figures that must be reported as not taken, with the reason.
 */
import type { UnmappedReason } from '../model.js';

export interface SyntheticCase {
  name: string;
  text: string;
  /** Exactly these values (other fields absent unless listed in `alsoAllowed`). */
  values: Record<string, unknown>;
  /** Figures (as written) that must appear in `unmapped` with this reason. */
  unmapped?: Record<string, UnmappedReason>;
  /** Qualifiers expected on the evidence of these fields. */
  qualifiers?: Record<string, string>;
}

/** A title that fixes the report's year, so that other years are recognised as such. */
const TITLE = '示范县图书馆2025年度工作总结\n';

export const NUMBER_FORMS: readonly SyntheticCase[] = [
  {
    name: 'Arabic with 万 and a decimal',
    text: `${TITLE}截至年底，本馆馆藏图书达15.6万册，全年新购图书3200册。`,
    values: { holdingsTotal: 156_000, newAcquisitions: 3200 },
  },
  {
    name: 'Chinese numerals, 两, and 一万二 style',
    text: `${TITLE}本馆馆藏总量一万二千册。今年新增图书两千册，办理借阅证三百个。`,
    values: { holdingsTotal: 12_000, newAcquisitions: 2000, newCards: 300 },
  },
  {
    name: 'money in 万元 with 多, and 其中 before a detail field',
    text: `${TITLE}全年财政拨款100多万元，其中购书经费12.5万元，免费开放补助资金20万元。`,
    values: { fundingTotal: 1_000_000, bookFunds: 125_000, freeOpeningFunds: 200_000 },
    qualifiers: { fundingTotal: '多' },
  },
  {
    name: 'a full-width stop used as a decimal point',
    text: `${TITLE}目前馆藏文献5。2万册。全年接待读者3。6万人次。`,
    values: { holdingsTotal: 52_000, visits: 36_000 },
  },
  {
    name: 'full-width digits, thousands separators, six-digit loans',
    text: `${TITLE}全年到馆读者８，９００人次，外借图书328929册次，读者咨询1,250次。`,
    values: { visits: 8900, loans: 328_929, referenceQueries: 1250 },
  },
  {
    name: 'qualifiers: 近…余, 约, 以上, 左右',
    text: `${TITLE}全年新增图书近6000余册，接待读者约3万人次，新办读者证500个以上，解答咨询300次左右。`,
    values: { newAcquisitions: 6000, visits: 30_000, newCards: 500, referenceQueries: 300 },
    qualifiers: { newAcquisitions: '近', visits: '约', newCards: '以上', referenceQueries: '左右' },
  },
  {
    name: 'Chinese numerals with 多 before 万',
    text: `${TITLE}全馆藏书十多万册，全年借阅图书两万余册次。`,
    values: { holdingsTotal: 100_000, loans: 20_000 },
    qualifiers: { holdingsTotal: '多', loans: '余' },
  },
  {
    name: 'units: 平方米, TB and T, 种, 个, 人',
    text: `${TITLE}馆舍建筑面积3200.5平方米。自建数字资源2.5TB。订阅报纸45种、期刊120种。全馆现有职工12人，其中在编人员9人，公益性岗位3人。年末建成乡镇分馆8个、村级服务点46个。`,
    values: {
      floorArea: 3200.5,
      digitalResourcesTB: 2.5,
      newspaperTitles: 45,
      periodicalTitles: 120,
      staffTotal: 12,
      staffEstablished: 9,
      staffOther: 3,
      branches: 8,
      servicePoints: 46,
    },
  },
  {
    name: 'T alone for terabytes',
    text: `${TITLE}本馆购买和自建的数字资源共计12T。`,
    values: { digitalResourcesTB: 12 },
  },
  {
    name: 'Traditional characters',
    text: '示範縣圖書館2025年度工作總結\n本館館藏圖書達十二萬冊，全年接待讀者三萬五千人次，外借圖書六萬冊次，新辦借閱證兩千個。',
    values: { holdingsTotal: 120_000, visits: 35_000, loans: 60_000, newCards: 2000 },
  },
  {
    name: 'measure word before the noun it counts',
    text: `${TITLE}全年举办展览12场。馆内共有4名在编人员和2名临时聘用人员。`,
    values: { exhibitions: 12, staffEstablished: 4, staffOther: 2 },
  },
  {
    name: 'population in 万 without a unit',
    text: `${TITLE}本县服务人口约35.6万。`,
    values: { servicePopulation: 356_000 },
  },
];

export const DISTRACTORS: readonly SyntheticCase[] = [
  {
    name: 'running total against the year',
    text: `${TITLE}建馆以来累计接待读者120万人次，本年度接待读者8.6万人次。`,
    values: { visits: 86_000 },
    unmapped: { '120万人次': 'runningTotal' },
  },
  {
    name: 'one room against the library',
    text: `${TITLE}少儿阅览室全年接待小读者1.2万人次，外借少儿图书9000册次。全馆全年接待读者9万人次，其中少儿读者2万人次。`,
    values: { visits: 90_000 },
    unmapped: { '1.2万人次': 'partOf', '9000册次': 'partOf', '2万人次': 'noField' },
  },
  {
    name: 'capacity against use',
    text: `${TITLE}新馆设计藏书能力30万册，报告厅可容纳300人。目前馆藏图书8万册。`,
    values: { holdingsTotal: 80_000 },
    unmapped: { '30万册': 'capacity' },
  },
  {
    name: 'a half-year against the year',
    text: `${TITLE}上半年接待读者4.1万人次。1-6月外借图书2万册次。全年接待读者8.3万人次，外借图书5.2万册次。`,
    values: { visits: 83_000, loans: 52_000 },
    unmapped: { '4.1万人次': 'partialYear', '2万册次': 'partialYear' },
  },
  {
    name: 'other institutions',
    text: `${TITLE}县文化馆全年举办展览20场。全县各乡镇文化站藏书共计50万册。本馆全年举办展览6场。`,
    values: { exhibitions: 6 },
    unmapped: { '20场': 'otherInstitution', '50万册': 'otherInstitution' },
  },
  {
    name: 'plans and targets',
    text: `${TITLE}全年新增图书4000册。下一年度计划新增图书5000册。\n三、2026年工作计划\n1.新增图书8000册，接待读者10万人次。`,
    values: { newAcquisitions: 4000 },
    unmapped: { '5000册': 'plan', '8000册': 'plan', '10万人次': 'plan' },
  },
  {
    name: 'another year',
    text: `${TITLE}2024年新增图书3000册，今年新增图书4500册。`,
    values: { newAcquisitions: 4500 },
    unmapped: { '3000册': 'otherYear' },
  },
  {
    name: 'a change rather than a value',
    text: `${TITLE}购书经费由5万元提高到8万元。馆藏比上年增加6000册。`,
    values: {},
    unmapped: { '5万元': 'change', '6000册': 'change' },
  },
  {
    name: 'two different values for one field',
    text: `${TITLE}馆藏图书10万册。年底清点后馆藏图书11万册。`,
    values: {},
    unmapped: { '10万册': 'conflict', '11万册': 'conflict' },
  },
  {
    name: 'the same value twice agrees',
    text: `${TITLE}馆藏图书10万册。年底馆藏图书达10万册，较为充足。`,
    values: { holdingsTotal: 100_000 },
  },
  {
    name: 'a count of several kinds of events together',
    text: `${TITLE}全年举办讲座、展览共30场。`,
    values: {},
    unmapped: { '30场': 'excluded' },
  },
  {
    name: 'a named series is part of the lectures',
    text: `${TITLE}举办“文化大讲堂”讲座8期。`,
    values: {},
    unmapped: { '8期': 'excluded' },
  },
  {
    name: 'received donations against donated books',
    text: `${TITLE}全年接受社会捐赠图书1500册。向乡村学校赠送图书800册。`,
    values: { donationsReceived: 1500, volumesDonatedOut: 800 },
  },
  {
    name: 'a place name is not a count',
    text: `${TITLE}在三所村服务点开展送书活动。`,
    values: {},
  },
  {
    name: 'a half-year document takes nothing',
    text: '示范县图书馆2025年上半年工作总结\n上半年接待读者4万人次，外借图书3万册次，馆藏图书12万册。',
    values: {},
    unmapped: { '4万人次': 'partialYear', '12万册': 'partialYear' },
  },
  {
    name: 'a plan document takes nothing',
    text: '示范县图书馆2026年工作计划\n全年新增图书6000册，举办讲座20场。',
    values: {},
    unmapped: { '6000册': 'plan' },
  },
  {
    name: 'vague amounts, ordinals, ranges and dates are not figures',
    text: `${TITLE}数百名读者参加，第三期培训于2025年3月12日举行，每月开展2—4次活动。`,
    values: {},
  },
];

export const PROBLEMS: readonly SyntheticCase[] = [
  {
    name: 'a problems section with numbered items',
    text: `${TITLE}一、主要工作\n全年接待读者6万人次。\n四、存在的问题\n（一）馆舍面积狭小，书库已经饱和。\n（二）专业人员缺乏，现有职工年龄偏大。\n（三）没有专项购书经费，新书补充跟不上。\n（四）设备老化，电脑多数已使用多年。\n五、明年工作计划\n争取增加购书经费，改善馆舍条件。`,
    values: {
      visits: 60_000,
      dedicatedBookBudget: false,
      problemCategories: ['space', 'staffExpertise', 'bookFunding', 'facilities'],
      problemDetails:
        '馆舍面积狭小，书库已经饱和。\n专业人员缺乏，现有职工年龄偏大。\n没有专项购书经费，新书补充跟不上。\n设备老化，电脑多数已使用多年。',
    },
  },
  {
    name: 'problems introduced inside a paragraph',
    text: `${TITLE}工作中也存在一些不足：人员编制紧张；运行经费不足；数字化建设相对滞后。`,
    values: {
      problemCategories: ['staffShortage', 'operatingFunding', 'digital'],
      problemDetails: '工作中也存在一些不足：人员编制紧张；\n运行经费不足；\n数字化建设相对滞后。',
    },
  },
  {
    name: 'a difficulty overcome in the summary is not a problem',
    text: `${TITLE}我们克服经费不足的困难，完成了全年各项任务。`,
    values: {},
  },
];
