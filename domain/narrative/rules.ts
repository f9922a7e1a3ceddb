/**
 * What the extraction knows, as data: for each field of the annual report, the words that
 * name it (before the figure, or after it for "13个乡镇分馆"), the units it accepts, and the
 * words that make a figure something else. Patterns are regular-expression sources matched
 * against the normalised (Simplified, half-width) text.
 */

/**
 * The form version whose field keys these rules name. A draft of another version of the form
 * is read through the versions' migrations (`form.ts`): a field renamed in `forms/` is still
 * suggested under its new key, a dropped one is not, and a number field added is read by its
 * label (`label-rules.ts`) until a rule here names it.
 */
export const RULES_FORM = { formId: 'county-annual-report', version: '2026.1' } as const;

/** Kinds of distractor: a figure near one of these words is not the library's yearly figure. */
export type CueKind =
  | 'runningTotal'
  | 'partOf'
  | 'capacity'
  | 'partialYear'
  | 'plan'
  | 'otherYear'
  | 'change'
  | 'otherInstitution';

export interface CueGroup {
  /**
   * Where the words are looked for: `window` the clause before the figure; `clause` the whole
   * clause; `sentence` the whole sentence; `topic` also the start of the sentence up to its
   * first figure (what the sentence is about: "少儿阅览室全年接待…, 借阅…").
   */
  scope: 'window' | 'clause' | 'sentence' | 'topic';
  patterns: readonly string[];
}

export const CUES: Readonly<Record<Exclude<CueKind, 'otherYear'>, CueGroup>> = {
  // Totals since the library opened, over several years, or up to now.
  runningTotal: {
    scope: 'window',
    patterns: [
      '累计',
      '累积',
      '历年',
      '多年来',
      '至今',
      '迄今',
      '(建馆|开馆|成立|建成|运行|开放|启用)以来',
      '\\d{4}年以来',
    ],
  },
  // One room, branch or group of readers rather than the whole library.
  partOf: {
    scope: 'topic',
    patterns: [
      '少儿',
      '儿童',
      '未成年',
      '(?<!总)分馆',
      '阅览室',
      '借阅室',
      '图书室',
      '服务点',
      '书屋',
      '流动',
      '自助',
      '书房',
      '驿站',
      '馆外',
      '之一',
    ],
  },
  // What a room or building can hold, not what happened.
  capacity: {
    scope: 'clause',
    patterns: [
      '座位',
      '座席',
      '容纳',
      '设计',
      '可藏',
      '藏书能力',
      '能力',
      '可供',
      '最多',
      '最大',
      '上限',
      '规模',
    ],
  },
  // Half a year, a quarter, or up to a month before the year ends.
  partialYear: {
    scope: 'sentence',
    patterns: [
      '[上下]半年',
      '半年来',
      '季度',
      '[1一]\\s*[-—–~至到]\\s*[2-9二三四五六七八九]\\s*月',
      '(至|截至|截止|到)\\s*((19|20)\\d\\d年)?\\s*((?<!\\d)[1-9]|(?<!十)[一二三四五六七八九])\\s*月(底|末|份|中旬|上旬|下旬|初)?',
    ],
  },
  // Plans, targets, surveys: not done yet.
  plan: {
    scope: 'clause',
    patterns: [
      '计划',
      '(?<![虚模])拟',
      '预计',
      '力争',
      '(?<!积极)争取(?!到)',
      '目标',
      '将要',
      '打算',
      '规划',
      '筹建',
      '准备',
      '下一步',
      '明年',
      '下年',
      '今后',
      '即将',
      '将于',
      '有望',
      '调研',
      '设想',
      '希望',
    ],
  },
  // A change or a comparison: the figure is a difference or an earlier value.
  change: {
    scope: 'clause',
    patterns: [
      '同比',
      '环比',
      '[比较](上|去|前)一?年',
      '[比较]((19|20)\\d\\d)年',
      '上年度?',
      '去年',
      '从[^,。]{0,15}(到|至)',
      '由[^,。]{0,15}(增至|降至|增加到|提高到|增加至|提高至|减少到|下降到|上升到|增长到)',
      '(增加|增长|减少|下降|提高|提升|上升)了?$',
      // Ratios: per person, on average.
      '人均',
      '平均',
      '每人',
      '每[万千]人',
    ],
  },
  // Other institutions, or the whole county rather than the library.
  otherInstitution: {
    scope: 'topic',
    patterns: [
      '文化馆',
      '博物馆',
      '美术馆',
      '档案馆',
      '纪念馆',
      '科技馆',
      '文化站',
      '学校',
      '小学',
      '中学',
      '大学',
      '高校',
      '学院',
      '幼儿园',
      '党校',
      '乡镇',
      '街道',
      '(?<![农乡])村(?![民])',
      '社区',
      '农家书屋',
      '(市|省|国家)图书馆',
      '[省市]馆',
      '全[县市省国]',
      '各级',
      '兄弟',
      '其他',
      '师生',
      '学生',
      '毕业生',
    ],
  },
};

