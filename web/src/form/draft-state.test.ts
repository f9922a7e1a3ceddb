import { describe, expect, it } from '@jest/globals';
import { compileForm, type FormValues } from '../../../domain/forms/compile.js';
import { FormDefinition } from '../../../domain/forms/definition.js';
import {
  countyAnnualReport,
  realForm,
  withSelfServiceMachines,
  wuxiangReport2025,
} from '../../../domain/forms/fixtures.js';
import {
  childrenRoomForm,
  holdingsShownWithNote,
  ROOM,
  SEATS,
  SEATS_RULE,
  SEATS_WARNING,
} from '../../../domain/forms/show-when-fixtures.js';
import {
  type Blocker,
  blockersFromServer,
  draftSave,
  entryPath,
  mergeAfterConflict,
  moveToVersion,
  olderVersionNotice,
  overwrittenSince,
  parseMoneyText,
  parseNumberText,
  previousAsVersion,
  ruleField,
  sameValue,
  submissionBlockers,
  switchMoneyUnit,
  withinEntries,
  withoutEntry,
  writtenExplanations,
} from './draft-state.js';

const form = realForm();

describe('reading what people type', () => {
  it('reads plain, full-width and separated numbers', () => {
    expect(parseNumberText('12345')).toEqual({ value: 12345 });
    expect(parseNumberText(' １２,３４５ ')).toEqual({ value: 12345 });
    expect(parseNumberText('54。9')).toEqual({ value: 54.9 });
    expect(parseNumberText('')).toEqual({ value: undefined });
  });

  it('refuses text that is not a number, in both languages', () => {
    expect(parseNumberText('12万')).toEqual({ error: { zh: '请输入数字', en: 'Enter a number' } });
    expect(parseNumberText('1.2.3')).toHaveProperty('error');
  });

  it('converts 万元 to whole yuan exactly and refuses fractions of a yuan', () => {
    expect(parseMoneyText('12.9', 'wan')).toEqual({ value: 129000 });
    expect(parseMoneyText('129000', 'yuan')).toEqual({ value: 129000 });
    expect(parseMoneyText('1.23456', 'wan')).toHaveProperty(
      'error.en',
      'At most 4 decimals in 万元 (whole yuan)',
    );
    expect(parseMoneyText('12.5', 'yuan')).toHaveProperty(
      'error.en',
      'Must be a whole number of yuan',
    );
  });
});

describe('a unit written after an amount', () => {
  it('accepts the unit already chosen', () => {
    expect(parseMoneyText('20万', 'wan')).toEqual({ value: 200000 });
    expect(parseMoneyText(' 12.9 万元 ', 'wan')).toEqual({ value: 129000 });
    expect(parseMoneyText('200000元', 'yuan')).toEqual({ value: 200000 });
    expect(parseMoneyText('２００,０００ 元', 'yuan')).toEqual({ value: 200000 });
  });

  it('refuses another unit, saying which one is chosen', () => {
    expect(parseMoneyText('20万', 'yuan')).toHaveProperty(
      'error.zh',
      '单位已选元，只填数字（按万元填写请改选万元）',
    );
    expect(parseMoneyText('200000元', 'wan')).toHaveProperty(
      'error.zh',
      '单位已选万元，只填数字（按元填写请改选元）',
    );
  });

  it('refuses a unit alone or other words', () => {
    expect(parseMoneyText('万元', 'wan')).toHaveProperty('error.zh', '请输入数字');
    expect(parseMoneyText('5千', 'wan')).toHaveProperty('error.zh', '请输入数字');
    expect(parseMoneyText('20万万', 'wan')).toHaveProperty('error.zh', '请输入数字');
  });

  it('is read again in the other unit when the unit changes', () => {
    expect(switchMoneyUnit('20万', 'wan', 'yuan')).toEqual({
      text: '200000',
      parsed: { value: 200000 },
    });
    expect(switchMoneyUnit('200000元', 'wan', 'yuan')).toEqual({
      text: '200000元',
      parsed: { value: 200000 },
    });
  });
});

