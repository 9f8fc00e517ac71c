/**
 * Property tests of the exposition: label values and sample values round-trip through both
 * formats, histograms bucket what they are given, and Canopy's text output parses to the
 * same samples as prom-client's for the same random data. A big random exposition also
 * goes through `promtool check metrics` once.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as prom from 'prom-client';
import { Registry } from './registry.js';
import { Counter } from './counter.js';
import { Histogram } from './histogram.js';
import { formatValue } from './format.js';
import type { LabelSpec, MetricSpec } from './spec.js';
import {
  parseOpenMetrics,
  parseText,
  parseValue,
  sampleMap,
  sameFloat,
  ExpositionError,
  type Exposition,
} from './testing/parse-exposition.js';
import { promtoolCheckMetrics, toolSkipReason } from './testing/fixture.js';

// A fixed seed keeps CI repeatable; FC_SEED=<n> explores other inputs.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261125) });

const PROMTOOL = '/usr/bin/promtool';

/** Characters that stress escaping and tokenising, plus multi-byte ones. */
const awkwardChar = fc.constantFrom(
  '\\',
  '"',
  '\n',
  'n',
  '\\n',
  '\t',
  '\r',
  '\u0000',
  '{',
  '}',
  ',',
  '=',
  ' ',
  '#',
  'a',
  'ü',
  '日',
  '😀',
  '\u2028',
  '\ufeff',
);
/** Arbitrary non-empty label values: any code points, awkward ones, or graphemes. */
const labelValue = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.string({ unit: awkwardChar, minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
);
/** Awkward floats are generated often by fc.double(); these are always tried too. */
const SPECIAL_FLOATS = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  1e300,
  1e21,
  1e-7,
  2 ** 53 + 2,
  0.1 + 0.2,
];
const anyFloat = fc.oneof(fc.double(), fc.constantFrom(...SPECIAL_FLOATS));

function render(r: Registry): { text: Exposition; om: Exposition } {
  return { text: parseText(r.render('text')), om: parseOpenMetrics(r.render('openmetrics')) };
}

