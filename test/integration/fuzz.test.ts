/**
 * Fuzzing through the local HTTP server: every write route of functions/routes.ts gets
 * thousands of generated hostile requests (wrong types, huge numbers, Infinity, deep nesting,
 * `__proto__` and `constructor` keys, oversized and non-UTF-8 bodies, wrong content types, odd
 * Idempotency-Key and other headers), sent by a caller who may use the route, so that
 * validation, not authorization, answers. Each request is broken in one known way, so its answer
 * is known: a 4xx problem+json with zh/en messages and no internals, never a 5xx, never a 2xx;
 * and afterwards everything the suite watches (heads, revisions, evidence, periods, rollups)
 * reads back byte for byte as before.
 *
 * Libraries 140821–140828 (运城市) in period 2039, period 2038 for the period routes: no other
 * test file uses them. `FUZZ_RUNS` (default 2000) and `FUZZ_SEED` change the runs; a failure
 * prints the seed and the sample.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { realForm, wuxiangReport2025 } from '../../domain/forms/fixtures.js';
import { escapeRegExp } from '../../domain/regexp.js';
import { type HttpMethod, routes } from '../../functions/routes.js';
import { invalidValueFor, normalise } from './fuzz-form.js';
import { createClient, type RawRequest, type RawResponse, runBounded } from './fuzz-http.js';
import {
  anyJson,
  anyJsonExcept,
  deeplyNested,
  HOSTILE_KEYS,
  hostileHeaders,
  invalidJsonText,
  invalidUtf8Bytes,
  JSON_CONTENT_TYPES,
  type Json,
  NOT_JSON_CONTENT_TYPES,
  Obj,
  oversizedBytes,
  SERVER_BODY_LIMIT,
  serialize,
  withUnpairedSurrogate,
} from './fuzz-json.js';
import { recordFigures } from './reliability-figures.js';
import { api, stack, tokenFor } from './support.js';

const FORM = 'county-annual-report';
const PERIOD = '2039';
const ADMIN_PERIOD = '2038';
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20_390_321);
const IN_FLIGHT = 8;

/** One library per route group, each in the state where a valid request would succeed. */
const LIB = {
  save: '140821',
  submit: '140822',
  return: '140823',
  accept: '140824',
  reopen: '140825',
  presign: '140826',
  complete: '140827',
  delete: '140828',
} as const;
type LibName = keyof typeof LIB;

/** In each library's report and nowhere else. */
const distinctive = (name: LibName) => 7_300_000 + Object.keys(LIB).indexOf(name) * 1_111;

const form = realForm();
const fields = [...form.fields.values()];
const ruleIds = form.rules.map((rule) => rule.id);
const evidenceSections = form.definition.sections.filter((s) => s.evidence).map((s) => s.key);
const otherSections = form.definition.sections.filter((s) => !s.evidence).map((s) => s.key);

const reportPath = (libraryId: string) =>
  `/api/libraries/${libraryId}/submissions/${FORM}/${PERIOD}`;

const DAY = 24 * 60 * 60 * 1000;
const inMs = (milliseconds: number) => new Date(Date.now() + milliseconds).toISOString();

// ---------------------------------------------------------------------------------------------
// What is valid, written out from docs/api.md, so that generators can step just outside it.

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isRevision = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1_000_000;
const isComment = (value: unknown) =>
  typeof value === 'string' && value.trim().length >= 1 && value.trim().length <= 2_000;
const isFieldKey = (value: string) => /^[a-z][A-Za-z0-9]{0,63}$/.test(value);
/** Generous on purpose: anything that might pass for an ISO time counts as valid. */
const mightBeInstant = (value: unknown) =>
  typeof value === 'string' &&
  /^\d{4}-\d{2}-\d{2}T/.test(value) &&
  !Number.isNaN(Date.parse(value));
const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'];
const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;
/** domain/narrative/model.ts */
const MAX_NARRATIVE = 50_000;

const comment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((text) => isComment(text));
const invalidComment = fc.oneof(
  fc.constantFrom('', ' ', '\n\t ', 'x'.repeat(2_001), ` ${'字'.repeat(2_001)} `),
  anyJsonExcept(isComment),
);
const invalidRevision = anyJsonExcept(isRevision);
const staleRevision = (current: number) =>
  fc.integer({ min: 0, max: 1_000_000 }).filter((revision) => revision !== current);
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 20 }))
    .filter((key) => !known.includes(key) && key !== '__proto__');
const invalidInstant = fc.oneof(
  fc.constantFrom(
    '',
    'now',
    '2038-11-01',
    '2038-11-01T00:00:00',
    '2038-11-01 00:00:00Z',
    '2038-02-30T00:00:00Z',
    '2038-13-01T00:00:00+08:00',
    '2038-11-01T25:00:00Z',
    '20381101T000000Z',
    'Tue, 01 Nov 2038 00:00:00 GMT',
  ),
  anyJsonExcept(mightBeInstant),
);
const instant = fc
  .date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  })
  .chain((date) =>
    fc.constantFrom('Z', '+08:00', '-05:00', '+00:00').map((offset) => {
      if (offset === 'Z') return date.toISOString();
      const sign = offset.startsWith('-') ? -1 : 1;
      const hours = Number(offset.slice(1, 3));
      const local = new Date(date.getTime() + sign * hours * 3_600_000).toISOString();
      return `${local.slice(0, -1)}${offset}`;
    }),
  );