/**
 * "其中…" introduces a part of the figure before it: a total (holdings, visits, staff…) is never
 * read after it, while a detail field (其中图书, 其中在编, 其中购书经费) is read exactly there.
 */
const PART = '其中';

/** A word naming a field; `within` caps its distance to the figure, `sentence` needs company. */
export interface Trigger {
  pattern: string;
  /** Characters allowed between the word and the figure (default: the rule's). */
  within?: number;
  /** The sentence must also contain one of these. */
  sentence?: readonly string[];
}

export interface FieldRule {
  field: string;
  units: readonly string[];
  /** Words before the figure, in its clause ("馆藏图书达12.9万册"). */
  before?: readonly (string | Trigger)[];
  /** Words right after the figure ("13个乡镇分馆", "10万元专项资金"). */
  after?: readonly (string | Trigger)[];
  /** The clause must contain one of these (e.g. 全年 for the total of events). */
  requireClause?: readonly string[];
  /** The sentence must contain one of these. */
  requireSentence?: readonly string[];
  /** Not taken when the clause before the figure contains one of these. */
  exclude?: readonly string[];
  /** Not taken when the whole clause contains one of these. */
  excludeClause?: readonly string[];
  /** Not taken when the sentence contains one of these. */
  excludeSentence?: readonly string[];
  /** Distractor kinds that do not apply (stock figures ignore running totals…). */
  ignore?: readonly CueKind[];
  /** Characters allowed between a word before the figure and the figure (default 12). */
  maxDistance?: number;
}

const VOLUMES = ['册', '件', '本'];
const PEOPLE = ['人', '名', '位'];
const EVENTS = ['场', '场次', '次', '期'];
const MONEY = ['元'];
const COUNTS = ['个', '家', '所', '座', '处'];
/** A figure of a stock (what there is at year end) may be a running total. */
const STOCK: readonly CueKind[] = ['runningTotal'];
/** Branches, service points and the like are outside the main library by definition. */
const NETWORK: readonly CueKind[] = ['runningTotal', 'partOf', 'otherInstitution'];
const DIGITAL = ['电子', '数字', '数据库', '线上', '网络'];
const QUOTED_NAME = '[“《"]';

