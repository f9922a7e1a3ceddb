import { describe, expect, it } from '@jest/globals';
import {
  checkDefinition,
  checkStandards,
  checkVersions,
  compareVersions,
  type DefinitionProblem,
} from './check.js';
import { FormDefinition, type Standard } from './definition.js';
import {
  countyAnnualReport,
  type DefinitionInput,
  minimalDefinitionInput,
  realStandards,
} from './fixtures.js';

type SectionInput = DefinitionInput['sections'][number];
type FieldInput = SectionInput['fields'][number];

const sectionOf = (input: DefinitionInput, index: number): SectionInput => {
  const section = input.sections[index];
  if (!section) throw new Error(`no section ${index}`);
  return section;
};

/** The field with this key in the input, to mutate in place. */
const fieldOf = (input: DefinitionInput, key: string): FieldInput => {
  for (const section of input.sections)
    for (const field of section.fields) if (field.key === key) return field;
  throw new Error(`no field ${key}`);
};

const definitionWith = (
  mutate: (input: DefinitionInput) => void,
  base = minimalDefinitionInput(),
) => {
  mutate(base);
  return FormDefinition.parse(base);
};

const problemsWith = (mutate: (input: DefinitionInput) => void): DefinitionProblem[] =>
  checkDefinition(definitionWith(mutate));

const addRule = (input: DefinitionInput, check: string, id = 'extraRule') => {
  input.rules = [
    ...(input.rules ?? []),
    { id, severity: 'error', check, message: { zh: '规则', en: 'Rule' } },
  ];
};

const RULE = 2; // index of a rule added after the two of the minimal definition

