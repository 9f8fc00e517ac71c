import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatOf,
  parseExposition,
  parseFloatValue,
  parseOpenMetrics,
  parseText,
  ParseError,
  type Exposition,
  type ParseOptions,
} from './parse.js';

/** `name{labels} value[@ts]` per sample, labels sorted, for compact comparisons. */
function show(e: Exposition): string[] {
  return e.samples.map((s) => {
    const l = Object.keys(s.labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
      .join(',');
    return `${s.name}{${l}} ${Object.is(s.value, -0) ? '-0' : String(s.value)}${
      s.timestampMs === undefined ? '' : '@' + s.timestampMs
    }`;
  });
}

interface Good {
  readonly name: string;
  readonly om: boolean;
  readonly body: string;
  readonly samples: readonly string[];
  readonly meta?: Record<string, [string, string, string]>;
}

const good: readonly Good[] = [
  {
    name: 'text: counter with timestamps, runs of blanks',
    om: false,
    body:
      '# HELP http_requests_total The total number of HTTP requests.\n' +
      '# TYPE http_requests_total counter\n' +
      'http_requests_total{method="post",code="200"} 1027 1395066363000\n' +
      'http_requests_total{method="post",code="400"}    3   1395066363000\n',
    samples: [
      'http_requests_total{code="200",method="post"} 1027@1395066363000',
      'http_requests_total{code="400",method="post"} 3@1395066363000',
    ],
    meta: { http_requests_total: ['counter', 'The total number of HTTP requests.', ''] },
  },
  {
    name: 'text: escapes in label values and HELP',
    om: false,
    body:
      '# HELP msdos_file_access_time_seconds Line one\\nwith \\\\ backslash.\n' +
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9\n',
    samples: [
      'msdos_file_access_time_seconds{error="Cannot find file:\\n\\"FILE.TXT\\"",path="C:\\\\DIR\\\\FILE.TXT"} 1458255915',
    ],
    meta: {
      msdos_file_access_time_seconds: ['unknown', 'Line one\nwith \\ backslash.', ''],
    },
  },
  {
    name: 'text: special values, any spelling Go accepts',
    om: false,
    body: 'a 1e-3\nb NaN\nc +Inf\nd -Inf\ne Nan\nf -0\ng .5\nh 5.\ni inf\nj +12\n',
    samples: [
      'a{} 0.001',
      'b{} NaN',
      'c{} Infinity',
      'd{} -Infinity',
      'e{} NaN',
      'f{} -0',
      'g{} 0.5',
      'h{} 5',
      'i{} Infinity',
      'j{} 12',
    ],
  },
  {
    name: 'text: blank lines, free comments, blanks inside braces, trailing comma',
    om: false,
    body: '\n# just a comment\n   \nx{ a = "1" , b="2", } 7\n\ny{} 8\n# TYPE z gauge\nz 9',
    samples: ['x{a="1",b="2"} 7', 'y{} 8', 'z{} 9'],
    meta: { z: ['gauge', '', ''] },
  },
  {
    name: 'text: empty label values are no labels; untyped is unknown',
    om: false,
    body: '# TYPE a untyped\na{b="",c="x"} 1\n',
    samples: ['a{c="x"} 1'],
    meta: { a: ['unknown', '', ''] },
  },
  {
    name: 'text: histogram and summary',
    om: false,
    body:
      '# TYPE h histogram\n' +
      'h_bucket{le="0.1"} 1\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 3\nh_sum 1.5\nh_count 3\n' +
      '# TYPE s summary\n' +
      's{quantile="0.5"} 0.2\ns{quantile="0.99"} 0.9\ns_sum 12\ns_count 40\n',
    samples: [
      'h_bucket{le="0.1"} 1',
      'h_bucket{le="1"} 2',
      'h_bucket{le="+Inf"} 3',
      'h_sum{} 1.5',
      'h_count{} 3',
      's{quantile="0.5"} 0.2',
      's{quantile="0.99"} 0.9',
      's_sum{} 12',
      's_count{} 40',
    ],
    meta: { h: ['histogram', '', ''], s: ['summary', '', ''] },
  },
  {
    name: 'text: families need not be contiguous',
    om: false,
    body: '# TYPE a gauge\na{x="1"} 1\nb 2\na{x="2"} 3\n',
    samples: ['a{x="1"} 1', 'b{} 2', 'a{x="2"} 3'],
    meta: { a: ['gauge', '', ''] },
  },
  {
    name: 'openmetrics: counter, _created dropped, exemplar ignored, seconds → ms, unit',
    om: true,
    body:
      '# TYPE req counter\n' +
      '# UNIT req \n' +
      '# HELP req Requests with a \\"quote\\".\n' +
      'req_total{path="/"} 5 1700000000.123 # {trace_id="abc"} 1 1700000000\n' +
      'req_created{path="/"} 1690000000\n' +
      '# TYPE lat_seconds histogram\n' +
      '# UNIT lat_seconds seconds\n' +
      'lat_seconds_bucket{le="0.5"} 1 # {trace_id="x"} 0.3\n' +
      'lat_seconds_bucket{le="+Inf"} 2\n' +
      'lat_seconds_count 2\n' +
      'lat_seconds_sum 1.1\n' +
      'lat_seconds_created 1690000000\n' +
      '# TYPE build info\n' +
      'build_info{version="1.0"} 1\n' +
      '# TYPE feature stateset\n' +
      'feature{feature="a"} 1\nfeature{feature="b"} 0\n' +
      '# TYPE q gaugehistogram\n' +
      'q_bucket{le="+Inf"} 4\nq_gcount 4\nq_gsum 9\n' +
      'loose 3\n' +
      '# EOF\n',
    samples: [
      'req_total{path="/"} 5@1700000000123',
      'lat_seconds_bucket{le="0.5"} 1',
      'lat_seconds_bucket{le="+Inf"} 2',
      'lat_seconds_count{} 2',
      'lat_seconds_sum{} 1.1',
      'build_info{version="1.0"} 1',
      'feature{feature="a"} 1',
      'feature{feature="b"} 0',
      'q_bucket{le="+Inf"} 4',
      'q_gcount{} 4',
      'q_gsum{} 9',
      'loose{} 3',
    ],
    meta: {
      req: ['counter', 'Requests with a "quote".', ''],
      lat_seconds: ['histogram', '', 'seconds'],
      build: ['info', '', ''],
      feature: ['stateset', '', ''],
      q: ['gaugehistogram', '', ''],
    },
  },
  {
    name: 'openmetrics: # EOF without a final newline',
    om: true,
    body: '# TYPE g gauge\ng{a="b"} -1.5e3\n# EOF',
    samples: ['g{a="b"} -1500'],
    meta: { g: ['gauge', '', ''] },
  },
];

for (const c of good) {
  test(`parses ${c.name}`, () => {
    const e = c.om ? parseOpenMetrics(c.body) : parseText(c.body);
    assert.deepEqual(show(e), c.samples);
    const meta: Record<string, [string, string, string]> = {};
    for (const [k, m] of e.metadata) meta[k] = [m.type, m.help, m.unit];
    assert.deepEqual(meta, c.meta ?? {});
  });
}

interface Bad {
  readonly om: boolean;
  readonly body: string;
  readonly line: number;
  readonly message: string;
  readonly options?: ParseOptions;
}

const bad: readonly Bad[] = [
  { om: false, body: 'a 1\nfoo{a="b"} abc\n', line: 2, message: 'invalid value "abc"' },
  {
    om: false,
    body: 'a 1\n\nfoo{a="b" 1\n',
    line: 3,
    message: 'expected , or } after the value of label a',
  },
  {
    om: false,
    body: 'foo{a="\\x"} 1\n',
    line: 1,
    message: 'invalid escape sequence \\x in the value of label a',
  },
  { om: false, body: 'foo{a="x} 1\n', line: 1, message: 'unterminated value of label a' },
  { om: false, body: 'foo{a="1",a="2"} 1\n', line: 1, message: 'duplicate label a' },
  { om: false, body: 'foo{__x="1"} 1\n', line: 1, message: 'label name __x is reserved' },
  { om: false, body: 'foo{1a="1"} 1\n', line: 1, message: 'expected a label name' },
  {
    om: false,
    body: '{"foo.bar"} 1\n',
    line: 1,
    message: 'quoted UTF-8 metric names are not supported',
  },
  { om: false, body: '9foo 1\n', line: 1, message: 'expected a metric name' },
  { om: false, body: 'a\n', line: 1, message: 'expected a value after the series' },
  {
    om: false,
    body: 'a 1 1.5\n',
    line: 1,
    message: 'invalid timestamp "1.5" (expected integer milliseconds)',
  },
  { om: false, body: 'a 1 # {x="y"} 1\n', line: 1, message: 'invalid timestamp "#"' },
  { om: false, body: 'a 1 2 3\n', line: 1, message: 'unexpected text after the timestamp' },
  { om: false, body: 'a 1\nb 1\na 2\n', line: 3, message: 'duplicate series a (first on line 1)' },
  {
    om: false,
    body: 'a{x="1",y="2"} 1\na{y="2",x="1"} 1\n',
    line: 2,
    message: 'duplicate series a{x="1",y="2"} (first on line 1)',
  },
  { om: false, body: 'a{x=""} 1\na 1\n', line: 2, message: 'duplicate series a (first on line 1)' },
  {
    om: false,
    body: '# TYPE h histogram\nh_bucket{a="1",le="1"} 1\nh_bucket{a="2",le="+Inf"} 1\nh_count{a="1"} 1\n',
    line: 2,
    message: 'histogram h{a="1"} has no +Inf bucket',
  },
  {
    om: false,
    body: '# TYPE h histogram\nh_sum 1\nh_count 1\n',
    line: 2,
    message: 'histogram h has no +Inf bucket',
  },
  {
    om: false,
    body: '# TYPE h histogram\nh_bucket 1\n',
    line: 2,
    message: 'histogram bucket h_bucket without an le label',
  },
  {
    om: false,
    body: '# TYPE h histogram\nh_bucket{le="x"} 1\n',
    line: 2,
    message: 'le="x" is not a number',
  },
  {
    om: false,
    body: 'a 1\n# TYPE a gauge\n',
    line: 2,
    message: 'TYPE line for a after its samples',
  },
  {
    om: false,
    body: '# TYPE a gauge\n# TYPE a counter\n',
    line: 2,
    message: 'second TYPE line for a',
  },
  { om: false, body: '# HELP a x\n# HELP a y\n', line: 2, message: 'second HELP line for a' },
  {
    om: false,
    body: '# TYPE a gaugehistogram\n',
    line: 1,
    message: 'unknown metric type "gaugehistogram"',
  },
  { om: false, body: '# TYPE\n', line: 1, message: 'TYPE without a metric name' },
  {
    om: false,
    body: 'a{b="1",c="2"} 1\n',
    line: 1,
    message: 'label_limit exceeded (metric: a, number of labels: 3, limit: 2)',
    options: { limits: { labelLimit: 2 } },
  },
  {
    om: false,
    body: 'a{bbbbb="1"} 1\n',
    line: 1,
    message: 'label_name_length_limit exceeded (metric: a, label name: bbbbb, length: 5, limit: 4)',
    options: { limits: { labelNameLengthLimit: 4 } },
  },
  {
    om: false,
    body: 'a{b="ééé"} 1\n',
    line: 1,
    message:
      'label_value_length_limit exceeded (metric: a, label name: b, value: "ééé", length: 6, limit: 5)',
    options: { limits: { labelValueLengthLimit: 5 } },
  },
  {
    om: true,
    body: '# TYPE a gauge\na 1\n',
    line: 2,
    message: 'missing # EOF at the end of the body',
  },
  { om: true, body: 'a 1\n# EOF\nb 1\n', line: 3, message: 'content after # EOF' },
  { om: true, body: 'a 1\n# EOF\n\n', line: 3, message: 'content after # EOF' },
  {
    om: true,
    body: 'a 1\n\nb 1\n# EOF\n',
    line: 2,
    message: 'blank line (not allowed in OpenMetrics)',
  },
  { om: true, body: '# hello\n# EOF\n', line: 1, message: 'OpenMetrics has no free comments' },
  { om: true, body: 'a  1\n# EOF\n', line: 1, message: 'expected a value' },
  { om: true, body: 'a{b="1",} 1\n# EOF\n', line: 1, message: 'expected a label name' },
  { om: true, body: 'a{b = "1"} 1\n# EOF\n', line: 1, message: 'expected = after label b' },
  {
    om: true,
    body: '# TYPE a counter\na 1\n# EOF\n',
    line: 2,
    message: 'sample a does not fit the counter a (expected a_total, a_created)',
  },
  {
    om: true,
    body: '# TYPE a_bytes gauge\n# UNIT a_bytes seconds\n# EOF\n',
    line: 2,
    message: 'must end in _seconds',
  },
  {
    om: true,
    body: 'a 1 # {x="y"}\n# EOF\n',
    line: 1,
    message: 'expected a space before the exemplar value',
  },
  { om: true, body: 'a 1 abc\n# EOF\n', line: 1, message: 'invalid timestamp "abc"' },
  {
    om: true,
    body: '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 1\n# EOF\n',
    line: 2,
    message: 'histogram h has no +Inf bucket',
  },
];

for (const c of bad) {
  test(`rejects (${c.om ? 'openmetrics' : 'text'}) ${JSON.stringify(c.body.slice(0, 40))}`, () => {
    const run = (): unknown =>
      c.om ? parseOpenMetrics(c.body, c.options) : parseText(c.body, c.options);
    assert.throws(run, (e: unknown) => {
      assert.ok(e instanceof ParseError, String(e));
      assert.equal(e.line, c.line, e.message);
      assert.ok(e.message.startsWith(`line ${c.line}: `), e.message);
      assert.ok(e.message.includes(c.message), `${e.message}\n  should include ${c.message}`);
      return true;
    });
  });
}

test('the error names the offending line text', () => {
  assert.throws(() => parseText('a 1\nb{c="d"} zz\n'), {
    message: 'line 2: invalid value "zz": "b{c=\\"d\\"} zz"',
  });
});

test('formatOf picks OpenMetrics only for application/openmetrics-text', () => {
  assert.equal(
    formatOf('application/openmetrics-text; version=1.0.0; charset=utf-8'),
    'openmetrics',
  );
  assert.equal(formatOf('Application/OpenMetrics-Text;version=0.0.1'), 'openmetrics');
  assert.equal(formatOf('text/plain; version=0.0.4; charset=utf-8'), 'text');
  assert.equal(formatOf('text/html'), 'text');
  assert.equal(formatOf(undefined), 'text');
  const om = parseExposition('a_total 1\n# EOF\n', 'application/openmetrics-text');
  assert.equal(om.format, 'openmetrics');
  assert.throws(() => parseExposition('a 1\n', 'application/openmetrics-text'), /missing # EOF/);
});

test('parseFloatValue follows Go ParseFloat for decimals', () => {
  const cases: [string, number | undefined][] = [
    ['1', 1],
    ['-1.5e-3', -0.0015],
    ['1E3', 1000],
    ['Inf', Infinity],
    ['-infinity', -Infinity],
    ['', undefined],
    ['0x10', undefined],
    ['1_000', undefined],
    ['1e', undefined],
    ['--1', undefined],
    ['+NaN', undefined],
    ['Infinite', undefined],
  ];
  for (const [s, v] of cases) assert.equal(parseFloatValue(s), v, s);
  assert.ok(Number.isNaN(parseFloatValue('nan')));
});

test('sample keys identify series whatever the label order or escaping', () => {
  const e = parseText('a{x="1",y="2"} 1\nb{y="2",x="1"} 1\nc{x="a\\"b"} 1\n');
  const [a, b, c] = e.samples;
  assert.equal(a!.key.slice(1), b!.key.slice(1));
  assert.equal(c!.labels['x'], 'a"b');
  assert.equal(a!.line, 1);
  assert.equal(c!.line, 3);
});

test('a large body parses quickly', () => {
  let body = '# TYPE m gauge\n';
  for (let i = 0; i < 100_000; i++)
    body += `m{service="relay",instance="host:${i % 100}",id="${i}"} ${i * 1.5}\n`;
  const t0 = performance.now();
  const e = parseText(body);
  const ms = performance.now() - t0;
  assert.equal(e.samples.length, 100_000);
  // ~6 MB; generous bound so slow CI machines pass, tight enough to catch a quadratic bug.
  assert.ok(ms < 3000, `took ${ms} ms`);
});

test('histogram points are found whatever the label order, spacing or position of le', () => {
  const body =
    '# TYPE h histogram\n' +
    'h_bucket{a="x",le="0.5",z="y"} 1\nh_bucket{a="x", le="+Inf", z="y"} 2\nh_count{z="y",a="x"} 2\n' +
    'h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 3\n' +
    'h_bucket{le="1",z="q"} 1\nh_bucket{z="q",le="+Inf"} 1\n' +
    'h_bucket{a="w",le="1"} 1\nh_bucket{le="+Inf",a="w"} 1\nh_sum{a="w",b=""} 1\n';
  assert.equal(parseText(body).samples.length, 11);
  assert.throws(
    () =>
      parseText(
        '# TYPE h histogram\nh_bucket{a="x",le="1",z="y"} 1\nh_bucket{a="x",le="+Inf",z="other"} 1\n',
      ),
    { message: 'line 2: histogram h{a="x",z="y"} has no +Inf bucket' },
  );
});

test('keys are canonical: label order, blanks, trailing commas and empty values do not matter', () => {
  const e = parseText(
    'a{x="1",y="2"} 1\nb{y="2",x="1"} 1\nc { x = "1" , y="2", } 1\nd{x="1",e="",y="2"} 1\n' +
      'f{x="q\\"\\\\\\n"} 1\ng{} 1\n',
  );
  assert.deepEqual(
    e.samples.map((s) => s.key),
    [
      'a{x="1",y="2"}',
      'b{x="1",y="2"}',
      'c{x="1",y="2"}',
      'd{x="1",y="2"}',
      'f{x="q\\"\\\\\\n"}',
      'g',
    ],
  );
  assert.deepEqual(e.samples[3]!.labels, { x: '1', y: '2' });
  assert.equal(e.samples[4]!.labels['x'], 'q"\\\n');
  assert.deepEqual(e.samples[5]!.labels, {});
  assert.deepEqual(Object.keys(e.samples[1]!.labels), ['x', 'y']);
  // the scraper finds duplicates itself and may turn the parser's check off
  assert.equal(parseText('a 1\na 1\n', { duplicates: false }).samples.length, 2);
});

test('a TYPE line between samples of the same name re-resolves the family', () => {
  const e = parseText('x_sum 1\n# TYPE y gauge\ny 2\nx_sum 3\n', { duplicates: false });
  assert.deepEqual(
    e.samples.map((s) => s.value),
    [1, 2, 3],
  );
});