/** What a route's body is: valid ones, and ways of being wrong with a known answer. */
interface BodySpec {
  valid: fc.Arbitrary<Obj>;
  /** Bodies the schema (or the check right after it) refuses: 400. */
  invalid: fc.Arbitrary<Json>;
  /** A `__proto__` key where a record is taken: 400 (zod would otherwise drop it unseen). */
  protoKey?: fc.Arbitrary<Json>;
  /** Valid but for an expected revision that is not the current one: 409. */
  stale?: fc.Arbitrary<Json>;
  /** Well-formed bodies that name something that does not exist: 404. */
  unknown?: fc.Arbitrary<Json>;
  /** Every field is optional, so no body at all is a valid request (read as `{}`). */
  optionalBody?: true;
}

/** Invalid bodies that apply to every strict object: not an object, extra, missing, repeated. */
const invalidObject = (
  valid: fc.Arbitrary<Obj>,
  keys: readonly string[],
  required: readonly string[],
  invalidFor: Readonly<Record<string, fc.Arbitrary<Json>>>,
): fc.Arbitrary<Json> => {
  const settable = Object.keys(invalidFor);
  return fc.oneof(
    anyJsonExcept(isPlainObject),
    deeplyNested,
    fc
      .tuple(valid, fc.oneof(fc.constantFrom(...HOSTILE_KEYS), unknownKey(keys)), anyJson)
      .filter(([, key]) => !keys.includes(key))
      .map(([body, key, value]) => body.append(key, value)),
    ...(required.length > 0
      ? [fc.tuple(valid, fc.constantFrom(...required)).map(([body, key]) => body.drop(key))]
      : []),
    fc
      .tuple(valid, fc.constantFrom(...settable))
      .chain(([body, key]) =>
        (invalidFor[key] as fc.Arbitrary<Json>).chain((value) =>
          fc.constantFrom(body.set(key, value), body.append(key, value)),
        ),
      ),
  );
};

const fullValues = (name: LibName) => ({
  ...wuxiangReport2025(),
  holdingsTotal: distinctive(name),
});
const fullEntries = (name: LibName) => Object.entries(fullValues(name));

const validValues = (name: LibName) =>
  fc.subarray(fullEntries(name)).map((entries) => normalise(Object.fromEntries(entries)) as Obj);

const invalidValues = (name: LibName): fc.Arbitrary<Json> =>
  fc.oneof(
    anyJsonExcept(isPlainObject),
    fc
      .tuple(validValues(name), fc.constantFrom(...fields))
      .chain(([values, field]) => invalidValueFor(field).map((bad) => values.set(field.key, bad))),
    fc
      .tuple(validValues(name), unknownKey(fields.map((field) => field.key)), anyJson)
      .map(([values, key, value]) => values.append(key, value)),
  );