describe('checkDefinition', () => {
  it('accepts the minimal definition and the real county annual report', () => {
    expect(checkDefinition(FormDefinition.parse(minimalDefinitionInput()))).toEqual([]);
    expect(checkDefinition(countyAnnualReport())).toEqual([]);
  });

  describe('unknown fields in expressions', () => {
    it('in a rule check', () => {
      expect(problemsWith((input) => addRule(input, 'part + nosuch <= total'))).toEqual([
        {
          path: ['rules', RULE, 'check'],
          message: 'unknown field "nosuch" in `part + nosuch <= total`',
        },
      ]);
    });

    it('in a previous.x of a rule check', () => {
      expect(problemsWith((input) => addRule(input, 'total >= previous.nosuch'))).toEqual([
        { path: ['rules', RULE, 'check'], message: expect.stringContaining('"nosuch"') },
      ]);
    });

    it('in a derived formula', () => {
      expect(
        problemsWith((input) => {
          input.derived = [
            ...(input.derived ?? []),
            { key: 'ratio', label: { zh: '比', en: 'Ratio' }, formula: 'x / total' },
          ];
        }),
      ).toEqual([{ path: ['derived', 1, 'formula'], message: expect.stringContaining('"x"') }]);
    });

    it('in showWhen and requiredWhen', () => {
      expect(
        problemsWith((input) => {
          fieldOf(input, 'part').showWhen = 'present(ghost)';
          fieldOf(input, 'notes').requiredWhen = 'count(phantom) > 0';
        }),
      ).toEqual([
        {
          path: ['sections', 0, 'fields', 1, 'showWhen'],
          message: expect.stringContaining('unknown field "ghost"'),
        },
        {
          path: ['sections', 1, 'fields', 1, 'requiredWhen'],
          message: expect.stringContaining('unknown field "phantom"'),
        },
      ]);
    });

    it('reports syntax errors with their column', () => {
      expect(problemsWith((input) => addRule(input, 'total >= (part'))).toEqual([
        { path: ['rules', RULE, 'check'], message: expect.stringContaining('at column 15') },
      ]);
    });
  });

  it('allows previous.x only in rules', () => {
    expect(problemsWith((input) => addRule(input, 'total >= previous.total'))).toEqual([]);
    expect(
      problemsWith((input) => {
        input.derived = [
          ...(input.derived ?? []),
          { key: 'growth', label: { zh: '增长', en: 'Growth' }, formula: 'total - previous.total' },
        ];
        fieldOf(input, 'part').showWhen = 'previous.total > 0';
      }),
    ).toEqual([
      {
        path: ['derived', 1, 'formula'],
        message: 'previous.total is not available here',
      },
      {
        path: ['sections', 0, 'fields', 1, 'showWhen'],
        message: 'previous.total is not available here',
      },
    ]);
  });

  describe('duplicates', () => {
    it('a field key repeated in another section', () => {
      expect(
        problemsWith((input) => {
          sectionOf(input, 1).fields.push({
            key: 'total',
            type: 'int',
            label: { zh: '又一个', en: 'Again' },
          });
        }),
      ).toEqual([
        { path: ['sections', 1, 'fields', 4, 'key'], message: 'duplicate field key "total"' },
      ]);
    });

    it('a section key', () => {
      expect(
        problemsWith((input) => {
          sectionOf(input, 1).key = 'main';
        }),
      ).toEqual([{ path: ['sections', 1, 'key'], message: 'duplicate section key "main"' }]);
    });

    it('a choice code', () => {
      expect(
        problemsWith((input) => {
          const grade = fieldOf(input, 'grade');
          if (grade.type !== 'choice') throw new Error('grade is a choice');
          grade.choices.push({ code: 'a', label: { zh: '重复', en: 'Again' } });
        }),
      ).toEqual([
        {
          path: ['sections', 0, 'fields', 5, 'choices', 2, 'code'],
          message: 'duplicate choice code "a"',
        },
      ]);
    });

    it('a sub-field key of a group', () => {
      expect(
        problemsWith((input) => {
          const events = fieldOf(input, 'events');
          if (events.type !== 'group') throw new Error('events is a group');
          events.fields.push({ key: 'when', type: 'text', label: { zh: '时', en: 'When' } });
        }),
      ).toEqual([
        {
          path: ['sections', 1, 'fields', 3, 'fields', 1, 'key'],
          message: 'duplicate sub-field key "when"',
        },
      ]);
    });

    it('conditions, repeated choice codes and inverted bounds on group sub-fields', () => {
      expect(
        problemsWith((input) => {
          const events = fieldOf(input, 'events');
          if (events.type !== 'group') throw new Error('events is a group');
          events.fields.push(
            {
              key: 'note',
              type: 'text',
              label: { zh: '注', en: 'Note' },
              showWhen: 'present(part)',
            },
            {
              key: 'kind',
              type: 'choice',
              label: { zh: '类', en: 'Kind' },
              choices: [
                { code: 'x', label: { zh: '甲', en: 'X' } },
                { code: 'x', label: { zh: '乙', en: 'Y' } },
              ],
            },
            { key: 'count', type: 'int', label: { zh: '数', en: 'Count' }, min: 5, max: 1 },
          );
        }),
      ).toEqual([
        {
          path: ['sections', 1, 'fields', 3, 'fields', 1, 'showWhen'],
          message: 'showWhen is not supported on the sub-fields of a group',
        },
        {
          path: ['sections', 1, 'fields', 3, 'fields', 2, 'choices', 1, 'code'],
          message: 'duplicate choice code "x"',
        },
        { path: ['sections', 1, 'fields', 3, 'fields', 3, 'max'], message: 'max 1 is below min 5' },
      ]);
    });

    it('a rule id', () => {
      expect(problemsWith((input) => addRule(input, 'part >= 0', 'partWithinTotal'))).toEqual([
        { path: ['rules', RULE, 'id'], message: 'duplicate rule id "partWithinTotal"' },
      ]);
    });

    it('a derived key colliding with a field or another derived key', () => {
      expect(
        problemsWith((input) => {
          input.derived = [
            { key: 'total', label: { zh: '总', en: 'Total' }, formula: 'part * 2' },
            { key: 'twice', label: { zh: '二', en: 'Twice' }, formula: 'part * 2' },
            { key: 'twice', label: { zh: '二', en: 'Twice' }, formula: 'part * 3' },
          ];
          input.rollup = { compare: ['total'] };
        }),
      ).toEqual([
        { path: ['derived', 0, 'key'], message: 'duplicate key "total"' },
        { path: ['derived', 2, 'key'], message: 'duplicate key "twice"' },
      ]);
    });
  });

  it('rejects a choice code the field does not have, on either side of == / !=', () => {
    expect(
      problemsWith((input) => {
        addRule(input, "grade == 'x' or part > 0", 'first');
        addRule(input, "'a' != grade and 'c' != grade", 'second');
        addRule(input, "grade == 'a' or grade != 'b'", 'third');
      }),
    ).toEqual([
      { path: ['rules', 2, 'check'], message: 'unknown choice code "x" for "grade"' },
      { path: ['rules', 3, 'check'], message: 'unknown choice code "c" for "grade"' },
    ]);
  });

  it.each([
    ['a text field', "notes == 'x'", 'notes', 'text', 1],
    ['a multi field', 'issues == 1', 'issues', 'multi', 1],
    ['a group field', 'events > 0', 'events', 'group', 1],
    ['a date field', "day == '2025-01-01'", 'day', 'date', 1],
    ['a text field through coalesce', "coalesce(notes, '') == 'x'", 'notes', 'text', 10],
    ['a multi field through coalesce', 'coalesce(issues, 0) > 0', 'issues', 'multi', 10],
  ])('rejects computing with %s: %s', (_, check, key, type, column) => {
    expect(problemsWith((input) => addRule(input, check))).toEqual([
      {
        path: ['rules', RULE, 'check'],
        message: `rule "extraRule" check: "${key}" is a ${type} field; use it only inside present() or count(), at column ${column} of \`${check}\``,
      },
    ]);
  });

  it('allows non-value fields inside present() and count()', () => {
    expect(
      problemsWith((input) =>
        addRule(input, 'count(issues) == 0 or present(notes) or count(events) > 1'),
      ),
    ).toEqual([]);
  });

  describe('expression types', () => {
    it('accepts well-typed rules, conditions and formulas', () => {
      expect(
        problemsWith((input) => {
          addRule(input, "flag == true and grade != 'b' or area * 2 > funds / 1000", 'typed');
          addRule(input, 'coalesce(part, 0) + round(area, 1) <= max(total, 1)', 'typedToo');
          fieldOf(input, 'area').showWhen = 'not flag';
          fieldOf(input, 'day').requiredWhen = "grade == 'a' and total > 0";
          input.derived = [
            ...(input.derived ?? []),
            { key: 'perArea', label: { zh: '每', en: 'Per' }, formula: 'round(total / area, 2)' },
          ];
        }),
      ).toEqual([]);
    });

    it.each([
      [
        'arithmetic on a bool',
        'flag + part > 0',
        '"flag" is a yes/no value, but + needs numbers',
        1,
      ],
      ['an ordering on a bool', 'flag > 0', '"flag" is a yes/no value, but > needs numbers', 1],
      [
        'a bool compared with a number',
        'flag == 1',
        '"flag" is a yes/no value and 1 is a number: they are never equal, so == is always false',
        6,
      ],
      [
        'a number compared with text',
        "part == 'many'",
        '"part" is a number and \'many\' is text: they are never equal, so == is always false',
        6,
      ],
      ['and on a number', 'part and flag', '"part" is a number, but and needs yes/no values', 1],
      [
        'a check that is not a condition',
        'part',
        'must be a yes/no condition, but "part" is a number',
        1,
      ],
    ])('rejects %s in a rule check: %s', (_, check, message, column) => {
      expect(problemsWith((input) => addRule(input, check))).toEqual([
        {
          path: ['rules', RULE, 'check'],
          message: `rule "extraRule" check: ${message}, at column ${column} of \`${check}\``,
        },
      ]);
    });

    it('rejects a showWhen or requiredWhen that is not a condition', () => {
      expect(
        problemsWith((input) => {
          fieldOf(input, 'area').showWhen = 'part';
          fieldOf(input, 'day').requiredWhen = 'total + 1';
        }),
      ).toEqual([
        {
          path: ['sections', 0, 'fields', 2, 'showWhen'],
          message:
            'field "area" showWhen: must be a yes/no condition, but "part" is a number, at column 1 of `part`',
        },
        {
          path: ['sections', 1, 'fields', 2, 'requiredWhen'],
          message:
            'field "day" requiredWhen: must be a yes/no condition, but `total + 1` is a number, at column 1 of `total + 1`',
        },
      ]);
    });

    it('rejects a derived formula that is not a number', () => {
      expect(
        problemsWith((input) => {
          input.derived = [
            ...(input.derived ?? []),
            { key: 'many', label: { zh: '多', en: 'Many' }, formula: 'part > 3' },
          ];
        }),
      ).toEqual([
        {
          path: ['derived', 1, 'formula'],
          message:
            'derived "many" formula: must be a number, but `part > 3` is a yes/no value, at column 1 of `part > 3`',
        },
      ]);
    });
  });

  describe('the unit of a money field', () => {
    const unitMessage = (key: string) =>
      `"${key}" is a money field, stored and exported in whole yuan (the form offers 万元 itself): its unit must be { zh: 元, en: yuan } or left out`;

    it('may be 元 or left out', () => {
      expect(
        problemsWith((input) => {
          fieldOf(input, 'funds').unit = { zh: '元', en: 'yuan' };
        }),
      ).toEqual([]);
    });

    it('may not be anything else, on a field or a group sub-field', () => {
      expect(
        problemsWith((input) => {
          fieldOf(input, 'funds').unit = { zh: '万元', en: '10,000 yuan' };
          const events = fieldOf(input, 'events');
          if (events.type !== 'group') throw new Error('events is a group');
          events.fields.push({
            key: 'loss',
            type: 'money',
            label: { zh: '损失', en: 'Loss' },
            unit: { zh: '元', en: 'CNY' },
          });
        }),
      ).toEqual([
        { path: ['sections', 0, 'fields', 3, 'unit'], message: unitMessage('funds') },
        { path: ['sections', 1, 'fields', 3, 'fields', 1, 'unit'], message: unitMessage('loss') },
      ]);
    });
  });

  it('rejects a condition that depends on its own field', () => {
    expect(
      problemsWith((input) => {
        fieldOf(input, 'notes').requiredWhen = 'not present(notes)';
        fieldOf(input, 'part').showWhen = 'part > 0';
      }),
    ).toEqual([
      { path: ['sections', 0, 'fields', 1, 'showWhen'], message: '"part" cannot depend on itself' },
      {
        path: ['sections', 1, 'fields', 1, 'requiredWhen'],
        message: '"notes" cannot depend on itself',
      },
    ]);
  });

  it('rejects showWhen conditions that go round in a circle, once per circle', () => {
    expect(
      problemsWith((input) => {
        fieldOf(input, 'part').showWhen = 'present(area)';
        fieldOf(input, 'area').showWhen = 'flag';
        fieldOf(input, 'flag').showWhen = 'part > 0';
        fieldOf(input, 'funds').showWhen = 'part > 0';
      }),
    ).toEqual([
      {
        path: ['sections', 0, 'fields', 1, 'showWhen'],
        message: 'showWhen conditions go round in a circle: "part" → "area" → "flag" → "part"',
      },
    ]);
  });

  it('finds no circle in a long chain of conditions, each field looked at once', () => {
    // Each field shown when one of the two before it is: with every path walked, 60 fields
    // would take longer than any test runs; each field looked at once, it is immediate.
    expect(
      problemsWith((input) => {
        sectionOf(input, 0).fields.push(
          ...Array.from({ length: 60 }, (_, index) => ({
            key: `chain${index}`,
            type: 'int' as const,
            label: { zh: `链${index}`, en: `Chain ${index}` },
            ...(index >= 2
              ? { showWhen: `present(chain${index - 1}) or present(chain${index - 2})` }
              : {}),
          })),
        );
      }),
    ).toEqual([]);
  });

  it('rejects max below min', () => {
    expect(
      problemsWith((input) => {
        const part = fieldOf(input, 'part');
        if (part.type !== 'int') throw new Error('part is an int');
        part.min = 10;
        part.max = 5;
      }),
    ).toEqual([{ path: ['sections', 0, 'fields', 1, 'max'], message: 'max 5 is below min 10' }]);
    expect(
      problemsWith((input) => {
        const part = fieldOf(input, 'part');
        if (part.type === 'int') part.min = 1000;
      }),
    ).toEqual([]);
  });

  describe('rollup', () => {
    it('compare must name fields or derived indicators', () => {
      expect(
        problemsWith((input) => {
          input.rollup = { compare: ['total', 'partShare', 'nosuch'] };
        }),
      ).toEqual([
        { path: ['rollup', 'compare', 2], message: 'unknown field or indicator "nosuch"' },
      ]);
    });

    it('yearOverYear must name numeric fields', () => {
      expect(
        problemsWith((input) => {
          input.rollup = {
            yearOverYear: ['total', 'area', 'funds', 'grade', 'partShare', 'nosuch'],
          };
        }),
      ).toEqual([
        { path: ['rollup', 'yearOverYear', 3], message: '"grade" is not a numeric field' },
        { path: ['rollup', 'yearOverYear', 4], message: '"partShare" is not a numeric field' },
        { path: ['rollup', 'yearOverYear', 5], message: '"nosuch" is not a numeric field' },
      ]);
    });

    it.each(['grade', 'nosuch'])('problems must name a multi-choice field, not %s', (key) => {
      expect(
        problemsWith((input) => {
          input.rollup = { problems: key };
        }),
      ).toEqual([
        { path: ['rollup', 'problems'], message: `"${key}" is not a multi-choice field` },
      ]);
    });
  });
});

