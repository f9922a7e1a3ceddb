import { describe, expect, it } from '@jest/globals';
import { csvColumns, formatCell, LIST_SEPARATOR } from './csv-layout.js';
import type { FieldDefinition } from './definition.js';
import { realForm, wuxiangReport2025 } from './fixtures.js';

const form = realForm();
const columns = csvColumns(form);
const field = (key: string): FieldDefinition => {
  const found = form.fields.get(key);
  if (!found) throw new Error(`no field ${key}`);
  return found;
};

describe('csvColumns', () => {
  it('has one column per field, in definition order, keyed by field key', () => {
    expect(columns.map((column) => column.key)).toEqual([...form.fields.keys()]);
  });

  it('heads columns with the Chinese label and its unit', () => {
    const label = (key: string) => columns.find((column) => column.key === key)?.label;
    expect(label('holdingsTotal')).toBe('总藏量（册(件)）');
    expect(label('servicePopulation')).toBe('服务人口（人）');
    expect(label('fundingTotal')).toBe('年度财政拨款总额（元）');
    expect(label('assessmentGrade')).toBe('评估定级等级');
    expect(label('incidents')).toBe('灾害与安全事件');
  });
});

describe('formatCell', () => {
  it('writes yes/no as 是/否 for people and true/false for programs', () => {
    expect(formatCell(field('dedicatedBookBudget'), true, 'zh')).toBe('是');
    expect(formatCell(field('dedicatedBookBudget'), false, 'zh')).toBe('否');
    expect(formatCell(field('dedicatedBookBudget'), true, 'codes')).toBe('true');
    expect(formatCell(field('dedicatedBookBudget'), false, 'codes')).toBe('false');
  });

  it('writes choice labels for people and codes for programs', () => {
    expect(formatCell(field('assessmentGrade'), 'grade3', 'zh')).toBe('三级馆');
    expect(formatCell(field('assessmentGrade'), 'grade3', 'codes')).toBe('grade3');
    expect(formatCell(field('assessmentGrade'), 'retired', 'zh')).toBe('retired');
  });

  it('joins multi-choice cells with ;', () => {
    const problems = ['space', 'staffShortage', 'bookFunding'];
    expect(LIST_SEPARATOR).toBe(';');
    expect(formatCell(field('problemCategories'), problems, 'codes')).toBe(
      'space;staffShortage;bookFunding',
    );
    expect(formatCell(field('problemCategories'), problems, 'zh')).toBe(
      '馆舍空间不足;人员编制不足;购书经费不足',
    );
    expect(formatCell(field('problemCategories'), [], 'zh')).toBe('');
  });

  it('writes repeated groups as JSON for programs, an empty group as empty', () => {
    const { incidents } = wuxiangReport2025();
    const cell = formatCell(field('incidents'), incidents, 'codes');
    expect(JSON.parse(cell)).toEqual(incidents);
    expect(formatCell(field('incidents'), [], 'codes')).toBe('');
    expect(formatCell(field('incidents'), [], 'zh')).toBe('');
  });

  it('writes repeated groups for people: labels, choice labels and units, items joined with ;', () => {
    const incidents = [
      {
        date: '2025-07-30',
        kind: 'flood',
        description: '少儿阅览室进水，闭馆两周。',
        lossYuan: 129000,
      },
      // A missing sub-field is left out, an unknown choice shows its code.
      { date: '2025-12-02', kind: 'storm', description: '=1+1' },
    ];
    expect(formatCell(field('incidents'), incidents, 'zh')).toBe(
      [
        '日期：2025-07-30，类型：洪灾，描述：少儿阅览室进水，闭馆两周。，损失金额：129000元',
        '日期：2025-12-02，类型：storm，描述：=1+1',
      ].join(LIST_SEPARATOR),
    );
  });

  it('keeps a group cell for people from opening as a formula; yes/no and lists inside', () => {
    const group: FieldDefinition = {
      key: 'notes',
      type: 'group',
      label: { zh: '备注', en: 'Notes' },
      required: false,
      maxItems: 50,
      fields: [
        {
          key: 'text',
          type: 'text',
          label: { zh: '=说明', en: 'Text' },
          required: false,
          maxLength: 100,
        },
        { key: 'done', type: 'bool', label: { zh: '已处理', en: 'Done' }, required: false },
        {
          key: 'kinds',
          type: 'multi',
          label: { zh: '类别', en: 'Kinds' },
          required: false,
          choices: [
            { code: 'a', label: { zh: '甲', en: 'A' } },
            { code: 'b', label: { zh: '乙', en: 'B' } },
          ],
        },
      ],
    };
    expect(formatCell(group, [{ text: 'x' }], 'zh')).toBe("'=说明：x");
    // Within an item, a multi-choice's labels are joined with 、, as ; parts the items.
    expect(formatCell(group, [{ done: false, kinds: ['a', 'b'] }], 'zh')).toBe(
      '已处理：否，类别：甲、乙',
    );
    expect(formatCell(group, [{}, null], 'zh')).toBe('');
  });

  it('writes numbers plain, text as is, and missing values as empty cells', () => {
    expect(formatCell(field('holdingsTotal'), 129000, 'zh')).toBe('129000');
    expect(formatCell(field('floorArea'), 2861.4, 'codes')).toBe('2861.4');
    expect(formatCell(field('fundingTotal'), 1290000, 'zh')).toBe('1290000');
    expect(formatCell(field('plans'), '新建分馆；开展活动', 'zh')).toBe('新建分馆；开展活动');
    for (const key of [
      'holdingsTotal',
      'dedicatedBookBudget',
      'assessmentGrade',
      'problemCategories',
      'incidents',
      'plans',
    ]) {
      expect(formatCell(field(key), undefined, 'zh')).toBe('');
      expect(formatCell(field(key), null, 'codes')).toBe('');
    }
  });
});

describe('formula injection', () => {
  const text = realForm().fields.get('problemDetails');
  it.each(['=HYPERLINK("http://x")', '+1+1', '-2', '@SUM(A1)'])(
    'opens %s as text in the Excel file and leaves the codes file raw',
    (value) => {
      if (!text) throw new Error('problemDetails missing');
      expect(formatCell(text, value, 'zh')).toBe(`'${value}`);
      expect(formatCell(text, value, 'codes')).toBe(value);
    },
  );
});