describe('label values round-trip through both formats', () => {
  test('arbitrary enum values (series and exemplar labels) come back exactly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(labelValue, { minLength: 1, maxLength: 6 }),
        fc.string({ unit: awkwardChar, maxLength: 40 }),
        (values, note) => {
          const r = new Registry({ selfMetrics: false });
          const labels = { v: { kind: 'enum', values } } as const;
          const c = r.counter({
            type: 'counter',
            name: 'p_total',
            help: 'c',
            exemplars: true,
            labels,
          });
          const g = r.gauge({ type: 'gauge', name: 'p_level_value', help: 'g', labels });
          const h = r.histogram({
            type: 'histogram',
            name: 'p_latency_seconds',
            help: 'h',
            buckets: [1],
            exemplars: true,
            labels,
          });
          values.forEach((v, i) => {
            c.labels({ v }).inc(i, { note });
            g.labels({ v }).set(i);
            h.labels({ v }).observe(i, { note });
          });
          const { text, om } = render(r);
          for (const e of [text, om]) {
            const counter = e.samples.filter((s) => s.name === 'p_total');
            assert.deepEqual(
              counter.map((s) => s.labels['v']),
              values,
            );
            assert.deepEqual(
              counter.map((s) => s.value),
              values.map((_, i) => i),
            );
            const gauge = e.samples.filter((s) => s.name === 'p_level_value');
            assert.deepEqual(
              gauge.map((s) => [s.labels['v'], s.value]),
              values.map((v, i) => [v, i]),
            );
            const count = e.samples.filter((s) => s.name === 'p_latency_seconds_count');
            assert.deepEqual(
              count.map((s) => s.labels['v']),
              values,
            );
          }
          // Exemplars (OpenMetrics only) keep their awkward label value too.
          const ex = om.samples.filter((s) => s.exemplar !== undefined);
          assert.equal(ex.length, values.length * 2);
          for (const s of ex) assert.equal(s.exemplar!.labels['note'], note);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('sample values round-trip', () => {
  test('formatValue is canonical and parses back to the same float', () => {
    const check = (v: number): void => {
      const s = formatValue(v);
      const back = parseValue(s); // strict: NaN, +Inf, -Inf or JS's shortest decimal
      assert.ok(back !== undefined, `${v} formatted as non-canonical ${JSON.stringify(s)}`);
      // parseFloat semantics for decimals: the shortest round-trip decimal gives v back.
      if (Number.isFinite(v)) assert.ok(parseFloat(s) === v, `parseFloat(${s}) ≠ ${v}`);
      if (Number.isNaN(v)) assert.equal(s, 'NaN');
      if (v === Infinity) assert.equal(s, '+Inf');
      if (v === -Infinity) assert.equal(s, '-Inf');
      // Negative zero is written "0", as prom-client does; it compares equal to -0.
      assert.ok(Object.is(back, v) || (v === 0 && back === 0), `${v} came back as ${back}`);
    };
    for (const v of SPECIAL_FLOATS) check(v);
    fc.assert(fc.property(anyFloat, check), { numRuns: 2000 });
  });

  test('gauge, counter and histogram values survive both formats', () => {
    fc.assert(
      fc.property(
        fc.array(anyFloat, { minLength: 1, maxLength: 8 }),
        fc.array(fc.double({ min: 0, noNaN: true }), { maxLength: 8 }),
        (gaugeValues, increments) => {
          const r = new Registry({ selfMetrics: false });
          const g = r.gauge({
            type: 'gauge',
            name: 'p_value',
            help: 'g',
            labels: { i: { kind: 'enum', values: gaugeValues.map((_, i) => String(i)) } },
          });
          gaugeValues.forEach((v, i) => g.labels({ i: String(i) }).set(v));
          const c = r.counter({ type: 'counter', name: 'p_events_total', help: 'c' });
          let sum = 0;
          for (const n of increments) {
            c.labels().inc(n);
            sum += n;
          }
          const { text, om } = render(r);
          for (const e of [text, om]) {
            const got = e.samples.filter((s) => s.name === 'p_value').map((s) => s.value);
            assert.equal(got.length, gaugeValues.length);
            got.forEach((v, i) =>
              assert.ok(sameFloat(v, gaugeValues[i]!), `${v} ≠ ${gaugeValues[i]}`),
            );
            const total = e.samples.find((s) => s.name === 'p_events_total');
            assert.ok(total !== undefined && sameFloat(total.value, sum));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Strictly increasing finite bounds (0 and -0 count as one). */
const boundsArb = fc
  .uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), {
    minLength: 1,
    maxLength: 6,
    comparator: 'SameValueZero',
  })
  .map((a) => [...a].sort((x, y) => x - y));

describe('histogram buckets', () => {
  test('each bucket counts the observations ≤ its bound; NaN only reaches +Inf', () => {
    fc.assert(
      fc.property(
        boundsArb,
        fc.array(anyFloat, { maxLength: 30 }),
        fc.boolean(),
        (bounds, obs, exemplars) => {
          const r = new Registry({ selfMetrics: false });
          const h = r.histogram({
            type: 'histogram',
            name: 'p_size_bytes',
            help: 'h',
            buckets: bounds,
            exemplars,
          });
          for (const v of obs) h.labels().observe(v, exemplars ? { trace_id: 'abc' } : undefined);
          const e = parseText(r.render('text')); // also checks cumulative, +Inf, _count
          const buckets = e.samples.filter((s) => s.name === 'p_size_bytes_bucket');
          assert.equal(buckets.length, bounds.length + 1);
          buckets.forEach((b, i) => {
            const le = parseValue(b.labels['le']!)!;
            if (i < bounds.length) {
              assert.ok(le === bounds[i], `le=${b.labels['le']} for bound ${bounds[i]}`);
              assert.equal(b.value, obs.filter((v) => v <= le).length, `le=${b.labels['le']}`);
            } else {
              assert.equal(b.labels['le'], '+Inf');
              assert.equal(b.value, obs.length);
            }
          });
          const sum = e.samples.find((s) => s.name === 'p_size_bytes_sum');
          assert.ok(sum !== undefined);
          assert.ok(
            sameFloat(
              sum.value,
              obs.reduce((a, b) => a + b, 0),
            ),
          );
          parseOpenMetrics(r.render('openmetrics'));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// Canopy vs prom-client on the same random data.

interface Op {
  readonly combo: readonly number[];
  readonly kind: 'inc' | 'dec' | 'set' | 'observe';
  readonly value: number;
}

interface Model {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labels: ReadonlyArray<{ readonly name: string; readonly values: readonly string[] }>;
  readonly buckets: readonly number[];
  readonly ops: readonly Op[];
}

const LABEL_NAMES = ['direction', 'reason', 'kind', 'result', 'phase', 'actor'] as const;

function opArb(m: Omit<Model, 'ops'>): fc.Arbitrary<Op> {
  const combo = fc.tuple(...m.labels.map((l) => fc.nat({ max: l.values.length - 1 })));
  // prom-client throws on what Canopy ignores (negative, NaN or infinite increments and
  // non-finite observations), so the shared data stays inside what both accept.
  switch (m.type) {
    case 'counter':
      return fc.record({
        combo,
        kind: fc.constant('inc' as const),
        value: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
      });
    case 'gauge':
      return fc.record({ combo, kind: fc.constantFrom('inc', 'dec', 'set'), value: anyFloat });
    case 'histogram':
      return fc.record({
        combo,
        kind: fc.constant('observe' as const),
        value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      });
  }
}

const modelArb: fc.Arbitrary<Model> = fc
  .record({
    type: fc.constantFrom('counter', 'gauge', 'histogram'),
    help: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }),
    labels: fc
      .uniqueArray(fc.constantFrom(...LABEL_NAMES), { maxLength: 2 })
      .chain((names) =>
        fc.tuple(
          ...names.map((name) =>
            fc
              .uniqueArray(labelValue, { minLength: 1, maxLength: 3 })
              .map((values) => ({ name, values })),
          ),
        ),
      ),
    buckets: boundsArb,
  })
  .filter((m) => m.help.trim() !== '')
  .chain((m) => fc.array(opArb(m), { maxLength: 10 }).map((ops) => ({ ...m, ops })));

function metricName(m: Model, i: number): string {
  return `prop_series${i}` + (m.type === 'counter' ? '_total' : '');
}

function canopySpec(m: Model, i: number): MetricSpec {
  const labels: Record<string, LabelSpec> = {};
  for (const l of m.labels) labels[l.name] = { kind: 'enum', values: l.values };
  const base = { name: metricName(m, i), help: m.help, labels };
  return m.type === 'histogram'
    ? { ...base, type: 'histogram', buckets: m.buckets }
    : { ...base, type: m.type };
}

function labelObject(m: Model, op: Op): Record<string, string> {
  const o: Record<string, string> = {};
  m.labels.forEach((l, j) => (o[l.name] = l.values[op.combo[j]!]!));
  return o;
}

function applyCanopy(r: Registry, models: readonly Model[]): void {
  models.forEach((m, i) => {
    const metric = r.register(canopySpec(m, i));
    for (const op of m.ops) {
      const labels = labelObject(m, op);
      if (metric instanceof Counter) metric.labels(labels).inc(op.value);
      else if (metric instanceof Histogram) metric.labels(labels).observe(op.value);
      else if (op.kind === 'inc') metric.labels(labels).inc(op.value);
      else if (op.kind === 'dec') metric.labels(labels).dec(op.value);
      else metric.labels(labels).set(op.value);
    }
  });
}

function applyPromClient(reg: prom.Registry, models: readonly Model[]): void {
  models.forEach((m, i) => {
    const common = {
      name: metricName(m, i),
      help: m.help,
      labelNames: m.labels.map((l) => l.name),
      registers: [reg],
    };
    if (m.type === 'counter') {
      const c = new prom.Counter(common);
      for (const op of m.ops) c.inc(labelObject(m, op), op.value);
    } else if (m.type === 'gauge') {
      const g = new prom.Gauge(common);
      for (const op of m.ops) {
        const labels = labelObject(m, op);
        if (op.kind === 'inc') g.inc(labels, op.value);
        else if (op.kind === 'dec') g.dec(labels, op.value);
        else g.set(labels, op.value);
      }
    } else {
      const h = new prom.Histogram({ ...common, buckets: [...m.buckets] });
      for (const op of m.ops) h.observe(labelObject(m, op), op.value);
    }
  });
}

/** Families that have samples, as name → "type help". */
function familiesWithSamples(e: Exposition): Map<string, string> {
  return new Map(
    e.families.filter((f) => f.samples.length > 0).map((f) => [f.name, `${f.type} ${f.help}`]),
  );
}

describe('Canopy and prom-client agree', () => {
  test('same random data → the same (name, labels, value) samples and families', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(modelArb, { minLength: 1, maxLength: 5 }), async (models) => {
        const canopy = new Registry({ selfMetrics: false });
        applyCanopy(canopy, models);
        const reg = new prom.Registry();
        applyPromClient(reg, models);
        const ours = parseText(canopy.render('text'));
        // prom-client spells NaN "Nan", which Prometheus (Go's ParseFloat) accepts, and puts
        // blank lines between families, which the text format allows.
        const theirs = parseText(await reg.metrics(), {
          lenientValues: true,
          allowBlankLines: true,
        });
        const a = sampleMap(ours);
        const b = sampleMap(theirs);
        assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
        for (const [k, v] of a) assert.ok(sameFloat(v, b.get(k)!), `${k}: ${v} vs ${b.get(k)}`);
        // prom-client also prints HELP/TYPE of labelled metrics that have no series yet.
        assert.deepEqual(familiesWithSamples(ours), familiesWithSamples(theirs));
      }),
      { numRuns: 150 },
    );
  });
});

describe('promtool on a big random exposition', { skip: toolSkipReason(PROMTOOL) }, () => {
  test('hundreds of generated metrics have no findings', () => {
    const models = fc.sample(modelArb, { numRuns: 300, seed: 20240611 });
    const r = new Registry();
    applyCanopy(r, models);
    const text = r.render('text');
    const e = parseText(text);
    assert.ok(e.samples.length > 1000, `${e.samples.length} samples`);
    parseOpenMetrics(r.render('openmetrics'));
    const res = promtoolCheckMetrics(text, PROMTOOL);
    assert.equal(res.error, undefined, String(res.error));
    assert.deepEqual([res.status, res.stdout, res.stderr], [0, '', '']);
  });
});

describe('the strict test parser rejects what it should', () => {
  const text = (body: string): string => `# HELP a x\n# TYPE a gauge\n${body}`;
  const om = (body: string): string => `# TYPE a counter\n# HELP a x\n${body}# EOF\n`;
  const hist = (body: string): string => `# HELP h x\n# TYPE h histogram\n${body}`;
  const badText: Array<[string, string]> = [
    ['no final newline', '# HELP a x\n# TYPE a gauge\na 1'],
    ['blank line', text('a 1\n\n')],
    ['free comment', text('# hello\na 1\n')],
    ['sample without TYPE', 'a 1\n'],
    ['trailing comma', text('a{b="c",} 1\n')],
    ['invalid escape', text('a{b="\\t"} 1\n')],
    ['unterminated value', text('a{b="c} 1\n')],
    ['duplicate label', text('a{b="c",b="d"} 1\n')],
    ['duplicate series', text('a{b="c"} 1\na{b="c"} 2\n')],
    ['two spaces', text('a  1\n')],
    ['non-canonical value', text('a 1.0\n')],
    ['prom-client NaN in strict mode', text('a Nan\n')],
    ['exemplar in text', text('a 1 # {t="x"} 1\n')],
    ['sample of another family', text('b 1\n')],
    ['family not contiguous', text('a 1\n# HELP b x\n# TYPE b gauge\nb 1\n# HELP a y\n')],
    [
      'histogram not cumulative',
      hist('h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ],
    ['histogram without +Inf', hist('h_bucket{le="1"} 1\nh_sum 1\nh_count 1\n')],
    [
      'histogram count mismatch',
      hist('h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'),
    ],
    ['negative counter', '# HELP c_total x\n# TYPE c_total counter\nc_total -1\n'],
  ];
  const badOm: Array<[string, string]> = [
    ['missing EOF', '# TYPE a counter\na_total 1\n'],
    ['content after EOF', om('a_total 1\n') + 'a_total 2\n'],
    ['counter sample without _total', om('a 1\n')],
    ['unit not a suffix', '# TYPE a counter\n# UNIT a seconds\na_total 1\n# EOF\n'],
    ['metric points interleaved', om('a_total{x="1"} 1\na_total{x="2"} 1\na_created{x="1"} 1\n')],
    ['exemplar on _created', om('a_total 1\na_created 1 # {t="x"} 1\n')],
    ['exemplar too long', om(`a_total 1 # {t="${'x'.repeat(128)}"} 1\n`)],
    ['exemplar label name invalid', om('a_total 1 # {t-x="x"} 1\n')],
  ];
  test('malformed text format is rejected', () => {
    for (const [why, input] of badText)
      assert.throws(() => parseText(input), ExpositionError, `accepted: ${why}`);
    // …and the well-formed counterparts are accepted.
    parseText(text('a{b="c\\\\ \\" \\n"} 1\n'));
    parseText(text('a NaN\n'));
    parseText(text('a Nan\n'), { lenientValues: true });
  });
  test('malformed OpenMetrics is rejected', () => {
    for (const [why, input] of badOm)
      assert.throws(() => parseOpenMetrics(input), ExpositionError, `accepted: ${why}`);
    parseOpenMetrics(om(`a_total 1 # {t="${'x'.repeat(127)}"} 1 1.5\na_created 1\n`));
  });
});
