import { describe, expect, it } from '@jest/globals';
import { normalizeText } from './normalize.js';
import { scanFigures } from './numerals.js';
import { analyzeDocument } from './segment.js';

const analyze = (text: string) => {
  const normalized = normalizeText(text);
  const shape = analyzeDocument(normalized, scanFigures(normalized));
  return {
    ...shape,
    texts: shape.sentences.map((sentence) => text.slice(sentence.start, sentence.end).trim()),
  };
};

describe('analyzeDocument', () => {
  it('splits sentences at stops and line ends, but not inside a figure', () => {
    expect(analyze('馆藏5。2万册。全年接待读者3万人次；借阅1万册次！\n完').texts).toEqual([
      '馆藏5。2万册。',
      '全年接待读者3万人次；',
      '借阅1万册次！',
      '完',
    ]);
  });

  it('splits clauses at commas, but not inside a figure', () => {
    const shape = analyze('接待读者8,900人次，借阅1万册次。');
    expect(shape.sentences[0]?.clauses).toHaveLength(2);
  });

  it('knows plan and problem sections from their headings', () => {
    const text = [
      '示范县图书馆2025年工作总结暨2026年工作计划',
      '一、主要工作',
      '接待读者5万人次。',
      '二、存在的问题',
      '（一）馆舍狭小。',
      '三、2026年工作计划',
      '1.新增图书5000册。',
      '示范县图书馆',
      '落款。',
    ].join('\n');
    const shape = analyze(text);
    const context = (words: string) => {
      const index = shape.texts.findIndex((sentence) => sentence.includes(words));
      return shape.sentences[index]?.context;
    };
    expect(context('接待读者')).toMatchObject({ plan: false, problems: null });
    expect(context('馆舍狭小')).toMatchObject({ plan: false, problems: 0 });
    expect(context('新增图书')).toMatchObject({ plan: true, problems: null });
    expect(context('落款')).toMatchObject({ plan: false, problems: null });
    expect(shape.reportYear).toBe(2025);
    expect(shape.planDocument).toBe(false);
    expect(shape.partialYear).toBe(false);
  });

  it('finds the year from the text when the title has none', () => {
    expect(analyze('县图书馆工作总结\n圆满完成了2024年的各项任务。2023年起步。').reportYear).toBe(
      2024,
    );
  });

  it('recognises half-year documents and plan documents by their title', () => {
    expect(analyze('圖書館上半年工作總結\n内容。').partialYear).toBe(true);
    expect(analyze('图书馆2026年工作计划\n内容。').planDocument).toBe(true);
    expect(analyze('图书馆2025年工作总结\n内容。')).toMatchObject({
      partialYear: false,
      planDocument: false,
    });
  });
});
