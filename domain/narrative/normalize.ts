/**
 * Normalisation that keeps offsets: every character of the original maps to exactly one
 * character of the normalised text, so a position found in the normalised text is the same
 * position in what the librarian pasted. Full-width digits, letters and punctuation become
 * ASCII; Traditional characters that matter to the rules become Simplified.
 */

/** Pairs of Traditional → Simplified characters, written as "繁简" two-character entries. */
const TRADITIONAL_PAIRS =
  '萬万億亿兩两圖图書书館馆冊册來来個个種种場场積积總总數数員员編编職职稱称級级經经費费購购專专項项門门' +
  '閱阅覽览讀读證证辦办還还訂订報报紙纸雜杂誌志電电資资據据庫库區区鄉乡鎮镇縣县務务點点農农訓训講讲動动' +
  '參参與与贈赠計计劃划預预設设規规納纳兒儿學学問问題题難难陳陈舊旧備备間间歲岁時时課课後后際际達达約约' +
  '餘余馀余為为對对這这進进開开閉闭現现廳厅實实補补撥拨財财結结轉转體体統统號号屆届張张處处層层樓楼歷历' +
  '協协會会標标準准獲获評评導导線线網网訪访瀏浏擊击錄录頁页軟软條条諮咨詢询殘残畢毕業业運运營营維维護护' +
  '傳传匱匮較较齡龄構构強强緊紧狹狭廣广類类單单續续換换裝装當当臨临製制勞劳議议屬属記记節节週周內内齊齐' +
  '臺台颱台檯台於于並并從从幾几總总產产發发機机長长東东車车無无沒没舉举辦办讓让說说億亿萬万眾众眾众階阶' +
  '讀读寫写聽听觀观顯显戶户門门們们個个億亿價价値值值值額额總总費费銷销額额錢钱撥拨專专資资創创優优質质' +
  '團团隊队紀纪歡欢慶庆節节館馆員员職职聘聘臨临時时務务籍籍寶宝藝艺術术書书畫画廳厅聯联絡络鄰邻區区屆届' +
  '藏藏較较闊阔雙双邊边點点驗验證证認认識识覺觉戲戏劇剧樂乐遊游鐘钟環环境境築筑層层間间廈厦屋屋場场' +
  '舊旧損损壞坏簡简陋陋缺缺乏乏滯滞後后薄薄弱弱態态龍龙華华興兴麗丽鄭郑劉刘陳陈楊杨趙赵週周範范圍围' +
  '組组織织負负責责擔担辭辞選选擇择標标誌志響响應应權权屬属條条規规細细則则獎奖勵励懲惩罰罚虛虚擬拟' +
  '憶忆億亿憑凭據据證证獻献盡尽斷断續续顧顾慮虑適适試试測测檢检查查驗验質质審审核核確确認认訂订補补' +
  '貼贴帳账簿簿統统計计數数據据庫库報报告告稅税費费資资產产財财務务預预算算決决賬账綫线鏈链網网絡络' +
  '鐵铁銀银錄录鑒鉴藍蓝綠绿紅红黃黄顏颜齒齿腦脑體体臉脸頭头髮发裡里裏里麼么乾干幹干亂乱爭争氣气溫温' +
  '濕湿濟济灣湾灑洒漢汉潔洁澤泽濱滨瀋沈漁渔滅灭災灾燈灯煙烟爐炉熱热愛爱態态懷怀憂忧慣惯應应戰战擴扩' +
  '據据擁拥擬拟攝摄換换揮挥損损搶抢掃扫掛挂撫抚擠挤擺摆攜携數数斂敛廠厂廢废廟庙廬庐廳厅彈弹徑径徵征' +
  '覈核親亲覽览觸触訊讯託托記记訪访設设許许詳详語语誤误說说誰谁課课調调談谈請请諸诸謀谋講讲謝谢識识' +
  '譯译護护讚赞貝贝負负貢贡貨货販贩貧贫貫贯責责賀贺貴贵費费貼贴貿贸資资賣卖賞赏賢贤質质購购賽赛贈赠' +
  '趕赶躍跃軍军軌轨較较載载輔辅輕轻輛辆輪轮輸输轄辖辦办辭辞農农邊边遼辽郵邮鄉乡醫医釋释針针鈴铃鋼钢' +
  '錯错鍵键鎖锁長长門门閃闪閒闲閣阁閩闽闆板關关陣阵陰阴陸陆陽阳隊队階阶隨随險险雖虽雞鸡離离難难雲云' +
  '電电霧雾靜静韓韩項项順顺須须預预領领頻频題题額额願愿類类顧顾風风飛飞飯饭飲饮餐餐饑饥館馆馬马駐驻' +
  '驗验驚惊髮发鬥斗魚鱼鳥鸟鳳凤麥麦黨党點点齊齐龍龙龜龟' +
  '採采買买籌筹國国園园檔档減减過过貳贰叄叁鑽钻註注佔占榮荣師师筆笔衛卫視视聲声寬宽嚴严緩缓異异' +
  '圓圆邁迈佈布養养頒颁競竞幫帮樣样';

const TRADITIONAL = new Map<string, string>();
for (let index = 0; index + 1 < TRADITIONAL_PAIRS.length; index += 2) {
  const from = TRADITIONAL_PAIRS[index];
  const to = TRADITIONAL_PAIRS[index + 1];
  if (from !== undefined && to !== undefined && from !== to) TRADITIONAL.set(from, to);
}

/** Full-width punctuation that matters to numbers and clauses, and its ASCII form. */
const PUNCTUATION: Readonly<Record<string, string>> = {
  '，': ',',
  '；': ';',
  '：': ':',
  '（': '(',
  '）': ')',
  '．': '.',
  '％': '%',
  '！': '!',
  '？': '?',
  '～': '~',
  '　': ' ',
  '\u00a0': ' ',
};

const FULL_WIDTH_START = 0xff01;
const FULL_WIDTH_END = 0xff5e;
const FULL_WIDTH_OFFSET = 0xfee0;

const normalizeChar = (char: string): string => {
  const punctuation = PUNCTUATION[char];
  if (punctuation !== undefined) return punctuation;
  const code = char.charCodeAt(0);
  // Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) to ASCII.
  if (code >= FULL_WIDTH_START && code <= FULL_WIDTH_END) {
    const ascii = String.fromCharCode(code - FULL_WIDTH_OFFSET);
    if (/[0-9A-Za-z]/.test(ascii)) return ascii;
  }
  return TRADITIONAL.get(char) ?? char;
};

/**
 * The text as the rules read it: same length as the input, position for position. Characters
 * outside the Basic Multilingual Plane (surrogate pairs) are kept as they are.
 */
export const normalizeText = (text: string): string => {
  let result = '';
  for (let index = 0; index < text.length; index += 1) {
    result += normalizeChar(text[index] ?? '');
  }
  return result;
};
