/**
 * Hostile JSON for the fuzzing suite: a value model that can also hold raw text (`1e999`, which
 * parses to Infinity; `NaN`, which does not parse at all), objects as ordered entries (so that
 * `__proto__` stays an ordinary key and keys may repeat), and generators of bodies that are
 * broken in one known way each, so that the expected answer is known too.
 */
import fc from 'fast-check';

/** Text written into the body as it is. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object as ordered entries: any key, `__proto__` included, repeated keys allowed. */
export class Obj {
  constructor(readonly entries: readonly (readonly [string, Json])[]) {}

  static of(record: Record<string, Json>): Obj {
    return new Obj(Object.entries(record));
  }

  get(key: string): Json | undefined {
    return this.entries.find(([name]) => name === key)?.[1];
  }

  keys(): string[] {
    return this.entries.map(([name]) => name);
  }

  /** Replaces the value of `key` (every occurrence), or appends it. */
  set(key: string, value: Json): Obj {
    return this.keys().includes(key)
      ? new Obj(this.entries.map(([name, old]) => [name, name === key ? value : old] as const))
      : new Obj([...this.entries, [key, value]]);
  }

  drop(key: string): Obj {
    return new Obj(this.entries.filter(([name]) => name !== key));
  }

  /** Appends `key` even when it is already there: JSON.parse keeps the last one. */
  append(key: string, value: Json): Obj {
    return new Obj([...this.entries, [key, value]]);
  }
}

export type Json = null | boolean | number | string | Raw | Obj | readonly Json[];

export const serialize = (value: Json): string => {
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) {
    return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${serialize(item)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`${value} has no JSON form: use Raw`);
  }
  return JSON.stringify(value);
};

/** What the API does with a body: strict UTF-8 (a leading BOM dropped), then JSON.parse. */
export const parseAsTheApiDoes = (bytes: Buffer): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
};

/** The value a Json becomes on the server. */
export const parsed = (value: Json): unknown => JSON.parse(serialize(value));

/** Numbers as text: some parse to values JSON cannot write (Infinity, -0, a rounded integer). */
export const numberTexts = fc.constantFrom(
  '1e999',
  '-1e999',
  '1e-999',
  '-0',
  '9007199254740993',
  `1${'0'.repeat(400)}`,
  '1.7976931348623157e308',
  '5e-324',
  '-9007199254740993',
  '123456789012345678901234567890',
  '0.1e2',
  '1E2',
);

/** Keys that have bitten JavaScript code before. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '',
  ' ',
  '\u0000',
  '$where',
  'a.b',
  '../x',
  'values ',
  '值',
  'x'.repeat(300),
] as const;

const strings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '\ud800', 'null', 'true', '1', '=1+1', '<script>'),
);

const scalars: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 0.1),
  numberTexts.map((text) => new Raw(text)),
  strings,
);

/** Any JSON value, shallow, with hostile keys and numbers in it. */
export const anyJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalars },
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string()), tie('value')), {
        maxLength: 4,
      })
      .map((entries) => new Obj(entries)),
  ),
})).value;