const BODIES = {
  save: (): BodySpec => {
    const valid = validValues('save').map((values) => Obj.of({ values, expectedRevision: 1 }));
    return {
      valid,
      invalid: invalidObject(
        valid,
        ['values', 'expectedRevision'],
        ['values', 'expectedRevision'],
        {
          values: invalidValues('save'),
          expectedRevision: invalidRevision,
        },
      ),
      protoKey: fc
        .tuple(validValues('save'), anyJson)
        .map(([values, value]) =>
          Obj.of({ values: values.append('__proto__', value), expectedRevision: 1 }),
        ),
      stale: fc
        .tuple(validValues('save'), staleRevision(1))
        .map(([values, revision]) => Obj.of({ values, expectedRevision: revision })),
    };
  },
  submit: (): BodySpec => {
    const explanations = fc
      .uniqueArray(fc.tuple(fc.constantFrom(...ruleIds), comment), {
        selector: ([id]) => id,
        maxLength: 3,
      })
      .map((entries) => new Obj(entries));
    const valid = fc
      .tuple(explanations, fc.boolean())
      .map(([given, withExplanations]) =>
        withExplanations
          ? Obj.of({ expectedRevision: 1, explanations: given })
          : Obj.of({ expectedRevision: 1 }),
      );
    return {
      valid,
      invalid: invalidObject(valid, ['expectedRevision', 'explanations'], ['expectedRevision'], {
        expectedRevision: invalidRevision,
        explanations: fc.oneof(
          anyJsonExcept(isPlainObject),
          fc
            .tuple(explanations, fc.string({ maxLength: 70 }), comment)
            .filter(([, key]) => !isFieldKey(key) && key !== '__proto__')
            .map(([given, key, text]) => given.append(key, text)),
          // A well-formed key that names no rule of the form.
          fc
            .tuple(
              explanations,
              fc.constantFrom('noSuchRule', 'constructor', 'holdingsTotal'),
              comment,
            )
            .map(([given, key, text]) => given.append(key, text)),
          fc
            .tuple(explanations, fc.constantFrom(...ruleIds), invalidComment)
            .map(([given, key, text]) => given.set(key, text)),
        ),
      }),
      protoKey: fc
        .tuple(comment)
        .map(([text]) =>
          Obj.of({ expectedRevision: 1, explanations: new Obj([['__proto__', text]]) }),
        ),
      stale: staleRevision(1).map((revision) => Obj.of({ expectedRevision: revision })),
    };
  },
  return: (): BodySpec => {
    const fieldComments = fc
      .uniqueArray(fc.tuple(fc.constantFrom(...fields.map((f) => f.key)), comment), {
        selector: ([key]) => key,
        maxLength: 3,
      })
      .map((entries) => new Obj(entries));
    const valid = fc
      .record({
        message: comment,
        fieldComments: fc.option(fieldComments, { nil: undefined }),
        expectedRevision: fc.option(fc.constant(2), { nil: undefined }),
      })
      .map(
        (body) =>
          new Obj(
            Object.entries(body).filter(([, value]) => value !== undefined) as [string, Json][],
          ),
      );
    return {
      valid,
      invalid: invalidObject(valid, ['message', 'fieldComments', 'expectedRevision'], ['message'], {
        message: invalidComment,
        expectedRevision: invalidRevision,
        fieldComments: fc.oneof(
          anyJsonExcept(isPlainObject),
          fc
            .tuple(fieldComments, fc.string({ maxLength: 70 }), comment)
            .filter(([, key]) => !isFieldKey(key) && key !== '__proto__')
            .map(([given, key, text]) => given.append(key, text)),
          fc
            .tuple(fieldComments, fc.constantFrom('noSuchField', 'constructor', 'valueOf'), comment)
            .map(([given, key, text]) => given.append(key, text)),
          fc
            .tuple(fieldComments, fc.constantFrom(...fields.map((f) => f.key)), invalidComment)
            .map(([given, key, text]) => given.set(key, text)),
        ),
      }),
      protoKey: comment.map((text) =>
        Obj.of({ message: text, fieldComments: new Obj([['__proto__', text]]) }),
      ),
      stale: fc
        .tuple(comment, staleRevision(2))
        .map(([message, revision]) => Obj.of({ message, expectedRevision: revision })),
    };
  },
  accept: (): BodySpec => {
    const valid = fc.constantFrom(Obj.of({}), Obj.of({ expectedRevision: 2 }));
    return {
      valid,
      invalid: invalidObject(valid, ['expectedRevision'], [], {
        expectedRevision: invalidRevision,
      }),
      stale: staleRevision(2).map((revision) => Obj.of({ expectedRevision: revision })),
      optionalBody: true,
    };
  },
  reopen: (): BodySpec => {
    const valid = fc
      .tuple(comment, fc.boolean())
      .map(([message, withRevision]) =>
        withRevision ? Obj.of({ message, expectedRevision: 3 }) : Obj.of({ message }),
      );
    return {
      valid,
      invalid: invalidObject(valid, ['message', 'expectedRevision'], ['message'], {
        message: invalidComment,
        expectedRevision: invalidRevision,
      }),
      stale: fc
        .tuple(comment, staleRevision(3))
        .map(([message, revision]) => Obj.of({ message, expectedRevision: revision })),
    };
  },
  presign: (): BodySpec => {
    const fileName = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((name) => name.trim().length > 0)
      .map((name) => `${name}.png`);
    const valid = fc
      .record({
        fileName,
        contentType: fc.constantFrom(...EVIDENCE_TYPES),
        size: fc.integer({ min: 1, max: EVIDENCE_MAX_BYTES }),
        sectionKey: fc.option(fc.constantFrom(...evidenceSections), { nil: undefined }),
        caption: fc.option(fc.string({ maxLength: 50 }), { nil: undefined }),
      })
      .map(
        (body) =>
          new Obj(
            Object.entries(body).filter(([, value]) => value !== undefined) as [string, Json][],
          ),
      );
    const keys = ['fileName', 'contentType', 'size', 'sectionKey', 'caption'];
    return {
      valid,
      invalid: invalidObject(valid, keys, ['fileName', 'contentType', 'size'], {
        fileName: fc.oneof(
          fc.constantFrom('', '   ', `${'长'.repeat(256)}`, 'x'.repeat(300)),
          anyJsonExcept((value) => typeof value === 'string'),
        ),
        contentType: fc.oneof(
          fc.constantFrom(
            'image/gif',
            'IMAGE/PNG',
            'image/png ',
            'text/html',
            'application/x-msdownload',
            '',
          ),
          anyJsonExcept((value) => typeof value === 'string' && EVIDENCE_TYPES.includes(value)),
        ),
        size: fc.oneof(
          fc.constantFrom(0, -1, 1.5, EVIDENCE_MAX_BYTES + 1, 2 ** 53, '1024'),
          anyJsonExcept(
            (value) =>
              typeof value === 'number' &&
              Number.isInteger(value) &&
              value >= 1 &&
              value <= EVIDENCE_MAX_BYTES,
          ),
        ),
        sectionKey: fc.oneof(
          fc.constantFrom(...otherSections, 'noSuchSection', 'constructor', ''),
          anyJsonExcept((value) => typeof value === 'string' && evidenceSections.includes(value)),
        ),
        caption: fc.oneof(
          fc.constantFrom('x'.repeat(201), ` ${'图'.repeat(201)} `),
          anyJsonExcept((value) => typeof value === 'string' && value.trim().length <= 200),
        ),
      }),
    };
  },
  periodWindow: (): BodySpec => {
    const valid = fc
      .uniqueArray(instant, { minLength: 3, maxLength: 3, selector: (text) => Date.parse(text) })
      .map((times) => [...times].sort((a, b) => Date.parse(a) - Date.parse(b)))
      .map(([opensAt, dueAt, locksAt]) =>
        Obj.of({ opensAt, dueAt, locksAt } as Record<string, Json>),
      );
    const keys = ['opensAt', 'dueAt', 'locksAt'];
    return {
      valid,
      invalid: fc.oneof(
        invalidObject(valid, keys, keys, {
          opensAt: invalidInstant,
          dueAt: invalidInstant,
          locksAt: invalidInstant,
        }),
        // Every time valid, in an order that is not: opens ≥ due, or locks < due.
        valid.chain((body) => {
          const [opensAt, dueAt, locksAt] = keys.map((key) => body.get(key) as string);
          return fc.constantFrom(
            Obj.of({
              opensAt: dueAt as string,
              dueAt: opensAt as string,
              locksAt: locksAt as string,
            }),
            Obj.of({
              opensAt: opensAt as string,
              dueAt: locksAt as string,
              locksAt: dueAt as string,
            }),
            Obj.of({
              opensAt: dueAt as string,
              dueAt: dueAt as string,
              locksAt: locksAt as string,
            }),
          );
        }),
      ),
    };
  },
  periodException: (): BodySpec => {
    const valid = fc
      .record({
        libraryId: fc.stringMatching(/^\d{6}$/),
        until: instant,
      })
      .map((body) => Obj.of(body));
    return {
      valid,
      invalid: invalidObject(valid, ['libraryId', 'until'], ['libraryId', 'until'], {
        libraryId: fc.oneof(
          fc.constantFrom(
            140821,
            '14082',
            '1408211',
            '14082a',
            '１４０８２１',
            '140821\n',
            ' 140821',
            '',
          ) as fc.Arbitrary<Json>,
          anyJsonExcept((value) => typeof value === 'string' && /^\d{6}$/.test(value)),
        ),
        until: invalidInstant,
      }),
    };
  },
  narrative: (): BodySpec => {
    const text = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
      .filter((value) => /\S/.test(value));
    const valid = fc
      .tuple(text, fc.boolean())
      .map(([given, withForm]) =>
        withForm ? Obj.of({ text: given, formId: FORM }) : Obj.of({ text: given }),
      );
    return {
      valid,
      invalid: invalidObject(valid, ['text', 'formId'], ['text'], {
        text: fc.oneof(
          fc.constantFrom('', ' ', '\n\t\r ', '\u00a0\u3000', 'x'.repeat(MAX_NARRATIVE + 1)),
          anyJsonExcept((value) => typeof value === 'string'),
        ),
        formId: fc.oneof(
          fc.constantFrom('', 'county_annual_report', '../forms', 'x'.repeat(65), '报告'),
          anyJsonExcept((value) => typeof value === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(value)),
        ),
      }),
      unknown: fc
        .tuple(
          text,
          fc.constantFrom('no-such-form', 'constructor', 'toString', 'County-Annual-Report'),
        )
        .map(([given, formId]) => Obj.of({ text: given, formId })),
    };
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Requests: a body broken in one known way, hostile headers around it.

interface Sample {
  category: string;
  request: RawRequest;
  /** The answers that are right for this request. */
  expected: readonly number[];
}

/**
 * An Idempotency-Key other requests of the run send too: while one of them is in flight, another
 * gets 409 (in progress) or 422 (the key with another body).
 */
const IDEMPOTENCY_CLASH = [409, 422];

const bodyCases = (
  spec: BodySpec,
): fc.Arbitrary<{ category: string; body: Buffer; contentType?: string; expected: number[] }> => {
  const json = fc.constantFrom(...JSON_CONTENT_TYPES);
  const encoded = (category: string, expected: number[]) => (value: Json) =>
    json.map((contentType) => ({
      category,
      body: Buffer.from(serialize(value), 'utf8'),
      contentType,
      expected,
    }));
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(spec.valid, fc.constantFrom(...NOT_JSON_CONTENT_TYPES))
        .map(([body, contentType]) => ({
          category: 'content type',
          body: Buffer.from(serialize(body), 'utf8'),
          ...(contentType === undefined ? {} : { contentType }),
          expected: [415],
        })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(invalidJsonText(spec.valid), json)
        .filter(([body]) => !(spec.optionalBody && body.byteLength === 0))
        .map(([body, contentType]) => ({
          category: 'invalid JSON',
          body,
          contentType,
          expected: [400],
        })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(invalidUtf8Bytes(spec.valid), json).map(([body, contentType]) => ({
        category: 'invalid UTF-8',
        body,
        contentType,
        expected: [400],
      })),
    },
    {
      weight: 1,
      arbitrary: withUnpairedSurrogate(spec.valid).chain(encoded('unpaired surrogate', [400])),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(oversizedBytes(spec.valid), json).map(([body, contentType]) => ({
        category: 'oversized',
        body,
        contentType,
        expected: [413],
      })),
    },
    { weight: 8, arbitrary: spec.invalid.chain(encoded('invalid shape', [400])) },
    ...(spec.protoKey
      ? [{ weight: 1, arbitrary: spec.protoKey.chain(encoded('__proto__ key', [400])) }]
      : []),
    ...(spec.stale
      ? [{ weight: 1, arbitrary: spec.stale.chain(encoded('stale revision', [409])) }]
      : []),
    ...(spec.unknown
      ? [{ weight: 1, arbitrary: spec.unknown.chain(encoded('unknown target', [404])) }]
      : []),
  );
};

const withHeaders = (
  token: string,
  method: HttpMethod,
  path: string,
  idempotent: boolean,
  cases: ReturnType<typeof bodyCases>,
): fc.Arbitrary<Sample> =>
  fc.tuple(cases, hostileHeaders).map(([body, hostile]) => ({
    category: body.category,
    request: {
      method,
      path,
      headers: {
        ...hostile.headers,
        authorization: `Bearer ${token}`,
        ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }),
      },
      body: body.body,
      chunked: hostile.chunked,
    },
    expected:
      idempotent && hostile.sharedIdempotencyKey
        ? [...body.expected, ...IDEMPOTENCY_CLASH]
        : body.expected,
  }));