describe('switching a money input between 万元 and 元', () => {
  it('rewrites a valid amount in the new unit, keeping the amount', () => {
    expect(switchMoneyUnit('12.9', 'wan', 'yuan')).toEqual({
      text: '129000',
      parsed: { value: 129000 },
    });
    expect(switchMoneyUnit('30000', 'yuan', 'wan')).toEqual({
      text: '3',
      parsed: { value: 30000 },
    });
    expect(switchMoneyUnit('', 'wan', 'yuan')).toEqual({ text: '', parsed: { value: undefined } });
  });

  it('reads text with an error again in the new unit, so a stale error does not remain', () => {
    // Not whole yuan, but a valid number of 万元.
    expect(parseMoneyText('12.5', 'yuan')).toHaveProperty('error');
    expect(switchMoneyUnit('12.5', 'yuan', 'wan')).toEqual({
      text: '12.5',
      parsed: { value: 125000 },
    });
    // Wrong in either unit: the error stays, about the text still shown.
    expect(switchMoneyUnit('12千', 'wan', 'yuan')).toEqual({
      text: '12千',
      parsed: { error: { zh: '请输入数字', en: 'Enter a number' } },
    });
  });
});

describe('what a draft save carries', () => {
  it('keeps valid values, leaves out empty ones and values never saved that fail their checks', () => {
    expect(
      draftSave(
        form,
        {
          servicePopulation: 150000,
          holdingsTotal: -5,
          problemDetails: '',
          problemCategories: [],
        },
        {},
        {},
      ),
    ).toEqual({ values: { servicePopulation: 150000 }, held: ['holdingsTotal'] });
  });

  it('sends the last saved value of a field that now fails its checks, instead of erasing it', () => {
    const lastSaved = { servicePopulation: 150000, holdingsTotal: 5000 };
    expect(
      draftSave(form, { servicePopulation: 160000, holdingsTotal: -5 }, lastSaved, {}),
    ).toEqual({
      values: { servicePopulation: 160000, holdingsTotal: 5000 },
      held: ['holdingsTotal'],
    });
  });

  it('holds a field whose text is not a number, whatever value is behind it', () => {
    const lastSaved = { servicePopulation: 150000, holdingsTotal: 5000 };
    const notANumber = { holdingsTotal: { zh: '请输入数字', en: 'Enter a number' } };
    // Typed "5000x": the value is still the saved one, the text is not.
    expect(draftSave(form, lastSaved, lastSaved, notANumber)).toEqual({
      values: lastSaved,
      held: ['holdingsTotal'],
    });
    // Emptied, then typed "x" before the autosave: not erased either.
    expect(draftSave(form, { servicePopulation: 150000 }, lastSaved, notANumber)).toEqual({
      values: lastSaved,
      held: ['holdingsTotal'],
    });
  });

  it('holds nothing once the field is corrected, and an emptied field is erased on purpose', () => {
    const lastSaved = { servicePopulation: 150000, holdingsTotal: 5000 };
    expect(
      draftSave(form, { servicePopulation: 150000, holdingsTotal: 6000 }, lastSaved, {}),
    ).toEqual({ values: { servicePopulation: 150000, holdingsTotal: 6000 }, held: [] });
    expect(draftSave(form, { servicePopulation: 150000 }, lastSaved, {})).toEqual({
      values: { servicePopulation: 150000 },
      held: [],
    });
  });
});

describe('errors inside a group entry, by path', () => {
  const notANumber = { zh: '请输入数字', en: 'Enter a number' };

  it('names a sub-field as the engine does', () => {
    expect(entryPath('incidents', 0, 'lossYuan')).toBe('incidents.0.lossYuan');
  });

  it('holds the whole group while a sub-field has an error, and counts it once', () => {
    const lastSaved = { incidents: [{ kind: 'flood' }] };
    const values = { incidents: [{ kind: 'flood' }, { kind: 'fire', lossYuan: 20000 }] };
    expect(
      draftSave(form, values, lastSaved, {
        'incidents.0.lossYuan': notANumber,
        'incidents.1.lossYuan': notANumber,
      }),
    ).toEqual({ values: lastSaved, held: ['incidents'] });
    expect(draftSave(form, values, lastSaved, {})).toEqual({ values, held: [] });
  });

  it('points a blocker at the sub-field, whether found here or by the server', () => {
    const { blockers } = submissionBlockers(
      form,
      {},
      undefined,
      {},
      { 'incidents.1.lossYuan': notANumber },
    );
    expect(blockers).toContainEqual({
      kind: 'input',
      field: 'incidents',
      path: 'incidents.1.lossYuan',
      message: notANumber,
    });
    expect(
      blockersFromServer(form, [
        { path: 'values.incidents.0.date', code: 'invalid', message: notANumber },
        { path: 'values.holdingsTotal', code: 'required', message: notANumber },
      ]),
    ).toEqual([
      { kind: 'field', field: 'holdingsTotal', message: notANumber },
      { kind: 'field', field: 'incidents', path: 'incidents.0.date', message: notANumber },
    ]);
  });

  it("drops a removed entry's errors and moves later ones down with their entries", () => {
    const errors = {
      'incidents.0.lossYuan': 'a',
      'incidents.1.lossYuan': 'b',
      'incidents.2.date': 'c',
      'incidents.10.lossYuan': 'd',
      holdingsTotal: 'e',
      'incidentsOther.1.x': 'f',
    };
    expect(withoutEntry(errors, 'incidents', 1)).toEqual({
      'incidents.0.lossYuan': 'a',
      'incidents.1.date': 'c',
      'incidents.9.lossYuan': 'd',
      holdingsTotal: 'e',
      'incidentsOther.1.x': 'f',
    });
    expect(withoutEntry({ 'incidents.0.lossYuan': 'a' }, 'incidents', 0)).toEqual({});
  });

  it('drops errors of entries no longer there after the group shrank', () => {
    expect(
      withinEntries({ 'incidents.0.a': 1, 'incidents.2.a': 2, plans: 3 }, 'incidents', 2),
    ).toEqual({ 'incidents.0.a': 1, plans: 3 });
  });
});