/** Arrays or objects nested far deeper than any form field. */
export const deeplyNested = fc
  .tuple(fc.integer({ min: 64, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? new Raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
      : new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  );

/** Any value whose parsed form fails `isValid`. */
export const anyJsonExcept = (isValid: (value: unknown) => boolean) =>
  fc.oneof(anyJson, deeplyNested).filter((value) => !isValid(parsed(value)));

/** Tokens that make JSON text unparseable wherever a value may stand. */
const BROKEN_TOKENS = [
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  "'single'",
  '0x1F',
  '01',
  '.5',
  '+1',
  '1.',
  'tru',
  'nul',
  '"unterminated',
  '[1,]',
  '{"a":1,}',
  '{a:1}',
  '/* comment */ 1',
  '"tab\tinside"',
  '"\u0001"',
  '"\\x41"',
  '"\\u12"',
  '"\\ud800\\"',
  '1 2',
  '',
];

/** JSON text of `valid` broken so that no parser accepts it. */
export const invalidJsonText = (valid: fc.Arbitrary<Obj>) =>
  fc
    .oneof(
      // A proper prefix of an object's text never closes it.
      valid.chain((body) => {
        const text = serialize(body);
        return fc.nat({ max: text.length - 1 }).map((end) => text.slice(0, end));
      }),
      // A value replaced by something that is not JSON.
      fc.tuple(valid, fc.constantFrom(...BROKEN_TOKENS), fc.nat()).map(([body, token, pick]) => {
        const keys = body.keys();
        const key = keys.length > 0 ? (keys[pick % keys.length] as string) : 'x';
        return serialize(body.set(key, new Raw(token)));
      }),
      // Something before or after a complete body.
      fc
        .tuple(
          valid,
          fc.constantFrom('x', ',', '}', '{}', ';', '\u0000', ")]}'\n", '\uFEFF\uFEFF'),
          fc.boolean(),
        )
        .map(([body, extra, before]) =>
          before ? `${extra}${serialize(body)}` : `${serialize(body)}${extra}`,
        ),
      fc.constantFrom('', ' ', '\n', 'null null', '{', '}', '[', '"', "{'a':1}", 'NaN', '\uFEFF'),
    )
    .map((text) => Buffer.from(text, 'utf8'))
    .filter((bytes) => !parseAsTheApiDoes(bytes).ok);

/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate, truncated, 0xFF. */
const INVALID_UTF8 = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc3, 0x28],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe4, 0xb8],
  [0xf0, 0x9f, 0x98],
  [0xf5, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xff, 0xfe],
].map((bytes) => Buffer.from(bytes));

/** The bytes of `valid` with a sequence that is not UTF-8 put in at any position. */
export const invalidUtf8Bytes = (valid: fc.Arbitrary<Obj>) =>
  fc
    .tuple(valid, fc.constantFrom(...INVALID_UTF8), fc.nat(), fc.boolean())
    .map(([body, bad, at, replace]) => {
      const bytes = Buffer.from(serialize(body), 'utf8');
      const position = at % (bytes.byteLength + 1);
      return Buffer.concat([
        bytes.subarray(0, position),
        bad,
        bytes.subarray(replace ? Math.min(bytes.byteLength, position + 1) : position),
      ]);
    })
    .filter((bytes) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        return false;
      } catch {
        return true;
      }
    });

/** Every text of a value, with a way to replace it. */
const textsOf = (
  value: Json,
  replace: (next: Json) => Json,
): { text: string; replace: (next: Json) => Json }[] => {
  if (typeof value === 'string') return [{ text: value, replace }];
  if (value instanceof Obj) {
    return value.entries.flatMap(([key, item], index) =>
      textsOf(item, (next) =>
        replace(new Obj(value.entries.map((entry, at) => (at === index ? [key, next] : entry)))),
      ),
    );
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      textsOf(item, (next) => replace(value.map((old, at) => (at === index ? next : old)))),
    );
  }
  return [];
};

/**
 * `valid` with an unpaired surrogate put into one of its texts: still well-formed JSON (JSON
 * writes it as `\ud800`), but no Unicode text.
 */