describe('compareVersions', () => {
  it('orders versions numerically', () => {
    const versions = ['2027.1', '2026.10', '2026.2', '2026.1'];
    expect([...versions].sort(compareVersions)).toEqual(['2026.1', '2026.2', '2026.10', '2027.1']);
  });
});

describe('checkVersions', () => {
  const v1 = FormDefinition.parse(minimalDefinitionInput());
  const next = (mutate: (input: DefinitionInput) => void) =>
    definitionWith((input) => {
      input.version = '2026.2';
      mutate(input);
    });
  const removeField = (input: DefinitionInput, key: string) => {
    for (const section of input.sections)
      section.fields = section.fields.filter((field) => field.key !== key);
  };
  const retypePart = (input: DefinitionInput) => {
    const main = sectionOf(input, 0);
    main.fields = main.fields.map((field) =>
      field.key === 'part' ? { key: 'part', type: 'decimal', scale: 1, label: field.label } : field,
    );
  };

  it('accepts an added field', () => {
    const v2 = next((input) =>
      sectionOf(input, 0).fields.push({
        key: 'added',
        type: 'int',
        label: { zh: '新', en: 'New' },
      }),
    );
    expect(checkVersions([v1, v2])).toEqual([]);
  });

  it('reports a type change without migration at the new field type, in either order', () => {
    const v2 = next(retypePart);
    const expected = [
      {
        version: '2026.2',
        path: ['sections', 0, 'fields', 1, 'type'],
        message:
          'field "part" changed type from int (version 2026.1) to decimal; declare a retype migration',
      },
    ];
    expect(checkVersions([v1, v2])).toEqual(expected);
    expect(checkVersions([v2, v1])).toEqual(expected);
  });

  it('reports a dropped field without migration', () => {
    expect(checkVersions([v1, next((input) => removeField(input, 'flag'))])).toEqual([
      {
        version: '2026.2',
        path: ['sections'],
        message: expect.stringMatching(/^field "flag" of version 2026\.1 is missing/),
      },
    ]);
  });

  it('accepts drop, retype and rename migrations', () => {
    const v2 = next((input) => {
      removeField(input, 'flag');
      retypePart(input);
      const area = fieldOf(input, 'area');
      area.key = 'floorArea';
      input.migrations = [
        { field: 'flag', change: 'drop', note: 'no longer collected' },
        { field: 'part', change: 'retype', note: 'now with one decimal' },
        { field: 'area', change: 'rename', to: 'floorArea', note: 'clearer name' },
      ];
    });
    expect(checkVersions([v1, v2])).toEqual([]);
  });

  it('reports a rename whose target does not exist, and a migration of the wrong kind', () => {
    const v2 = next((input) => {
      removeField(input, 'flag');
      removeField(input, 'area');
      retypePart(input);
      input.migrations = [
        { field: 'flag', change: 'retype', note: 'wrong kind' },
        { field: 'area', change: 'rename', to: 'nowhere', note: 'missing target' },
        { field: 'part', change: 'drop', note: 'wrong kind' },
      ];
    });
    expect(checkVersions([v1, v2]).map((problem) => problem.message)).toEqual([
      expect.stringContaining('"part" changed type'),
      expect.stringContaining('"area" of version 2026.1 is missing'),
      expect.stringContaining('"flag" of version 2026.1 is missing'),
    ]);
  });

  it('compares each version with the one before it', () => {
    const v2 = next((input) => {
      removeField(input, 'flag');
      input.migrations = [{ field: 'flag', change: 'drop', note: 'gone' }];
    });
    const v3 = definitionWith((input) => {
      input.version = '2027.1';
      removeField(input, 'flag');
      removeField(input, 'day');
    });
    expect(checkVersions([v3, v1, v2])).toEqual([
      { version: '2027.1', path: ['sections'], message: expect.stringContaining('"day"') },
    ]);
  });

  describe('values that stored reports hold', () => {
    const retypeWhen = (input: DefinitionInput) => {
      const events = fieldOf(input, 'events');
      if (events.type !== 'group') throw new Error('events is a group');
      events.fields = [{ key: 'when', type: 'text', label: { zh: '时', en: 'When' } }];
    };
    const dropCodes = (input: DefinitionInput) => {
      for (const key of ['grade', 'issues']) {
        const field = fieldOf(input, key);
        if (field.type !== 'choice' && field.type !== 'multi')
          throw new Error(`${key} has choices`);
        field.choices = field.choices.slice(0, 1);
      }
    };

    it('reports a retyped group sub-field', () => {
      expect(checkVersions([v1, next(retypeWhen)])).toEqual([
        {
          version: '2026.2',
          path: ['sections', 1, 'fields', 3, 'fields', 0, 'type'],
          message:
            'sub-field "when" of "events" changed type from date (version 2026.1) to text; declare a retype migration for "events"',
        },
      ]);
    });

    it('reports a choice code dropped from a choice or multi field', () => {
      const dropped = (key: string, code: string) =>
        `field "${key}" dropped choice code "${code}" of version 2026.1, which stored reports may hold; keep the code or declare a retype migration`;
      expect(checkVersions([v1, next(dropCodes)])).toEqual([
        {
          version: '2026.2',
          path: ['sections', 0, 'fields', 5, 'choices'],
          message: dropped('grade', 'b'),
        },
        {
          version: '2026.2',
          path: ['sections', 1, 'fields', 0, 'choices'],
          message: dropped('issues', 'y'),
        },
      ]);
    });

    it('reports a choice code dropped from a group sub-field', () => {
      const withKind = (codes: string[]) => (input: DefinitionInput) => {
        const events = fieldOf(input, 'events');
        if (events.type !== 'group') throw new Error('events is a group');
        events.fields.push({
          key: 'kind',
          type: 'choice',
          label: { zh: '类', en: 'Kind' },
          choices: codes.map((code) => ({ code, label: { zh: code, en: code } })),
        });
      };
      const older = definitionWith(withKind(['fire', 'flood']));
      expect(checkVersions([older, next(withKind(['flood', 'storm']))])).toEqual([
        {
          version: '2026.2',
          path: ['sections', 1, 'fields', 3, 'fields', 1, 'choices'],
          message:
            'sub-field "kind" of "events" dropped choice code "fire" of version 2026.1, which stored reports may hold; keep the code or declare a retype migration for "events"',
        },
      ]);
    });

    it('accepts these changes with a retype migration of the field', () => {
      const v2 = next((input) => {
        retypeWhen(input);
        dropCodes(input);
        input.migrations = ['events', 'grade', 'issues'].map((field) => ({
          field,
          change: 'retype' as const,
          note: 'values mapped',
        }));
      });
      expect(checkVersions([v1, v2])).toEqual([]);
    });
  });

  describe('migrations', () => {
    it('reports one for a field the version before does not have', () => {
      const v2 = next((input) => {
        input.migrations = [
          { field: 'ghost', change: 'drop', note: 'never was' },
          { field: 'phantom', change: 'rename', to: 'total', note: 'never was' },
        ];
      });
      expect(checkVersions([v1, v2])).toEqual([
        {
          version: '2026.2',
          path: ['migrations', 0, 'field'],
          message: 'version 2026.1 has no field "ghost" to drop',
        },
        {
          version: '2026.2',
          path: ['migrations', 1, 'field'],
          message: 'version 2026.1 has no field "phantom" to rename',
        },
      ]);
    });

    /** 2026.2 with the main section's fields mapped, and these migrations. */
    const renaming = (
      fields: (field: FieldInput) => FieldInput[],
      migrations: DefinitionInput['migrations'],
    ) =>
      next((input) => {
        const section = sectionOf(input, 0);
        section.fields = section.fields.flatMap(fields);
        input.migrations = migrations;
      });
    const messagesOf = (v2: FormDefinition) =>
      checkVersions([v1, v2]).map((problem) => [problem.path.join('.'), problem.message]);

    it('reports a rename of a field the version still has (a swap, say)', () => {
      const v2 = renaming(
        (field) => [field],
        [
          { field: 'total', change: 'rename', to: 'part', note: 'swap' },
          { field: 'part', change: 'rename', to: 'total', note: 'swap' },
        ],
      );
      expect(messagesOf(v2)).toEqual([
        ['migrations.0.field', 'migration renames "total", but this version still has "total"'],
        ['migrations.1.field', 'migration renames "part", but this version still has "part"'],
      ]);
    });

    it('reports a rename onto a field the version before already had', () => {
      const v2 = renaming(
        (field) => (field.key === 'part' ? [] : [field]),
        [{ field: 'part', change: 'rename', to: 'total', note: 'merged' }],
      );
      expect(messagesOf(v2)).toEqual([
        [
          'migrations.0.to',
          'migration renames "part" to "total", which version 2026.1 already has: the values would be mixed',
        ],
      ]);
    });

    it('reports a rename to a field of another type, and two migrations of one field', () => {
      const v2 = renaming(
        (field) =>
          field.key === 'area'
            ? [{ key: 'surface', type: 'int', label: field.label }]
            : field.key === 'flag'
              ? []
              : [field],
        [
          { field: 'area', change: 'rename', to: 'surface', note: 'renamed' },
          { field: 'flag', change: 'drop', note: 'gone' },
          { field: 'flag', change: 'drop', note: 'gone again' },
        ],
      );
      expect(messagesOf(v2)).toEqual([
        [
          'migrations.0.to',
          'migration renames "area" to "surface", whose type or choices differ from "area"\'s in version 2026.1: a rename keeps the values as they are',
        ],
        ['migrations.2.field', 'more than one migration for "flag"'],
      ]);
    });

    it('reports a retype of a field no earlier version has', () => {
      const v2 = next((input) => {
        sectionOf(input, 0).fields.push({
          key: 'added',
          type: 'int',
          label: { zh: '新', en: 'New' },
        });
        input.migrations = [{ field: 'added', change: 'retype', note: 'new' }];
      });
      expect(checkVersions([v1, v2])).toEqual([
        {
          version: '2026.2',
          path: ['migrations', 0, 'field'],
          message: 'no version before 2026.2 has a field "added" to retype',
        },
      ]);
    });

    it('reports a migration in the first version', () => {
      const first = definitionWith((input) => {
        input.migrations = [{ field: 'flag', change: 'drop', note: 'nothing before' }];
      });
      expect(checkVersions([first])).toEqual([
        {
          version: '2026.1',
          path: ['migrations', 0, 'field'],
          message: 'no version before 2026.1 has a field "flag" to drop',
        },
      ]);
    });

    it('reports a retype migration of a field whose type did not change', () => {
      const v2 = next((input) => {
        input.migrations = [{ field: 'part', change: 'retype', note: 'nothing changed' }];
      });
      expect(checkVersions([v1, v2])).toEqual([
        {
          version: '2026.2',
          path: ['migrations', 0, 'change'],
          message: 'migration retypes "part", but its type and choices are those of version 2026.1',
        },
      ]);
    });
  });

  describe('a field dropped and added again later', () => {
    const v2 = next((input) => {
      removeField(input, 'flag');
      input.migrations = [{ field: 'flag', change: 'drop', note: 'gone' }];
    });
    const v3 = (type: 'bool' | 'int', migrate: boolean) =>
      definitionWith((input) => {
        input.version = '2027.1';
        const main = sectionOf(input, 0);
        main.fields = main.fields.map((field) =>
          field.key === 'flag' ? { key: 'flag', type, label: field.label } : field,
        );
        if (migrate) input.migrations = [{ field: 'flag', change: 'retype', note: 'now a count' }];
      });

    it('is compared with the last version that had it', () => {
      expect(checkVersions([v1, v2, v3('int', false)])).toEqual([
        {
          version: '2027.1',
          path: ['sections', 0, 'fields', 4, 'type'],
          message:
            'field "flag" changed type from bool (version 2026.1) to int; declare a retype migration',
        },
      ]);
    });

    it('is accepted with its old type, or with a retype migration', () => {
      expect(checkVersions([v1, v2, v3('bool', false)])).toEqual([]);
      expect(checkVersions([v1, v2, v3('int', true)])).toEqual([]);
    });
  });

  it('reports a version defined twice', () => {
    expect(checkVersions([v1, FormDefinition.parse(minimalDefinitionInput())])).toEqual([
      { version: '2026.1', path: ['version'], message: 'version 2026.1 defined twice' },
    ]);
  });
});