/** Any body at all, for routes that take none: their answer depends on the target only. */
const anyBody = bodyCases(BODIES.presign()).chain((body) =>
  fc
    .oneof(fc.constantFrom(...JSON_CONTENT_TYPES), fc.constantFrom(...NOT_JSON_CONTENT_TYPES))
    .map((contentType) => ({ ...body, contentType })),
);

/** A path segment that names nothing: random text, encoded or not quite. */
const hostileSegment = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 80 })
    .filter((text) => {
      try {
        encodeURIComponent(text);
        return true;
      } catch {
        return false;
      }
    })
    // `.` and `..` are dot segments: the URL is normalised and then matches no route (404).
    .map((text) => ({
      text: encodeURIComponent(text),
      decoded: text === '.' || text === '..' ? undefined : text,
    })),
  fc.constantFrom(
    ...[
      '..',
      '.',
      '%2e%2e',
      '%2F',
      '%00',
      '%zz',
      '%E0%A4%A',
      '%C0%AF',
      '__proto__',
      'constructor',
      'toString',
      'x'.repeat(200),
    ].map((text) => ({ text, decoded: undefined as string | undefined })),
  ),
);

interface Target {
  path: string;
  token: string;
  expected: number[];
  label: string;
}

const bodylessSamples = (method: HttpMethod, targets: fc.Arbitrary<Target>): fc.Arbitrary<Sample> =>
  fc.tuple(targets, anyBody, hostileHeaders).map(([target, body, hostile]) => ({
    category: `${target.label} (${body.category})`,
    request: {
      method,
      path: target.path,
      headers: {
        ...hostile.headers,
        authorization: `Bearer ${target.token}`,
        ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }),
      },
      body: body.body,
      chunked: hostile.chunked,
    },
    // The server's own limit (API Gateway's 10 MB) comes before the handler, after the route:
    // a path that names no route is a 404 whatever its body.
    expected:
      body.body.byteLength > SERVER_BODY_LIMIT
        ? [413, ...(target.expected.includes(404) ? [404] : [])]
        : target.expected,
  }));