export const FIELD_RULES: readonly FieldRule[] = [
  // ── profile ──
  {
    field: 'servicePopulation',
    units: ['人', ''],
    before: ['服务人口', '常住人口', '总人口', '户籍人口', { pattern: '人口', within: 4 }],
    ignore: ['runningTotal', 'otherInstitution'],
    exclude: [PART, '流动人口', '城镇人口', '农村人口', '少儿', '未成年'],
  },
  {
    field: 'floorArea',
    units: ['平方米', '平米', '平方', '㎡', 'm²', 'm2'],
    before: ['建筑面积', '馆舍面积', '总面积', '面积', { pattern: '馆舍', within: 4 }],
    exclude: [PART],
    ignore: STOCK,
    excludeClause: [
      '占地',
      '绿化',
      '改造',
      '装修',
      '维修',
      '新建',
      '新馆',
      '扩建',
      '在建',
      '书库',
      '报告厅',
      '展厅',
      '活动室',
      '停车',
      '广场',
    ],
  },
  {
    field: 'readingSeats',
    units: ['个', '席', '张', '座'],
    before: ['阅览座席', '阅览座位', '阅览席位', '座席', '座位', '席位'],
    after: ['阅览座席', '阅览座位', '座席', '座位', '席位'],
    ignore: ['capacity', 'runningTotal'],
    excludeClause: ['报告厅', '会议', '多功能厅', '自习', '少儿', '电子阅览'],
  },
  {
    field: 'weeklyOpenHours',
    units: ['小时'],
    before: ['每周开放', '周开放', '每周[^,。]{0,8}开放(时间)?(达|为)?'],
    ignore: ['capacity', 'runningTotal'],
  },

  // ── collection ──
  {
    field: 'holdingsTotal',
    units: VOLUMES,
    before: ['馆藏(总量|总数)?', '藏书(总量)?', '总藏量', '藏量', '文献总量', '文献资源总量'],
    ignore: STOCK,
    exclude: [PART, ...DIGITAL, '剔旧', '剔除', '注销', '下架', '新增', '新购', '年增'],
  },
  {
    field: 'holdingsBooks',
    units: VOLUMES,
    before: ['其中图书', '其中纸质图书', '纸质图书', '图书藏量', '图书总量'],
    ignore: STOCK,
    exclude: DIGITAL,
  },
  {
    field: 'newAcquisitions',
    units: VOLUMES,
    before: [
      '新增',
      '(?<![上去前全])年增',
      '新购',
      '购置',
      '采购',
      '新进',
      '新入藏',
      '入藏',
      '添置',
      '购进',
      '购买',
      '购书',
      '新书',
    ],
    exclude: [PART, ...DIGITAL, '剔旧', '剔除', '捐赠', '赠送'],
  },
  {
    field: 'newspaperTitles',
    units: ['种'],
    before: ['报纸'],
    after: ['报纸'],
    exclude: ['期刊', '杂志', '报刊'],
    excludeClause: ['整理', '装订', '合订'],
  },
  {
    field: 'periodicalTitles',
    units: ['种'],
    before: ['期刊', '杂志'],
    after: ['期刊', '杂志'],
    exclude: ['报纸', '报刊', '过刊', '现刊'],
    excludeClause: ['整理', '装订', '合订', '现刊', '过刊'],
  },
  {
    field: 'localDocuments',
    units: VOLUMES,
    before: ['地方文献'],
    ignore: STOCK,
    excludeClause: ['征集', '新增', '收集', '入藏', '数据库', '数字'],
  },
  {
    field: 'ancientBooks',
    units: [...VOLUMES, '部'],
    before: ['古籍'],
    ignore: STOCK,
    excludeClause: ['修复', '普查', '数字化', '整理'],
  },
  {
    field: 'digitalResourcesTB',
    units: ['TB', 'T'],
    before: ['数字资源', '电子资源', '数字化资源', '数据库', '自建', '存储'],
    ignore: STOCK,
    exclude: [PART],
    excludeClause: [
      '合作',
      '共享',
      '使用',
      '免费',
      '镜像',
      '试用',
      '提供',
      '国家数字图书馆',
      '推广工程',
      '云',
    ],
  },
  {
    field: 'donationsReceived',
    units: VOLUMES,
    before: [
      '接受[^,。]{0,10}捐赠(的)?(图书)?',
      '接收[^,。]{0,10}捐赠(的)?(图书)?',
      '收到[^,。]{0,10}捐赠(的)?(图书)?',
      '受赠(图书)?',
      '获赠(图书)?',
      '争取到[^,。]{0,10}捐赠(的)?(图书)?',
      '社会捐赠(的)?(图书)?',
    ],
    after: [
      { pattern: '(的)?(图书)?捐赠', within: 2 },
      { pattern: '(的)?捐赠图书', within: 2 },
    ],
    requireSentence: ['接受', '接收', '收到', '受赠', '获赠', '争取到', '征集', '社会捐赠'],
    ignore: ['otherInstitution', 'partOf'],
  },

  // ── services ──
  {
    field: 'visits',
    units: ['人次'],
    before: [
      '接待[^,。]{0,4}读者',
      '到馆读者',
      '到馆',
      '进馆',
      '入馆',
      '读者流通',
      '流通人次',
      '服务读者',
      '接待',
    ],
    exclude: [
      PART,
      ...DIGITAL,
      '网站',
      '公众号',
      '微信',
      '浏览',
      '访问',
      '点击',
      '活动',
      '参与',
      '参加',
      '讲座',
      '展览',
      '培训',
      '比赛',
      '观看',
    ],
  },
  {
    field: 'loans',
    units: ['册次'],
    before: ['外借', '借阅', '借还', '借出', '借书', '流通'],
    exclude: [PART, ...DIGITAL, '内阅', '阅览', '馆内', '总流量', '流量'],
  },
  {
    field: 'loans',
    units: ['册', '本'],
    before: [
      { pattern: '外借', within: 6 },
      { pattern: '借出', within: 6 },
      { pattern: '借还', within: 6 },
      { pattern: '借书', within: 6 },
    ],
    exclude: [PART, ...DIGITAL, '内阅', '阅览', '馆内', '可供'],
  },
  {
    field: 'newCards',
    units: ['个', '张', '本', '人', '份'],
    before: [
      '办证',
      '办理[^,。]{0,6}证',
      '新办[^,。]{0,6}证',
      '发放[^,。]{0,4}证',
      '新增[^,。]{0,4}证',
      '新增读者',
      '新注册读者',
    ],
    after: [{ pattern: '(读者)?(借阅证|借书证|读者证)', within: 1 }],
    exclude: [PART, '有效', '持证', '注销'],
  },
  {
    field: 'registeredReaders',
    units: ['人', '名', '个', '张'],
    before: ['持证读者', '有效读者', '注册读者', '有效持证', '持有效', '有效借阅证'],
    after: [{ pattern: '有效?持证读者', within: 1 }],
    ignore: STOCK,
    exclude: ['新增', '新办'],
  },
  {
    field: 'referenceQueries',
    units: ['次', '条', '人次', '件', '个'],
    before: ['咨询', '解答'],
    exclude: [PART, '活动', '培训'],
  },
  {
    field: 'onlineVisits',
    units: ['人次', '次'],
    before: ['浏览', '访问', '点击', '阅读量', '浏览量', '访问量', '点击量'],
    requireSentence: [
      '网站',
      '公众号',
      '微信',
      '平台',
      '线上',
      '网络',
      '数字',
      '抖音',
      '视频号',
      '微博',
      '客户端',
      'APP',
    ],
    exclude: ['活动', '诵读', '讲座', '展览', '比赛', '借阅'],
  },
  {
    field: 'eReadingVisits',
    units: ['人次'],
    before: ['电子阅览室[^,。]{0,6}(接待读者|接待|读者|上网)?', '电子阅览'],
    exclude: ['未成年', '少儿', '其中'],
  },

  // ── activities ──
  {
    field: 'eventsTotal',
    units: [...EVENTS, '项'],
    before: [
      '各类[^,。]{0,8}活动(总计|共计|合计|共)?',
      '各项[^,。]{0,8}活动(总计|共计|合计|共)?',
      '阅读推广活动(总计|共计|合计|共)?',
      '读者活动(总计|共计|合计|共)?',
      '活动总场次',
      '活动总数',
    ],
    requireClause: [
      '全年',
      '年内',
      '全年共',
      '共计',
      '总计',
      '累计',
      '各类',
      '各项',
      '总场次',
      '总数',
    ],
    exclude: [PART],
    ignore: ['runningTotal'],
    excludeClause: [QUOTED_NAME],
  },
  {
    field: 'eventParticipants',
    units: ['人次', '人'],
    before: [
      '参与(读者|群众|人员)?',
      '参加(读者|群众|人员)?',
      '受益(读者|群众)?',
      '惠及(读者|群众)?',
      '服务(读者|群众)',
    ],
    // "全年举办各类活动186场，参与群众4.6万人次": the total is named earlier in the sentence.
    requireSentence: ['各类', '各项', '全年', '总计', '共计', '累计', '活动总'],
    exclude: [PART],
    ignore: ['runningTotal'],
    excludeClause: [QUOTED_NAME],
  },
  {
    field: 'lectures',
    units: [...EVENTS, '个'],
    before: ['讲座', '讲堂', '报告会'],
    after: ['讲座', '讲堂', '报告会'],
    exclude: ['展览', '培训', '活动', '、'],
    excludeClause: [QUOTED_NAME],
  },
  {
    field: 'exhibitions',
    units: [...EVENTS, '个'],
    before: ['展览', '展出', '画展', '图片展', '书法展', '摄影展', '作品展', '巡展', '主题展'],
    after: ['展览', '画展', '图片展', '书法展', '摄影展', '作品展', '巡展', '主题展'],
    exclude: ['讲座', '培训', '活动'],
    excludeClause: [QUOTED_NAME],
  },
  {
    field: 'trainings',
    units: [...EVENTS, '班'],
    before: ['培训'],
    after: ['培训', '培训班'],
    exclude: ['讲座', '展览', '活动'],
    excludeClause: [
      QUOTED_NAME,
      '基层',
      '分馆',
      '服务点',
      '书屋',
      '管理员',
      '馆员',
      '职工',
      '员工',
      '业务',
      '工作人员',
      '志愿者',
      '干部',
      '消防',
      '安全',
      '演练',
    ],
  },
  {
    field: 'volumesDonatedOut',
    units: VOLUMES,
    // Not 送书 (送书下乡 is often lending, not giving).
    before: ['赠送[^,。]{0,4}图书', '捐赠图书', '赠书', '捐书', '赠送', '捐赠'],
    requireSentence: ['向', '给', '为', '对', '赠送', '送到', '送往', '送去', '进校园'],
    excludeSentence: ['接受', '接收', '收到', '受赠', '获赠', '争取到', '征集'],
    ignore: ['partOf', 'otherInstitution'],
  },

  // ── network ──
  {
    field: 'branches',
    units: COUNTS,
    before: [{ pattern: '(乡镇|街道)?分馆', within: 4 }],
    after: ['(乡镇|街道|镇|乡)?(图书)?分馆'],
    ignore: NETWORK,
  },
  {
    field: 'servicePoints',
    units: COUNTS,
    before: [{ pattern: '服务点', within: 4 }],
    after: ['(图书|基层|村级?|社区)?(服务点|流通点)'],
    ignore: NETWORK,
  },
  {
    field: 'villageLibrariesSupported',
    units: COUNTS,
    before: [{ pattern: '农家书屋', within: 6 }],
    after: ['农家书屋'],
    requireClause: ['辅导', '指导', '配送', '更新', '帮扶', '补充', '送书', '督导', '检查', '培训'],
    ignore: ['partOf', 'otherInstitution'],
  },
  {
    field: 'grassrootsTrainings',
    units: ['期', '次', '场', '班'],
    before: ['培训班', '业务培训', '培训'],
    after: ['培训班', '业务培训', '培训'],
    requireClause: ['基层', '分馆', '服务点', '书屋', '管理员', '乡镇', '村', '社区'],
    ignore: NETWORK,
    excludeClause: [QUOTED_NAME],
  },

  // ── staffing ──
  {
    field: 'staffTotal',
    units: PEOPLE,
    before: [
      '职工总数',
      '在职职工',
      '现有职工',
      '全馆职工',
      '共有职工',
      '在岗职工',
      '工作人员',
      '现有人员',
      '全馆人员',
      {
        pattern: '(共有?|共计|合计|总计)',
        within: 0,
        sentence: ['在编', '编外', '公益性', '临聘', '聘用', '职工', '工作人员'],
      },
    ],
    ignore: STOCK,
    exclude: [
      PART,
      '岁',
      '以上',
      '以下',
      '职称',
      '专业',
      '学历',
      '本科',
      '大专',
      '研究生',
      '党员',
      '女',
      '男',
      '退休',
      '新增',
      '招聘',
      '培训',
      '参加',
      '参与',
    ],
  },
  {
    field: 'staffEstablished',
    units: PEOPLE,
    before: ['在编(人员|职工|员工)?', '编制内', '事业编制', '正式职工', '正式员工'],
    after: [{ pattern: '在编(人员|职工|员工)?', within: 1 }],
    ignore: STOCK,
    exclude: ['核定', '定编', '编制数', '空编', '缺编', '编外', '退休'],
  },
  {
    field: 'staffOther',
    units: PEOPLE,
    before: ['公益性岗位', '公益性', '编外', '临时聘用', '临聘', '聘用人员', '合同制', '劳务派遣'],
    after: [{ pattern: '(公益性岗位|公益性|编外|临时聘用|临聘|聘用|合同制|劳务派遣)', within: 1 }],
    ignore: STOCK,
    exclude: ['新增', '招聘'],
  },
  {
    field: 'staffSeniorTitle',
    units: PEOPLE,
    before: ['高级(技术)?职称', '副高', '正高', '副研究馆员', '研究馆员'],
    after: [{ pattern: '(副高|正高|高级|副研究馆员|研究馆员)', within: 1 }],
    ignore: STOCK,
    exclude: ['取得', '晋升', '评聘', '新增', '通过', '考取', '申报'],
  },
  {
    field: 'staffMidTitle',
    units: PEOPLE,
    before: ['中级'],
    after: [{ pattern: '中级', within: 1 }],
    ignore: STOCK,
    exclude: ['取得', '晋升', '评聘', '新增', '通过', '考取', '申报', '突破'],
  },
  {
    field: 'staffJuniorTitle',
    units: PEOPLE,
    before: ['初级', '助理馆员'],
    after: [{ pattern: '(初级|助理馆员)', within: 1 }],
    ignore: STOCK,
    exclude: ['取得', '晋升', '评聘', '新增', '通过', '考取', '申报'],
  },
  {
    field: 'trainingHours',
    units: ['学时', '课时', '小时'],
    before: ['培训', '学习', '继续教育', '公需课'],
    requireSentence: ['职工', '馆员', '员工', '全馆人员', '工作人员', '干部', '全体', '队伍'],
    // Staff are trained by others (学会, 省馆): the organiser is not a distractor.
    ignore: ['runningTotal', 'otherInstitution'],
    exclude: ['建馆以来', '多年来', '历年', '读者', '学生', '群众'],
  },

  // ── funding ──
  {
    field: 'fundingTotal',
    units: MONEY,
    before: [
      '财政拨款(总额|总计|合计)?',
      '拨款总额',
      '经费总额',
      '总经费',
      '全年经费',
      '年度经费',
      '财政投入',
      '财政补助收入',
    ],
    exclude: [
      PART,
      '专项',
      '购书',
      '免费开放',
      '改造',
      '建设',
      '设备',
      '维修',
      '活动经费',
      '补助资金',
    ],
  },
  {
    field: 'bookFunds',
    units: MONEY,
    before: [
      '购书经费',
      '购书费',
      '购书资金',
      '图书购置费',
      '文献购置费',
      '文献资源购置费',
      '购置图书',
      '购书',
    ],
    after: [{ pattern: '(用于)?(购书|购置图书|购买图书|图书购置|文献购置)', within: 2 }],
    exclude: ['数字', '数据库', '电子'],
  },
  {
    field: 'freeOpeningFunds',
    units: MONEY,
    before: ['免费开放(补助)?(经费|资金)?'],
    after: [{ pattern: '(的)?免费开放(补助)?(经费|资金)', within: 2 }],
  },
  {
    field: 'specialProjectFunds',
    units: MONEY,
    before: ['专项资金', '专项经费', '中央补助', '专项补助', '补助资金'],
    after: [{ pattern: '(的)?(专项资金|专项经费|专项补助|补助资金)', within: 2 }],
    exclude: ['购书'],
  },
  {
    field: 'digitalFunds',
    units: MONEY,
    before: ['数字资源(购置|采购)', '购买数字资源', '电子资源(购置|采购)', '数据库'],
    after: [{ pattern: '(用于)?(购买|采购|购置)(数字资源|数据库|电子资源)', within: 2 }],
  },
];