describe('keeping local edits after a conflicting save', () => {
  it('applies only the fields this page changed on top of the newer revision', () => {
    const lastSaved = { servicePopulation: 100000, holdingsTotal: 5000, staffEstablished: 4 };
    const theirs = { servicePopulation: 100000, holdingsTotal: 6000, staffEstablished: 5 };
    const local = { servicePopulation: 120000, holdingsTotal: 5000 };
    expect(mergeAfterConflict(theirs, lastSaved, local)).toEqual({
      servicePopulation: 120000,
      holdingsTotal: 6000,
    });
  });

  it('does the same for explanations: a cleared one removes theirs only where this page changed it', () => {
    const lastSaved = { holdingsJump: '剔旧', fundingJump: '新馆专项' };
    const theirs = { holdingsJump: '剔旧 1.2 万册', fundingJump: '新馆专项' };
    const local = { holdingsJump: '剔旧', fundingJump: '', visitsPerCapitaHigh: '含景区' };
    expect(mergeAfterConflict(theirs, lastSaved, local)).toEqual({
      holdingsJump: '剔旧 1.2 万册',
      visitsPerCapitaHigh: '含景区',
    });
  });
});

describe('explanations a draft save carries', () => {
  it('sends each written one for a warning of the form, trimmed, and nothing blank, unknown or for an error rule', () => {
    expect(
      writtenExplanations(form, {
        holdingsJump: '  剔旧 1.2 万册 ',
        fundingJump: '   ',
        noSuchRule: '说明',
        staffSplit: '一条错误规则不需要说明',
      }),
    ).toEqual({ holdingsJump: '剔旧 1.2 万册' });
  });
});

describe('edits kept over an expired sign-in', () => {
  it('finds the fields someone else saved with another value since they were made', () => {
    const base = { servicePopulation: 100000, holdingsTotal: 5000, plans: null, loans: 10 };
    const edits = { servicePopulation: 120000, holdingsTotal: 5500, plans: '新馆', loans: 20 };
    const now = { servicePopulation: 100000, holdingsTotal: 6000, plans: '扩建', loans: 20 };
    // Untouched since (servicePopulation), or saved as typed (loans): nothing was overwritten.
    expect(overwrittenSince(base, edits, now)).toEqual(['holdingsTotal', 'plans']);
    // A field removed by someone else counts too; edits kept without a base are not judged.
    expect(overwrittenSince({ loans: 10 }, { loans: 20, visits: 5 }, {})).toEqual(['loans']);
  });
});