export const withUnpairedSurrogate = (valid: fc.Arbitrary<Obj>) =>
  fc
    .tuple(valid, fc.nat(), fc.nat(), fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'))
    .map(([body, pick, at, surrogate]) => {
      const texts = textsOf(body, (next) => next);
      const chosen = texts[pick % Math.max(1, texts.length)];
      if (!chosen) return body.append('note', surrogate);
      const position = at % (chosen.text.length + 1);
      // Not between the halves of a pair, which would pair it up.
      const before = chosen.text.slice(0, position).replace(/[\ud800-\udbff]$/, '');
      return chosen.replace(`${before}${surrogate}x${chosen.text.slice(position)}`);
    });

/** The API's body limit (functions/http/request.ts) and the local server's (API Gateway's). */
export const API_BODY_LIMIT = 256 * 1024;
export const SERVER_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * `valid` padded with whitespace past a limit: still valid JSON and valid for the route, so
 * only its size can be the reason for a refusal. Rarely beyond the server's own 10 MB.
 */
export const oversizedBytes = (valid: fc.Arbitrary<Obj>) =>
  fc
    .tuple(
      valid,
      fc.oneof(
        { weight: 40, arbitrary: fc.integer({ min: 1, max: 256 * 1024 }) },
        { weight: 1, arbitrary: fc.constant(SERVER_BODY_LIMIT) },
      ),
      fc.constantFrom(' ', '\n', '\t', '\r\n'),
    )
    .map(([body, over, space]) => {
      const text = serialize(body);
      const padding = Math.max(0, API_BODY_LIMIT - Buffer.byteLength(text) + over);
      return Buffer.from(`{${space.repeat(Math.ceil(padding / space.length))}${text.slice(1)}`);
    });

/** Content types the API does not take as JSON. */
export const NOT_JSON_CONTENT_TYPES = [
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'text/json',
  'text/html',
  'multipart/form-data; boundary=----fuzz',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/xml',
  'application/jsonp',
  'application/json5',
  'application/json-seq',
  'application/x-json',
  'application/jsonx; charset=utf-8',
  'image/png',
  'json',
  '*/*',
  'application/',
  'application/javascript',
  'ápplication/json',
] as const;

/** Content types the API does take as JSON, charset parameters notwithstanding. */
export const JSON_CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset=iso-8859-1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/vnd.api+json',
  'application/json ; x=y',
] as const;

/** Values of headers the API reads (Idempotency-Key, X-Correlation-Id) or should ignore. */
const headerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('', ' ', '\t', 'null', 'undefined', '../../etc/passwd', '%s%n%x'),
  fc.integer({ min: 1_000, max: 4_000 }).map((length) => 'k'.repeat(length)),
);

export interface HostileHeaders {
  headers: Record<string, string | string[]>;
  /** An Idempotency-Key other requests of the run may share (409 or 422 become possible). */
  sharedIdempotencyKey: boolean;
  chunked: boolean;
}

/**
 * Headers around a request: odd or missing Idempotency-Key (unique, shared, huge, repeated),
 * correlation ids, Accept, big padding, chunked bodies. At most 3 × 4 KB of them, so that with
 * the token they stay within Node's 16 KB header limit (beyond it Node itself answers 431).
 */
export const hostileHeaders: fc.Arbitrary<HostileHeaders> = fc
  .record({
    // A key costs two DynamoDB writes per request (an in-progress record, deleted again on the
    // error): about a third of the requests carry one, so that a run stays fast.
    idempotency: fc.oneof(
      { weight: 10, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        // Unbiased: fast-check favours small values, and two equal keys in flight would clash.
        arbitrary: fc
          .noBias(fc.uuid())
          .map((id) => ({ value: id as string | string[], shared: false })),
      },
      {
        weight: 2,
        arbitrary: headerText.map((value) => ({ value: value as string | string[], shared: true })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.noBias(fc.uuid()), fc.noBias(fc.uuid()))
          .map(([a, b]) => ({ value: [a, b] as string | string[], shared: false })),
      },
    ),
    correlation: fc.option(headerText, { nil: undefined }),
    accept: fc.option(fc.constantFrom('*/*', 'text/html', 'application/xml', 'image/*', ''), {
      nil: undefined,
    }),
    padding: fc.option(fc.integer({ min: 1, max: 4_000 }), { nil: undefined }),
    chunked: fc.boolean(),
  })
  .map(({ idempotency, correlation, accept, padding, chunked }) => ({
    headers: {
      ...(idempotency ? { 'idempotency-key': idempotency.value } : {}),
      ...(correlation !== undefined ? { 'x-correlation-id': correlation } : {}),
      ...(accept !== undefined ? { accept } : {}),
      ...(padding ? { 'x-fuzz-padding': 'p'.repeat(padding) } : {}),
    },
    sharedIdempotencyKey: idempotency?.shared ?? false,
    chunked,
  }));