/** Statements without figures: a yes/no or a choice the text states in words. */
export interface StatementRule {
  field: string;
  value: unknown;
  patterns: readonly string[];
}

export const STATEMENT_RULES: readonly StatementRule[] = [
  {
    field: 'dedicatedBookBudget',
    value: false,
    patterns: [
      '(没有|无|未设|未列|缺少|缺乏)(专门|专项|单列|固定)?的?(购书经费|购书费|购书专项|购书资金|文献购置费)',
      '购书经费[^,。]{0,6}(未列入|没有列入|未纳入|没有纳入)(财政)?预算',
      '(挤出|挤占)[^,。]{0,8}购书经费',
    ],
  },
  {
    field: 'dedicatedBookBudget',
    value: true,
    patterns: [
      '(?<!没有|无)(专项购书经费|购书专项经费|单列购书经费)',
      '购书经费(已)?(列入|纳入)(财政)?预算',
    ],
  },
  {
    field: 'assessmentGrade',
    value: 'grade1',
    patterns: [
      '(被评为|评为|评定为|被定为|定级为|荣获|获评|晋升为|保持|是|为)(国家|全国)?(一|1)级(公共)?(图书)?馆',
    ],
  },
  {
    field: 'assessmentGrade',
    value: 'grade2',
    patterns: [
      '(被评为|评为|评定为|被定为|定级为|荣获|获评|晋升为|保持|是|为)(国家|全国)?(二|2)级(公共)?(图书)?馆',
    ],
  },
  {
    field: 'assessmentGrade',
    value: 'grade3',
    patterns: [
      '(被评为|评为|评定为|被定为|定级为|荣获|获评|晋升为|保持|是|为)(国家|全国)?(三|3)级(公共)?(图书)?馆',
    ],
  },
];