// ---------------------------------------------------------------------------------------------
// The stack: reports in the states where a valid request would be answered 2xx.

const tokens = {} as Record<LibName | 'province' | 'admin', string>;
const evidence = { pending: '', submitted: '' };

const call = async (path: string, token: string, method = 'GET', body?: unknown) => {
  const response = await api(path, {
    method,
    token,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
};

const ok = async (path: string, token: string, method: string, body: unknown, status: number) => {
  const answer = await call(path, token, method, body);
  if (answer.status !== status) {
    throw new Error(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
  }
  return JSON.parse(answer.text) as Record<string, unknown>;
};

const PRESIGN = { fileName: '馆舍外景.png', contentType: 'image/png', size: 2048 };

beforeAll(async () => {
  for (const name of Object.keys(LIB) as LibName[])
    tokens[name] = await tokenFor('library', LIB[name]);
  tokens.province = await tokenFor('province');
  tokens.admin = await tokenFor('admin');
  const window = { opensAt: inMs(-DAY), dueAt: inMs(30 * DAY), locksAt: inMs(60 * DAY) };
  await ok(`/api/periods/${FORM}/${PERIOD}`, tokens.admin, 'PUT', window, 200);
  await ok(`/api/periods/${FORM}/${ADMIN_PERIOD}`, tokens.admin, 'PUT', window, 200);

  await Promise.all(
    (Object.keys(LIB) as LibName[]).map(async (name) => {
      const path = reportPath(LIB[name]);
      const token = tokens[name];
      await ok(path, token, 'PUT', { values: fullValues(name), expectedRevision: 0 }, 201);
      if (name === 'complete' || name === 'delete') {
        const ticket = await ok(`${path}/evidence`, token, 'POST', PRESIGN, 201);
        evidence[name === 'complete' ? 'pending' : 'submitted'] = (
          ticket.evidence as { evidenceId: string }
        ).evidenceId;
      }
      if (['return', 'accept', 'reopen', 'delete'].includes(name)) {
        await ok(`${path}/submit`, token, 'POST', { expectedRevision: 1 }, 200);
      }
      if (name === 'reopen') {
        await ok(`${path}/accept`, tokens.province, 'POST', { expectedRevision: 2 }, 200);
      }
    }),
  );
});

/** Everything the suite may not change, read back as the API answers it. */
const watchedReads = () => [
  ...(Object.keys(LIB) as LibName[]).flatMap((name) => [
    { path: reportPath(LIB[name]), token: tokens[name] },
    { path: `${reportPath(LIB[name])}/revisions?limit=100`, token: tokens[name] },
    { path: `${reportPath(LIB[name])}/evidence`, token: tokens[name] },
  ]),
  ...[PERIOD, ADMIN_PERIOD].flatMap((period) => [
    { path: `/api/periods/${FORM}/${period}`, token: tokens.admin },
    { path: `/api/rollups/${FORM}/${period}`, token: tokens.province },
  ]),
];

const snapshot = async () =>
  Promise.all(
    watchedReads().map(async ({ path, token }) => {
      const { status, text } = await call(path, token);
      return { path, answer: `${status} ${text}` };
    }),
  );

// ---------------------------------------------------------------------------------------------
// One property per write route.

const SUBMISSION = '/api/libraries/{libraryId}/submissions/{formId}/{period}';
const EVIDENCE = `${SUBMISSION}/evidence/{evidenceId}`;

const evidencePath = (lib: LibName, id: string, suffix = '') =>
  `${reportPath(LIB[lib])}/evidence/${id}${suffix}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Targets of the evidence routes: a real item the route must refuse, or nothing at all. */
const evidenceTargets = (suffix: string, forDelete: boolean): fc.Arbitrary<Target> =>
  fc.oneof(
    // Completing an item with nothing uploaded is 409; deleting it would succeed: no target.
    ...(forDelete
      ? []
      : [
          fc.constant<Target>({
            label: 'pending item, nothing uploaded',
            path: evidencePath('complete', evidence.pending, suffix),
            token: tokens.complete,
            expected: [409],
          }),
        ]),
    fc.constant<Target>({
      label: 'item of a submitted report',
      path: evidencePath('delete', evidence.submitted, suffix),
      token: tokens.delete,
      expected: [409],
    }),
    fc.uuid().map(
      (id): Target => ({
        label: 'unknown id',
        path: evidencePath('complete', id, suffix),
        token: tokens.complete,
        expected: [404],
      }),
    ),
    hostileSegment
      .filter(({ decoded }) => decoded === undefined || !UUID.test(decoded))
      .map(
        ({ text }): Target => ({
          label: 'malformed id',
          path: evidencePath('complete', text, suffix),
          token: tokens.complete,
          expected: [404],
        }),
      ),
  );

/** `.` or `..`, also percent-encoded: a segment URL normalisation removes. */
const isDotSegment = (text: string) => /^(\.|%2e){1,2}$/i.test(text);

const rollupTargets: fc.Arbitrary<Target> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant({ text: FORM, decoded: FORM as string | undefined }) },
      fc.constantFrom(
        ...['no-such-form', 'County-Annual-Report', 'constructor', 'toString', 'valueOf'].map(
          (text) => ({
            text,
            decoded: text as string | undefined,
          }),
        ),
      ),
      hostileSegment,
    ),
    fc.oneof(
      fc.constantFrom(
        ...[
          '2039-H1',
          '2039-H3',
          '1999',
          '2101',
          '0000',
          '20391',
          '-2039',
          '2039-',
          'abcd',
          'constructor',
          'H1',
          'latest',
        ].map((text) => ({ text, decoded: text as string | undefined })),
      ),
      hostileSegment,
    ),
  )
  // `/api/rollups/../..` is `/` once normalised: the web app's, not the API's, so left out.
  .filter(([formId, period]) => !(isDotSegment(formId.text) && isDotSegment(period.text)))
  .map(([formId, period]) => {
    const segment = (s: string | undefined) => s !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(s);
    const validPeriod = (s: string | undefined) =>
      s !== undefined && /^\d{4}$/.test(s) && Number(s) >= 2000 && Number(s) <= 2100;
    const expected =
      formId.decoded === undefined || period.decoded === undefined
        ? [400, 404]
        : !segment(formId.decoded) || !segment(period.decoded)
          ? [400]
          : formId.decoded !== FORM
            ? [404]
            : validPeriod(period.decoded)
              ? [202]
              : [400];
    return {
      label: 'rollup of nothing',
      path: `/api/rollups/${formId.text}/${period.text}`,
      token: tokens.province,
      expected,
    };
  })
  .filter((target) => !target.expected.includes(202));

const FUZZ: Readonly<Record<string, () => fc.Arbitrary<Sample>>> = {
  [`PUT ${SUBMISSION}`]: () =>
    withHeaders(tokens.save, 'PUT', reportPath(LIB.save), true, bodyCases(BODIES.save())),
  [`POST ${SUBMISSION}/submit`]: () =>
    withHeaders(
      tokens.submit,
      'POST',
      `${reportPath(LIB.submit)}/submit`,
      true,
      bodyCases(BODIES.submit()),
    ),
  [`POST ${SUBMISSION}/return`]: () =>
    withHeaders(
      tokens.province,
      'POST',
      `${reportPath(LIB.return)}/return`,
      true,
      bodyCases(BODIES.return()),
    ),
  [`POST ${SUBMISSION}/accept`]: () =>
    withHeaders(
      tokens.province,
      'POST',
      `${reportPath(LIB.accept)}/accept`,
      true,
      bodyCases(BODIES.accept()),
    ),
  [`POST ${SUBMISSION}/reopen`]: () =>
    withHeaders(
      tokens.admin,
      'POST',
      `${reportPath(LIB.reopen)}/reopen`,
      true,
      bodyCases(BODIES.reopen()),
    ),
  [`POST ${SUBMISSION}/evidence`]: () =>
    withHeaders(
      tokens.presign,
      'POST',
      `${reportPath(LIB.presign)}/evidence`,
      false,
      bodyCases(BODIES.presign()),
    ),
  [`POST ${EVIDENCE}/complete`]: () => bodylessSamples('POST', evidenceTargets('/complete', false)),
  [`DELETE ${EVIDENCE}`]: () => bodylessSamples('DELETE', evidenceTargets('', true)),
  'PUT /api/periods/{formId}/{period}': () =>
    withHeaders(
      tokens.admin,
      'PUT',
      `/api/periods/${FORM}/${ADMIN_PERIOD}`,
      false,
      bodyCases(BODIES.periodWindow()),
    ),
  'POST /api/periods/{formId}/{period}/exceptions': () =>
    withHeaders(
      tokens.admin,
      'POST',
      `/api/periods/${FORM}/${ADMIN_PERIOD}/exceptions`,
      false,
      bodyCases(BODIES.periodException()),
    ),
  'POST /api/rollups/{formId}/{period}': () => bodylessSamples('POST', rollupTargets),
  // Reads and stores nothing, but takes a body: fuzzed like the writes.
  'POST /api/imports/narrative': () =>
    withHeaders(
      tokens.presign,
      'POST',
      '/api/imports/narrative',
      false,
      bodyCases(BODIES.narrative()),
    ),
};

const writeRoutes = routes
  .filter((route) => route.method !== 'GET')
  .map((route) => ({ ...route, key: `${route.method} ${route.path}` }));

/** Traces of a stack or of internals that no answer may show. */
const INTERNALS = [
  /\n\s+at\s/,
  /\bat .+\.[cm]?[jt]s:\d+/,
  /\b[A-Z]\w*Error: /,
  /node_modules/,
  /"stack"/,
  /\/work\//,
];

/** The distinctive values of every fuzzed library but the one a request is about. */
const othersOf = (path: string) => {
  const about = /^\/api\/libraries\/(\d{6})\//.exec(path)?.[1];
  return (Object.keys(LIB) as LibName[])
    .filter((name) => LIB[name] !== about)
    .map((name) => String(distinctive(name)));
};

const checkAnswer = (sample: Sample, response: RawResponse) => {
  const problems: string[] = [];
  if (!sample.expected.includes(response.status)) {
    problems.push(`status ${response.status}, expected ${sample.expected.join(' or ')}`);
  }
  if (!/^application\/problem\+json/.test(String(response.headers['content-type']))) {
    problems.push(`content-type ${response.headers['content-type']}`);
  }
  try {
    const problem = JSON.parse(response.text) as {
      status?: unknown;
      message?: { zh?: unknown; en?: unknown };
    };
    if (problem.status !== response.status) problems.push(`body status ${String(problem.status)}`);
    if (typeof problem.message?.zh !== 'string' || typeof problem.message?.en !== 'string') {
      problems.push('no zh/en message');
    }
  } catch {
    problems.push('body is not JSON');
  }
  const internals = INTERNALS.filter((pattern) => pattern.test(response.text));
  if (internals.length > 0) problems.push(`internals in body: ${internals.join(', ')}`);
  const leaked = othersOf(sample.request.path).filter((value) => response.text.includes(value));
  if (leaked.length > 0) problems.push(`another library's values: ${leaked.join(', ')}`);
  return { problems, leaked: leaked.length > 0 };
};

const describeRequest = (request: RawRequest) => {
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => name !== 'authorization')
      .map(([name, value]) => [
        name,
        String(value).length > 80
          ? `${String(value).slice(0, 80)}… (${String(value).length})`
          : value,
      ]),
  );
  const body = request.body ?? Buffer.alloc(0);
  return `${request.method} ${request.path.slice(0, 160)} headers=${JSON.stringify(headers)} chunked=${request.chunked} body(${body.byteLength} B)=${JSON.stringify(body.subarray(0, 300).toString('latin1'))}`;
};