describe('what blocks a submission', () => {
  it('lists missing required fields', () => {
    const { blockers } = submissionBlockers(form, { servicePopulation: 150000 }, undefined, {}, {});
    expect(blockers).toContainEqual(
      expect.objectContaining({ kind: 'field', field: 'holdingsTotal' }),
    );
  });

  it('asks for an explanation of a warning until one is given', () => {
    const values = wuxiangReport2025();
    const previous = { ...values, holdingsTotal: Number(values.holdingsTotal) / 2 };
    const unexplained = submissionBlockers(form, values, previous, {}, {});
    expect(unexplained.blockers).toEqual([
      expect.objectContaining({
        kind: 'explanation',
        field: 'holdingsTotal',
        ruleId: 'holdingsJump',
      }),
    ]);
    const explained = submissionBlockers(
      form,
      values,
      previous,
      { holdingsJump: '新馆开放，接收捐赠图书' },
      {},
    );
    expect(explained.blockers).toEqual([]);
  });

  it('reports a number still being typed as a blocker at its field', () => {
    const { blockers } = submissionBlockers(
      form,
      {},
      undefined,
      {},
      {
        holdingsTotal: { zh: '请输入数字', en: 'Enter a number' },
      },
    );
    expect(blockers).toContainEqual({
      kind: 'input',
      field: 'holdingsTotal',
      message: { zh: '请输入数字', en: 'Enter a number' },
    });
  });
});

describe('what the server refused a submission for', () => {
  const ruleOf = (ruleId: string) => form.rules.find((rule) => rule.id === ruleId);

  it('points rule errors and missing explanations at the rule’s first field, in form order', () => {
    const blockers = blockersFromServer(form, [
      {
        path: 'explanations.visitsPerCapitaHigh',
        code: 'explanation_required',
        message: { zh: '请说明原因：到馆人次过高', en: 'Explain this warning: too many visits' },
      },
      {
        path: 'rules.newWithinHoldings',
        code: 'rule_violated',
        message: { zh: '新增藏量超过总藏量', en: 'New acquisitions exceed holdings' },
      },
      {
        path: 'values.servicePopulation',
        code: 'required',
        message: { zh: '此项为必填项', en: 'Required' },
      },
    ]);
    expect(blockers).toEqual([
      {
        kind: 'field',
        field: 'servicePopulation',
        message: { zh: '此项为必填项', en: 'Required' },
      },
      {
        kind: 'rule',
        field: 'newAcquisitions',
        message: { zh: '新增藏量超过总藏量', en: 'New acquisitions exceed holdings' },
        ruleId: 'newWithinHoldings',
      },
      {
        kind: 'explanation',
        field: 'visits',
        // The rule's warning: the page itself says an explanation is needed.
        message: ruleOf('visitsPerCapitaHigh')?.message,
        ruleId: 'visitsPerCapitaHigh',
      },
    ]);
    // Every one names a field of the form, so its button has a label and a place to go.
    for (const blocker of blockers) expect(form.fields.has(blocker.field)).toBe(true);
  });

  it('keeps the server’s message for a rule this form does not know', () => {
    const message = { zh: '没有规则“gone”', en: 'No rule "gone"' };
    expect(
      blockersFromServer(form, [{ path: 'explanations.gone', code: 'unknown_rule', message }]),
    ).toEqual([{ kind: 'explanation', field: '', message, ruleId: 'gone' }]);
  });
});