/**
 * Problem codes and the phrases that state them. Each phrase pairs a subject with a word of
 * lack or age, so a sentence that merely mentions book money or floor space is not taken.
 */
export const PROBLEM_RULES: readonly { code: string; patterns: readonly string[] }[] = [
  {
    code: 'space',
    patterns: [
      '(空间|面积|馆舍|场地|用房|书库|库房)[^,。;]{0,8}(有限|不足|狭小|狭窄|紧张|紧缺|不够|饱和|局促|偏小|太小)',
      '(缺乏|缺少|没有)[^,。]{0,6}(空间|场地|用房)',
      '(空间|场地|面积)[^,。]{0,12}(亟需|急需|需要?进一步|需)[^,。]{0,6}(增加|扩大|扩建)',
    ],
  },
  {
    code: 'staffShortage',
    patterns: [
      '(?<!专业|技术)(人力|人员|人手|编制|职工|工作人员)[^,。;]{0,6}(匮乏|不足|紧缺|短缺|偏少|较少|太少|紧张|缺乏)',
      '缺编',
    ],
  },
  {
    code: 'staffExpertise',
    patterns: [
      '(专业|技术)(人才|人员|技术人员)[^,。;]{0,8}(缺乏|匮乏|不足|短缺|欠缺|引进|充实)',
      '年龄(结构)?[^,。]{0,4}(偏大|老化|偏高|断层)',
      '老龄化',
      '专业性[^,。]{0,2}(不强|不够|差)',
      '(业务|专业)(素质|能力|水平)[^,。]{0,6}(不高|偏低|较低|有待|不够|欠缺)',
      '(缺乏|缺少)[^,。]{0,6}(专业|人才)',
      '钻研业务[^,。]{0,6}不',
    ],
  },
  {
    code: 'bookFunding',
    patterns: [
      '(购书|文献购置|图书购置|购置图书)(经费|费|资金)[^,。;]{0,6}(不足|紧张|短缺|少|有限|匮乏|欠缺)',
      '(没有|无|缺乏|缺少)[^,。]{0,8}(购书|文献购置|图书购置)(经费|费|资金)',
    ],
  },
  {
    code: 'operatingFunding',
    patterns: [
      '(?<!购书|购置|文献购置|图书购置)经费[^,。;]{0,6}(不足|紧张|短缺|困难|有限|匮乏|欠缺|不够)',
      '(缺乏|缺少|没有)(运行|运营|活动|办公|维修|业务)经费',
    ],
  },
  {
    code: 'facilities',
    patterns: [
      '(设施|设备|硬件|电脑|计算机|空调|线路|馆舍)[^,。;]{0,8}(陈旧|老化|落后|破旧|老旧|简陋|不全|欠缺|损坏|维修)',
      '(陈旧|老化|落后|简陋)的?(设施|设备)',
    ],
  },
  {
    code: 'digital',
    patterns: [
      '(数字化|信息化|自动化|数字资源|数字图书馆|智能化|现代化?管理)[^,。;]{0,8}(薄弱|落后|不足|滞后|欠缺|不到位|不够|缺乏|空白)',
      '手工操作',
      '(缺乏|缺少|没有)[^,。]{0,6}(数字化|信息化|自动化|数字资源)',
    ],
  },
  {
    code: 'collection',
    patterns: [
      '(馆藏|藏书)(?!空间|室|库|区|能力)(结构|资源|文献)?[^,。;]{0,6}(陈旧|老化|单一|不合理|更新慢|更新不及时|匮乏|偏少)',
      '新书[^,。;]{0,6}(少|不足|偏低|较低)',
      '(更新率|上架率|入藏量)[^,。;]{0,4}(低|不足|不高)',
    ],
  },
];