describe('checkStandards', () => {
  const forms = new Map([['mini-form', FormDefinition.parse(minimalDefinitionInput())]]);
  const standard = (overrides: Partial<Standard>): Standard => ({
    key: 'partShareMin',
    formId: 'mini-form',
    indicator: 'partShare',
    operator: '>=',
    value: 0.5,
    label: { zh: '占比不低于一半', en: 'Share at least half' },
    source: 'test',
    provisional: true,
    ...overrides,
  });

  it('accepts standards on derived indicators, numeric fields and yes/no fields', () => {
    expect(
      checkStandards(
        [
          standard({}),
          standard({ key: 'totalMin', indicator: 'total', value: 10 }),
          standard({ key: 'flagged', indicator: 'flag', operator: '==', value: true }),
        ],
        forms,
      ),
    ).toEqual([]);
  });

  it('accepts the real standards against the real form', () => {
    const real = countyAnnualReport();
    expect(checkStandards(realStandards(), new Map([[real.formId, real]]))).toEqual([]);
  });

  it.each<[string, Partial<Standard>, DefinitionProblem]>([
    [
      'an unknown indicator',
      { indicator: 'nosuch' },
      {
        path: ['standards', 0, 'indicator'],
        message: 'unknown indicator "nosuch" in form mini-form',
      },
    ],
    [
      'an unknown form',
      { formId: 'other-form' },
      { path: ['standards', 0, 'formId'], message: 'unknown form "other-form"' },
    ],
    [
      'a yes/no indicator with >=',
      { indicator: 'flag', operator: '>=', value: true },
      {
        path: ['standards', 0, 'value'],
        message: 'a yes/no indicator needs operator == and value true or false',
      },
    ],
    [
      'a yes/no indicator with a number',
      { indicator: 'flag', operator: '==', value: 1 },
      {
        path: ['standards', 0, 'value'],
        message: 'a yes/no indicator needs operator == and value true or false',
      },
    ],
    [
      'a numeric indicator with a boolean value',
      { indicator: 'total', operator: '==', value: true },
      { path: ['standards', 0, 'value'], message: 'value must be a number' },
    ],
  ])('reports %s', (_, overrides, problem) => {
    expect(checkStandards([standard(overrides)], forms)).toEqual([problem]);
  });

  it('reports a duplicate standard key', () => {
    expect(checkStandards([standard({}), standard({ value: 0.6 })], forms)).toEqual([
      { path: ['standards', 1, 'key'], message: 'duplicate standard "partShareMin"' },
    ]);
  });
});