describe('comparing values', () => {
  it('ignores key order', () => {
    expect(sameValue({ a: 1, b: [{ x: 1, y: 2 }] }, { b: [{ y: 2, x: 1 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
  });
});

describe('a field hidden by its showWhen', () => {
  const roomForm = childrenRoomForm();
  const NOT_A_NUMBER = { zh: '请输入数字', en: 'Enter a number' };
  /** The 武乡 report (320 seats) with or without a children's room, its seats kept at 400. */
  const report = (room: boolean, more: FormValues = {}): FormValues => ({
    ...wuxiangReport2025(),
    [ROOM]: room,
    [SEATS]: 400,
    ...more,
  });
  const about = (blockers: Blocker[], field: string) =>
    blockers.filter((blocker) => blocker.field === field || blocker.path?.startsWith(field));

  it('blocks nothing: not its rules, its own errors, its requiredness or text typed into it', () => {
    const hidden = submissionBlockers(roomForm, report(false), undefined, {}, {});
    expect(hidden.blockers).toEqual([]);
    expect(hidden.report.skippedRules).toEqual(expect.arrayContaining([SEATS_RULE, SEATS_WARNING]));
    for (const values of [report(false, { [SEATS]: 9999 }), report(false, { [SEATS]: '' })]) {
      expect(submissionBlockers(roomForm, values, undefined, {}, {}).blockers).toEqual([]);
    }
    const typing = { [SEATS]: NOT_A_NUMBER };
    expect(submissionBlockers(roomForm, report(false), undefined, {}, typing).blockers).toEqual([]);
  });

  it('is listed again, at the field, once the room is ticked', () => {
    const { blockers } = submissionBlockers(roomForm, report(true), undefined, {}, {});
    expect(blockers).toEqual([
      expect.objectContaining({ kind: 'rule', field: SEATS, ruleId: SEATS_RULE }),
      expect.objectContaining({ kind: 'explanation', field: SEATS, ruleId: SEATS_WARNING }),
    ]);
    const typing = { [SEATS]: NOT_A_NUMBER };
    expect(
      about(submissionBlockers(roomForm, report(true), undefined, {}, typing).blockers, SEATS),
    ).toContainEqual({ kind: 'input', field: SEATS, message: NOT_A_NUMBER });
    expect(
      submissionBlockers(roomForm, report(true, { [SEATS]: undefined }), undefined, {}, {})
        .blockers,
    ).toEqual([expect.objectContaining({ kind: 'field', field: SEATS })]);
  });

  it('keeps its value in what a draft save sends', () => {
    const values = report(false);
    expect(draftSave(roomForm, values, values, {})).toEqual({ values, held: [] });
  });

  it('holds back an edit of it that fails its checks without listing it, until shown again', () => {
    const saved = report(false);
    const edited = report(false, { [SEATS]: 9999 });
    expect(draftSave(roomForm, edited, saved, {})).toEqual({ values: saved, held: [] });
    expect(draftSave(roomForm, saved, saved, { [SEATS]: NOT_A_NUMBER })).toEqual({
      values: saved,
      held: [],
    });
    expect(draftSave(roomForm, { ...edited, [ROOM]: true }, saved, {})).toEqual({
      values: { ...saved, [ROOM]: true },
      held: [SEATS],
    });
  });

  it("points a rule at its first field shown, here and for the server's refusals", () => {
    const rule = { fields: [SEATS, 'readingSeats'] };
    expect(ruleField(rule, new Set())).toBe(SEATS);
    expect(ruleField(rule, new Set([SEATS]))).toBe('readingSeats');
    expect(ruleField({ fields: [] }, new Set())).toBe('');
    const refused = {
      path: `rules.${SEATS_RULE}`,
      code: 'rule_violated',
      message: { zh: '少儿阅览座席不能超过阅览座席', en: "Children's seats cannot exceed seats" },
    };
    expect(blockersFromServer(roomForm, [refused])).toEqual([
      expect.objectContaining({ field: SEATS }),
    ]);
    expect(blockersFromServer(roomForm, [refused], new Set([SEATS]))).toEqual([
      expect.objectContaining({ field: 'readingSeats' }),
    ]);
  });
});

describe('a report on an older form version', () => {
  it('is told so, naming both versions; one on the active version is not', () => {
    expect(olderVersionNotice({ version: '2026.1', versions: ['2026.1', '2027.1'] })?.zh).toBe(
      '本报告按表单 2026.1 版填写（现行为 2027.1 版），按原版本显示和校验；省馆汇总时按现行版本对照。',
    );
    expect(
      olderVersionNotice({ version: '2027.1', versions: ['2026.1', '2027.1'] }),
    ).toBeUndefined();
  });
});

describe('moving a draft onto a later form version', () => {
  /** 2027.1: reading seats renamed, newspaper titles dropped, self-service machines added. */
  const later = (): FormDefinition => {
    const definition = withSelfServiceMachines('2027.1');
    for (const section of definition.sections) {
      section.fields = section.fields
        .filter((field) => field.key !== 'newspaperTitles')
        .map((field) => (field.key === 'readingSeats' ? { ...field, key: 'seats' } : field));
    }
    definition.migrations = [
      { field: 'readingSeats', change: 'rename', to: 'seats', note: '改名' },
      { field: 'newspaperTitles', change: 'drop', note: '不再收集' },
    ];
    return FormDefinition.parse(definition);
  };

  it('moves renamed values, names the new fields and the values that go', () => {
    const values = { ...wuxiangReport2025(), readingSeats: 320, newspaperTitles: 12, plans: '' };
    const move = moveToVersion(countyAnnualReport(), [later()], values);
    expect(move.values.seats).toBe(320);
    expect(move.values).not.toHaveProperty('readingSeats');
    expect(move.values).not.toHaveProperty('newspaperTitles');
    expect(move.values.holdingsTotal).toBe(wuxiangReport2025().holdingsTotal);
    expect(move.added.map((field) => field.key)).toEqual(['selfServiceMachines']);
    expect(move.dropped.map((field) => field.key)).toEqual(['newspaperTitles']);
    // A renamed field is not new, with a value to move or without one.
    const { readingSeats: _none, ...withoutSeats } = values;
    expect(
      moveToVersion(countyAnnualReport(), [later()], withoutSeats).added.map((field) => field.key),
    ).toEqual(['selfServiceMachines']);
  });

  it('names a group kept only in part, as its retyped sub-field takes none of its values', () => {
    const retyped = later();
    for (const field of retyped.sections.flatMap((section) => section.fields)) {
      if (field.type === 'group' && field.key === 'incidents') {
        field.fields = field.fields.map((sub) =>
          sub.key === 'lossYuan'
            ? { key: sub.key, label: sub.label, type: 'text', maxLength: 200, required: false }
            : sub,
        );
      }
    }
    retyped.migrations.push({ field: 'incidents', change: 'retype', note: '损失改为文字' });
    const incident = { date: '2025-07-12', kind: 'flood', lossYuan: 20000 };
    const move = moveToVersion(countyAnnualReport(), [FormDefinition.parse(retyped)], {
      incidents: [incident],
    });
    expect(move.values.incidents).toEqual([{ date: '2025-07-12', kind: 'flood' }]);
    expect(move.trimmed.map((field) => field.key)).toEqual(['incidents']);
    expect(move.dropped).toEqual([]);
    // Without a value the retype cannot hold, nothing is named.
    const { lossYuan: _loss, ...fitting } = incident;
    expect(
      moveToVersion(countyAnnualReport(), [FormDefinition.parse(retyped)], {
        incidents: [fitting],
      }).trimmed,
    ).toEqual([]);
  });

  it('reads a previous report of an older version as the server does, renamed values moved', async () => {
    const target = later();
    const loaded: string[] = [];
    const previous = await previousAsVersion(
      { version: '2027.1', versions: ['2026.1', '2027.1'], definition: target },
      compileForm(target),
      { formVersion: '2026.1', values: { ...wuxiangReport2025(), readingSeats: 320 } },
      async (version) => {
        loaded.push(version);
        return countyAnnualReport();
      },
    );
    expect(loaded).toEqual(['2026.1']);
    expect(previous.seats).toBe(320);
    expect(previous).not.toHaveProperty('readingSeats');
    expect(previous.holdingsTotal).toBe(wuxiangReport2025().holdingsTotal);
  });

  it("reads hidden fields by the previous report's own version, not this one's", async () => {
    // 2026.2 hides holdingsTotal without a collection note, which 2026.1 reports never have.
    const current = holdingsShownWithNote();
    const previous = await previousAsVersion(
      { version: '2026.2', versions: ['2026.1', '2026.2'], definition: current },
      compileForm(current),
      { formVersion: '2026.1', values: wuxiangReport2025() },
      async () => countyAnnualReport(),
    );
    expect(previous.holdingsTotal).toBe(wuxiangReport2025().holdingsTotal);
    // A previous report of the same version is read by its conditions.
    const same = await previousAsVersion(
      { version: '2026.2', versions: ['2026.1', '2026.2'], definition: current },
      compileForm(current),
      { formVersion: '2026.2', values: wuxiangReport2025() },
      async () => {
        throw new Error('nothing to load');
      },
    );
    expect(same).not.toHaveProperty('holdingsTotal');
  });

  it('names a value as going when its field was renamed and then dropped', () => {
    const renamedThenDropped = FormDefinition.parse({
      ...later(),
      version: '2028.1',
      sections: later().sections.map((section) => ({
        ...section,
        fields: section.fields.filter((field) => field.key !== 'seats'),
      })),
      migrations: [{ field: 'seats', change: 'drop', note: '不再收集' }],
    });
    const move = moveToVersion(countyAnnualReport(), [later(), renamedThenDropped], {
      readingSeats: 320,
      visits: 9,
    });
    expect(move.values).toEqual({ visits: 9 });
    expect(move.dropped.map((field) => field.key)).toEqual(['readingSeats']);
  });

  it('drops, trims and adds nothing when the later version changed only wording', () => {
    const reworded = FormDefinition.parse({ ...countyAnnualReport(), version: '2026.2' });
    const move = moveToVersion(countyAnnualReport(), [reworded], wuxiangReport2025());
    expect(move).toEqual({ values: wuxiangReport2025(), added: [], dropped: [], trimmed: [] });
  });
});
