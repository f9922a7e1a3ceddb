/**
 * Test-only: forms with fields shown only when a condition holds, as the engine, the web form
 * and the rollup meet them: above all the county annual report with a children's reading room
 * whose seats show only when the library says it has one.
 */
import { type CompiledForm, compileForm } from './compile.js';
import { FormDefinition } from './definition.js';
import { countyAnnualReport } from './fixtures.js';

export const ROOM = 'childrenReadingRoom';
export const SEATS = 'childrenRoomSeats';
export const ROOM_STAFF = 'childrenRoomStaff';
export const SEATS_RULE = 'childrenSeatsWithinSeats';
export const SEATS_WARNING = 'childrenSeatsShare';
export const SEAT_SHARE = 'childrenSeatShare';

/**
 * After `readingSeats`: the yes/no question, the seats (required, at most 2000, shown when
 * there is a room), and the room's staff, shown once seats are given; an error rule and a
 * warning on the seats, an indicator from them, and the seats compared in the rollup.
 */
export const childrenRoomDefinition = (): FormDefinition => {
  const definition = countyAnnualReport();
  const profile = definition.sections.find((section) =>
    section.fields.some((field) => field.key === 'readingSeats'),
  );
  if (!profile) throw new Error('no section with readingSeats');
  const at = profile.fields.findIndex((field) => field.key === 'readingSeats') + 1;
  profile.fields.splice(
    at,
    0,
    {
      key: ROOM,
      type: 'bool',
      label: { zh: '设少儿阅览室', en: "Children's room" },
      required: true,
    },
    {
      key: SEATS,
      type: 'int',
      label: { zh: '少儿阅览座席', en: "Children's seats" },
      min: 0,
      max: 2000,
      required: true,
      showWhen: ROOM,
    },
    {
      key: ROOM_STAFF,
      type: 'int',
      label: { zh: '少儿阅览室工作人员', en: "Children's room staff" },
      min: 0,
      required: false,
      showWhen: `present(${SEATS})`,
    },
  );
  return FormDefinition.parse({
    ...definition,
    rules: [
      ...definition.rules,
      {
        id: SEATS_RULE,
        severity: 'error',
        check: `${SEATS} <= readingSeats`,
        message: { zh: '少儿阅览座席不能超过阅览座席', en: "Children's seats cannot exceed seats" },
      },
      {
        id: SEATS_WARNING,
        severity: 'warning',
        check: `${SEATS} <= 0.5 * readingSeats`,
        message: { zh: '少儿座席超过一半', en: "Over half the seats are children's" },
      },
    ],
    derived: [
      ...definition.derived,
      {
        key: SEAT_SHARE,
        label: { zh: '少儿座席占比', en: "Children's seat share" },
        formula: `${SEATS} / readingSeats`,
      },
    ],
    rollup: {
      ...definition.rollup,
      compare: [...definition.rollup.compare, SEATS, SEAT_SHARE],
      yearOverYear: [...definition.rollup.yearOverYear, SEATS],
    },
  });
};

let compiled: CompiledForm | undefined;
/** The compiled form above, compiled once per test file. */
export const childrenRoomForm = (): CompiledForm => {
  compiled ??= compileForm(childrenRoomDefinition());
  return compiled;
};

/**
 * 2026.2 of the real form, in which holdingsTotal is shown only with a collection note, a field
 * 2026.1 reports do not have: read by 2026.2's conditions, every 2026.1 holdingsTotal would be
 * hidden. For reading older reports by their own version.
 */
export const holdingsShownWithNote = (): FormDefinition => {
  const definition = structuredClone(countyAnnualReport());
  const holdings = definition.sections
    .flatMap((section) => section.fields)
    .find((field) => field.key === 'holdingsTotal');
  if (!holdings) throw new Error('no holdingsTotal');
  holdings.showWhen = 'present(collectionNote)';
  definition.sections[0]?.fields.push({
    key: 'collectionNote',
    type: 'text',
    maxLength: 200,
    label: { zh: '馆藏说明', en: 'Collection note' },
    required: false,
  });
  return FormDefinition.parse({ ...definition, version: '2026.2' });
};