/** A route's own seed, stable when routes are added (FNV-1a of its key, mixed with FUZZ_SEED). */
const seedOf = (key: string) => {
  let hash = 0x811c9dc5;
  for (const char of key) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193);
  return (hash ^ BASE_SEED) | 0;
};

/** The route key in the figures table: `{report}` is a report's path, `…` a form and period. */
const shortKey = (key: string) =>
  key
    .replace(SUBMISSION, '{report}')
    .replace('{evidenceId}', '{id}')
    .replace(/\/\{formId\}\/\{period\}/, '/…');

const client = createClient(stack.url, IN_FLIGHT);
afterAll(() => client.close());

describe('fuzzing the write routes', () => {
  it('has a fuzzer for every write route, and none for a route that is gone', () => {
    const keys = writeRoutes.map((route) => route.key);
    expect(keys.filter((key) => !(key in FUZZ))).toEqual([]);
    expect(Object.keys(FUZZ).filter((key) => !keys.includes(key))).toEqual([]);
  });

  const timings: string[] = [];
  afterAll(() => {
    console.log(
      `fuzzing, ${RUNS} requests per route (FUZZ_SEED=${BASE_SEED}):\n${timings.join('\n')}`,
    );
  });

  /** `FUZZ_ROUTES=accept` runs only the routes whose key matches. */
  const only = new RegExp(process.env.FUZZ_ROUTES ?? '');
  it.each(writeRoutes.filter((route) => only.test(route.key)))(
    '$key: every hostile request gets a 4xx problem and changes nothing',
    async (route) => {
      const fuzzer = FUZZ[route.key];
      if (!fuzzer) throw new Error(`No fuzzer for ${route.key}: add one to FUZZ`);
      const seed = seedOf(route.key);
      const samples = fc.sample(fuzzer(), { seed, numRuns: RUNS });
      const started = Date.now();
      const before = await snapshot();

      const failures: string[] = [];
      let serverErrors = 0;
      let leaks = 0;
      /** Per category: how many, and their total time in ms. */
      const categories = new Map<string, { count: number; ms: number }>();
      await runBounded(samples, IN_FLIGHT, async (sample, index) => {
        const category = sample.category.replace(/ \(.*\)$/, '');
        const tally = categories.get(category) ?? { count: 0, ms: 0 };
        categories.set(category, tally);
        tally.count += 1;
        const sent = Date.now();
        let response: RawResponse;
        try {
          response = await client.send(sample.request);
          tally.ms += Date.now() - sent;
        } catch (error) {
          failures.push(
            `#${index} [${sample.category}] no answer: ${String(error)}\n    ${describeRequest(sample.request)}`,
          );
          return;
        }
        if (response.status >= 500) serverErrors += 1;
        const { problems, leaked } = checkAnswer(sample, response);
        if (leaked) leaks += 1;
        if (problems.length > 0) {
          failures.push(
            `#${index} [${sample.category}] ${problems.join('; ')}\n    ${describeRequest(sample.request)}\n    → ${response.status} ${response.text.slice(0, 300)}`,
          );
        }
      });

      const after = await snapshot();
      const changed = after.filter((read, index) => read.answer !== before[index]?.answer);
      const seconds = (Date.now() - started) / 1000;
      timings.push(
        `  ${route.key.padEnd(72)} ${samples.length} requests in ${seconds.toFixed(1)} s, seed ${seed}: ${[...categories].map(([name, { count, ms }]) => `${name} ${count} (${Math.round(ms / count)} ms)`).join(', ')}`,
      );
      recordFigures({
        suite: `fuzzing: ${shortKey(route.key)}`,
        requests: samples.length,
        unexpectedServerErrors: serverErrors,
        lostWrites: changed.length,
        leaks,
      });

      const reproduce = `seed ${seed}: FUZZ_SEED=${BASE_SEED} FUZZ_ROUTES='^${escapeRegExp(route.key)}$' sends the same requests again`;
      expect(
        failures.length === 0
          ? 'every answer as expected'
          : `${failures.length} of ${samples.length} answers wrong, ${reproduce}:\n${failures.slice(0, 12).join('\n')}`,
      ).toBe('every answer as expected');
      expect(
        changed.map(
          (read) =>
            `${read.path}: ${before.find((b) => b.path === read.path)?.answer.slice(0, 200)} → ${read.answer.slice(0, 200)}`,
        ),
      ).toEqual([]);
    },
    300_000,
  );
});
