import fc from 'fast-check';

/**
 * Generators of input nobody should send: wrong types, huge and odd text, deep nesting, invalid UTF-8 and
 * JSON, path traversal, pathological formulas. Shared by the Fusion and GraphQL fuzz suites.
 */

/** Cases per property in `npm test`; FUZZ_RUNS raises it (npm run test:reliability). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0) || 1;
export const runs = (base: number) => Math.max(1, Math.round(base * FUZZ_RUNS));

const TRAVERSAL = [
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'C:\\Windows\\System32',
  'file:///etc/passwd',
  '%252e%252e%252f',
  '..;/',
];
const ODD = [
  '',
  ' ',
  '\u202e\u0645',
  '\ud800',
  'a\udfffb',
  '\uFEFF',
  '😀'.repeat(50),
  '\u0000',
  '%00',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, sent as text
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '-0',
  '1e400',
  '9999999999999999999999',
];

export const traversal = fc.constantFrom(...TRAVERSAL);

/** Percent-encodes every byte of `text`'s UTF-8 form but the unreserved ones (a lone surrogate goes as U+FFFD). */
export const pct = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Text of every kind: short random (any code unit), odd constants, path traversal, or very long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.constantFrom(...ODD), weight: 2 },
  { arbitrary: traversal, weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('x', '表', '😀', '\u0301'), fc.integer({ min: 1_000, max: 120_000 }))
      .map(([s, n]) => s.repeat(n)),
    weight: 1,
  },
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, -0),
);

/** Any JSON value, with hostile leaves. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** An array far longer than any limit. */
export const hugeArray = fc
  .tuple(fc.integer({ min: 1_001, max: 100_000 }), fc.constantFrom<unknown>(1, 'x', null, {}, []))
  .map(([n, item]) => Array.from({ length: n }, () => item));

/** JSON text nested far past any sane depth (a NUL escape at the bottom, so NUL scanners walk all of it). */
export const deepJsonText = fc
  .tuple(fc.integer({ min: 500, max: 300_000 }), fc.constantFrom('array', 'object'), fc.boolean())
  .map(([depth, kind, nul]) => {
    const leaf = nul ? '"a\\u0000b"' : '"x"';
    return kind === 'array'
      ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
  });

/** A request body that is not what a JSON route takes: invalid JSON text, invalid UTF-8, or nothing at all. */
export const brokenBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc
    .constantFrom('{', '{"records":', '[1,2', '{"a":1,}', "{'a':1}", 'NaN', '\u0000', '{"a":"\\ud800"}', '{"a":"\\x"}')
    .map((s) => Buffer.from(s)),
  // Invalid UTF-8: lone continuation bytes, overlong forms, surrogates encoded, truncated sequences.
  fc
    .array(fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xe0, 0xed, 0xa0, 0xf4, 0xf5, 0xff, 0xfe, 0x22, 0x7b, 0x7d), {
      minLength: 1,
      maxLength: 64,
    })
    .map((bytes) =>
      Buffer.concat([Buffer.from('{"records":[{"fields":{"Name":"'), Buffer.from(bytes), Buffer.from('"}}]}')]),
    ),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
);

export const wrongContentType = fc.constantFrom(
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/octet-stream',
  'application/vnd.api+json',
  'image/png',
  '*/*',
  ';;;',
);

const nest = (template: string, depth: number, inner: string) =>
  Array.from({ length: depth }).reduce<string>((x) => template.replaceAll('X', x), inner);

const FORMULA_PIECES = [
  '{Name}',
  '{Qty}',
  '{When}',
  '{Missing}',
  '1',
  '"a"',
  'TRUE()',
  'BLANK()',
  'NOW()',
  '1/0',
  '0/0',
  '1e308*1e308',
  '-1e308*10',
];

/** Formulas that are malformed or pathological: deep nesting, enormous literals, regex blow-ups, huge REPT, date overflow. */
export const hostileFormula: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    'REGEX_MATCH({Name}, "(a+)+$")',
    'REGEX_EXTRACT({Name}, "^(a|a)*$")',
    'REGEX_REPLACE(REPT("a", 50000), "(a*)*b", "x")',
    'REGEXMATCH({Name}, "(x+x+)+y")',
    'SEARCH("(a+)+$", REPT("a", 100000))',
    'SUBSTITUTE(REPT("a", 100000), "a", REPT("b", 100000))',
    'REPT("x", 1e15)',
    'REPT(REPT("ab", 100000), 100000)',
    'REPT("😀", 2147483647)',
    'LEN(REPT({Name}, 99999999999))',
    'DATEADD({When}, 1e300, "years")',
    'DATEADD({When}, -1e18, "days")',
    'DATEADD("9999-12-31", 1, "days")',
    'DATEADD(TODAY(), 2147483648, "seconds")',
    'DATETIME_DIFF("0001-01-01", "275760-09-13", "milliseconds")',
    'DATETIME_PARSE("99999999-99-99")',
    'DATETIME_FORMAT(DATEADD(NOW(), 1e20, "months"), "YYYY")',
    'WORKDAY({When}, 1e12)',
    'WORKDAY_DIFF("0001-01-01", "9999-12-31")',
    'YEAR(DATEADD({When}, 1e9, "years"))',
    'POWER(10, 400)',
    'POWER(-8, 1/3)',
    'MOD(1, 0)',
    'ROUND(1, 1e9)',
    'ROUND(1e308, -400)',
    'LOG(0)',
    'SQRT(-1)',
    'VALUE("1e400")',
    'MID({Name}, -1e18, 1e18)',
    'LEFT({Name}, 1e18)',
    'ARRAYJOIN(ARRAYUNIQUE({Missing}))',
    '{Name',
    '}{',
    '(((',
    ')))',
    '""""',
    '"\\',
    'IF(',
    'IF(1,2,3,4,5,6)',
    'SUM()',
    '1 +',
    '&&',
    '{Name} = = 1',
    '@@',
    '#REF!',
  ),
  // Enormous literals.
  fc.integer({ min: 5_000, max: 200_000 }).map((n) => `"${'a'.repeat(n)}" = {Name}`),
  fc.integer({ min: 400, max: 100_000 }).map((n) => `${'9'.repeat(n)} > {Qty}`),
  fc.integer({ min: 400, max: 20_000 }).map((n) => `{Qty} = 0.${'1'.repeat(n)}e${'9'.repeat(5)}`),
  // Deep nesting of several shapes.
  fc
    .tuple(
      fc.constantFrom(
        'LOWER(X)',
        'IF(X, 1, 0)',
        '(X)',
        '-X',
        '!X',
        'ABS(X)',
        'CONCATENATE(X, X)',
        'REPT(X, 2)',
        'X & X',
      ),
      fc.integer({ min: 10, max: 5_000 }),
      fc.constantFrom(...FORMULA_PIECES),
    )
    .map(([template, depth, inner]) =>
      nest(template, Math.min(depth, template.includes('X, X') || template.includes('X & X') ? 10 : depth), inner),
    ),
  // Random combinations.
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...FORMULA_PIECES),
        fc.constantFrom(' + ', ' & ', ' = ', ' > ', ' / ', ' * ', ' || ', ' && ', ', '),
      ),
      { minLength: 1, maxLength: 30 },
    )
    .chain((parts) =>
      fc
        .constantFrom('', 'SUM(', 'IF(', 'CONCATENATE(', 'DATEADD(', 'REPT(', 'AND(', 'DATETIME_FORMAT(', 'VALUE(')
        .map((fn) => `${fn}${parts.map(([a, op]) => a + op).join('')}1${fn ? ')' : ''}`),
    ),
);
