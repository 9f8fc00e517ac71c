/**
 * Conformance of the exposition formats: the text format passes `promtool check metrics`
 * without a single finding, and both formats pass a strict line-by-line parser
 * (OpenMetrics: `# EOF`, `_created`, exemplar syntax, family names without `_total`).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';
import { MetricDefinitionError } from './validate.js';
import {
  parseOpenMetrics,
  parseText,
  labelsKey,
  seriesKey,
  sameFloat,
  type Exposition,
  type Family,
  type Sample,
} from './testing/parse-exposition.js';
import {
  buildConformanceRegistry,
  isVolatileFamily,
  promtoolCheckMetrics,
  toolSkipReason,
  GAUGE_VALUES,
  TRICKY_VALUES,
  EXEMPLAR_TRACE,
  EXEMPLAR_TRICKY,
} from './testing/fixture.js';

const PROMTOOL = '/usr/bin/promtool';
const skipPromtool = toolSkipReason(PROMTOOL);

function family(e: Exposition, name: string): Family {
  const f = e.families.find((x) => x.name === name);
  assert.ok(f !== undefined, `family ${name} is missing`);
  return f;
}

function samplesNamed(e: Exposition, name: string): Sample[] {
  return e.samples.filter((s) => s.name === name);
}

describe('promtool check metrics', { skip: skipPromtool }, () => {
  test('the text exposition of a broad registry has no findings', () => {
    const text = buildConformanceRegistry().render('text');
    const r = promtoolCheckMetrics(text, PROMTOOL);
    assert.equal(r.error, undefined, `promtool did not run: ${String(r.error)}`);
    assert.equal(r.stdout, '', 'promtool printed findings on stdout');
    assert.equal(r.stderr, '', 'promtool printed findings on stderr');
    assert.equal(r.status, 0, 'promtool exited non-zero');
  });

  test('a registry with self-metrics only, and an empty one, have no findings', () => {
    for (const reg of [new Registry(), new Registry({ selfMetrics: false })]) {
      const r = promtoolCheckMetrics(reg.render('text'), PROMTOOL);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
    }
  });
});

describe('text format, strictly parsed', () => {
  const text = buildConformanceRegistry().render('text');
  const e = parseText(text);

  test('HELP and TYPE name the full metric (counters keep _total)', () => {
    const f = family(e, 'conf_transfer_bytes_total');
    assert.equal(f.type, 'counter');
    assert.equal(f.help, 'Bytes moved, with "quotes", a back\\slash and a\nnewline in the help.');
    assert.match(
      text,
      /^# HELP conf_transfer_bytes_total Bytes moved, with "quotes", a back\\\\slash and a\\nnewline in the help\.$/m,
    );
    assert.match(text, /^# TYPE conf_transfer_bytes_total counter$/m);
    assert.doesNotMatch(text, /_created/, 'the text format carries no _created samples');
    assert.doesNotMatch(text, / # \{/, 'the text format carries no exemplars');
  });

  test('awkward gauge values come back exactly', () => {
    for (const [k, v] of GAUGE_VALUES) {
      const [s, ...rest] = samplesNamed(e, 'conf_values').filter((x) => x.labels['case'] === k);
      assert.ok(s !== undefined && rest.length === 0, `one sample for case=${k}`);
      assert.ok(sameFloat(s.value, v), `case=${k}: got ${s.rawValue}, want ${v}`);
    }
    const fill = samplesNamed(e, 'conf_fill_ratio');
    assert.deepEqual(
      fill.map((s) => s.rawValue),
      ['-0.25'],
    );
  });

  test('awkward label values come back exactly', () => {
    const got = samplesNamed(e, 'conf_temperature_celsius').map((s) => s.labels['weird']);
    assert.deepEqual(got, [...TRICKY_VALUES]);
    const bytes = samplesNamed(e, 'conf_transfer_bytes_total');
    const inWeird = bytes
      .filter((s) => s.labels['direction'] === 'in')
      .map((s) => s.labels['weird']);
    assert.deepEqual(inWeird, [...TRICKY_VALUES]);
    assert.ok(
      bytes.some((s) => s.labels['direction'] === 'other' && s.labels['weird'] === 'other'),
      'unknown enum values fold into other',
    );
  });

  test('bucket and top-K labels render as declared', () => {
    const got = samplesNamed(e, 'conf_peer_events_total').map(
      (s) => `${s.labels['namespace']}/${s.labels['size']}=${s.rawValue}`,
    );
    assert.deepEqual(got.sort(), [
      'alpha/10=2',
      'alpha/1=1',
      'beta/+Inf=3',
      'other/100=4',
      'other/other=5',
    ]);
  });

  test('histograms are cumulative, end in +Inf and count what was observed', () => {
    const put = (le: string): string | undefined =>
      samplesNamed(e, 'conf_write_duration_seconds_bucket').find(
        (s) => s.labels['op'] === 'put' && s.labels['le'] === le,
      )?.rawValue;
    // -1, 0, 0.001 ≤ 0.001 < 0.0010000000000000002 ≤ 0.01 < 0.05, 0.1 ≤ 0.1 < 2, 10 ≤ 10 < 11, 1e300
    assert.deepEqual(['0.001', '0.01', '0.1', '1', '10', '+Inf'].map(put), [
      '3',
      '4',
      '6',
      '6',
      '8',
      '10',
    ]);
    const payload = samplesNamed(e, 'conf_payload_bytes_bucket').map(
      (s) => `${s.labels['le']}=${s.rawValue}`,
    );
    assert.deepEqual(payload, ['1e-9=2', '1=3', '1000000000000=4', '+Inf=5']);
    const idle = e.samples.filter((s) => s.family === 'conf_idle_seconds').map((s) => s.rawValue);
    assert.deepEqual(idle, ['0', '0', '0', '0'], 'an unobserved histogram renders at zero');
  });

  test('unused labelled metrics are left out; unlabelled ones render at zero', () => {
    assert.equal(
      e.families.find((f) => f.name === 'conf_unused'),
      undefined,
    );
    assert.deepEqual(
      samplesNamed(e, 'conf_nothing_total').map((s) => s.rawValue),
      ['0'],
    );
  });
});

describe('OpenMetrics format, strictly parsed', () => {
  const reg = buildConformanceRegistry();
  const om = reg.render('openmetrics');
  const lines = om.split('\n');
  const e = parseOpenMetrics(om);

  test('ends with exactly one # EOF line', () => {
    assert.ok(om.endsWith('\n# EOF\n'), 'output ends with "# EOF\\n"');
    assert.equal(lines.filter((l) => l === '# EOF').length, 1);
    assert.equal(
      lines.filter((l) => l.startsWith('#') && !/^# (TYPE|UNIT|HELP|EOF)\b/.test(l)).length,
      0,
    );
  });

  test('TYPE, UNIT and HELP name the family (counters without _total)', () => {
    for (const l of lines) {
      const m = /^# (TYPE|UNIT|HELP) (\S+)/.exec(l);
      if (m === null) continue;
      assert.doesNotMatch(m[2]!, /_total$/, `metadata names a family, not a sample: ${l}`);
    }
    const f = family(e, 'conf_transfer_bytes');
    assert.equal(f.type, 'counter');
    assert.equal(f.unit, 'bytes');
    assert.equal(f.help, 'Bytes moved, with "quotes", a back\\slash and a\nnewline in the help.');
    assert.match(
      om,
      /^# HELP conf_transfer_bytes Bytes moved, with \\"quotes\\", a back\\\\slash and a\\nnewline in the help\.$/m,
    );
    // Metadata order: TYPE, then UNIT (when there is a unit), then HELP.
    const i = lines.indexOf('# TYPE conf_transfer_bytes counter');
    assert.equal(lines[i + 1], '# UNIT conf_transfer_bytes bytes');
    assert.match(lines[i + 2]!, /^# HELP conf_transfer_bytes /);
    const units = new Map(e.families.map((x) => [x.name, x.unit]));
    assert.equal(units.get('conf_write_duration_seconds'), 'seconds');
    assert.equal(units.get('conf_payload_bytes'), 'bytes');
    assert.equal(units.get('conf_fill_ratio'), 'ratio');
    assert.equal(units.get('conf_temperature_celsius'), 'celsius');
    assert.equal(units.get('conf_values'), undefined);
    assert.equal(units.get('process_cpu_seconds'), 'seconds');
  });

  test('every counter and histogram point has a _created sample', () => {
    let checked = 0;
    for (const f of e.families) {
      if (f.type !== 'counter' && f.type !== 'histogram') continue;
      const main = f.type === 'counter' ? '_total' : '_count';
      const points = new Map<string, { main: number; created: Sample[] }>();
      for (const s of f.samples) {
        const k = labelsKey(s.labels, 'le');
        const p = points.get(k) ?? { main: 0, created: [] };
        points.set(k, p);
        if (s.name === f.name + main) p.main++;
        if (s.name === f.name + '_created') p.created.push(s);
      }
      for (const [k, p] of points) {
        assert.equal(p.main, 1, `${f.name}${k}: one ${main}`);
        assert.equal(p.created.length, 1, `${f.name}${k}: one _created`);
        const created = p.created[0]!.value;
        assert.ok(
          created > 1.5e9 && created <= Date.now() / 1000 + 1,
          `${f.name}${k}: _created ${created} is a Unix time in seconds`,
        );
        checked++;
      }
    }
    assert.ok(checked > 20, `checked ${checked} points`);
  });

  test('exemplars have the form " # {k="v",...} value timestamp" and hold what was set', () => {
    const labelRe = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
    const exemplarRe = new RegExp(
      `^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*\\})? \\S+ # \\{(?:${labelRe}(?:,${labelRe})*)?\\} (\\S+) (\\S+)$`,
    );
    const withExemplar = lines.filter((l) => l.includes(' # {'));
    assert.ok(withExemplar.length >= 10, `${withExemplar.length} exemplar lines`);
    for (const l of withExemplar) {
      const m = exemplarRe.exec(l);
      assert.ok(m !== null, `exemplar syntax: ${l}`);
      const ts = Number(m[2]);
      assert.ok(ts > 1.5e9 && ts <= Date.now() / 1000 + 1, `exemplar timestamp in seconds: ${l}`);
      assert.match(l, /^conf_(transfer_bytes_total|write_duration_seconds_bucket)[{ ]/);
    }
    const ex = e.samples.filter((s) => s.exemplar !== undefined);
    assert.equal(ex.length, withExemplar.length);
    const tricky = ex.filter((s) => s.exemplar!.labels['span_id'] !== undefined);
    assert.deepEqual(
      tricky.map((s) => [s.name, s.exemplar!.labels, s.exemplar!.value]),
      [
        ['conf_transfer_bytes_total', { ...EXEMPLAR_TRICKY }, 5e-324],
        ['conf_write_duration_seconds_bucket', { ...EXEMPLAR_TRICKY }, 1e300],
      ],
    );
    // The latest exemplar of each bucket is kept: 0.1 is the last observation ≤ 0.1.
    const b01 = ex.find((s) => s.labels['le'] === '0.1' && s.labels['op'] === 'put');
    assert.deepEqual(b01?.exemplar?.labels, { ...EXEMPLAR_TRACE });
    assert.equal(b01?.exemplar?.value, 0.1);
  });

  test('OpenMetrics carries the same samples as the text format, plus _created', () => {
    const text = parseText(reg.render('text'));
    const strip = (x: Exposition): Map<string, string> =>
      new Map(
        x.samples
          .filter((s) => !isVolatileFamily(s.family) && !s.name.endsWith('_created'))
          .map((s) => [seriesKey(s.name, s.labels), s.rawValue]),
      );
    assert.deepEqual(strip(e), strip(text));
    assert.ok(strip(text).size > 60);
  });
});

describe('guards that keep the exposition valid', () => {
  test('an exemplar with an invalid label name is dropped, not rendered', () => {
    const r = new Registry({ selfMetrics: false });
    const c = r.counter({ type: 'counter', name: 'x_total', help: 'x', exemplars: true });
    c.labels().inc(1, { 'trace-id': 'abc' });
    c.labels().inc(1, { '': 'abc' });
    c.labels().inc(1, { '0abc': 'abc' });
    const om = r.render('openmetrics');
    assert.doesNotMatch(om, / # \{/);
    parseOpenMetrics(om);
    c.labels().inc(1, { trace_id: 'abc' });
    assert.equal(
      parseOpenMetrics(r.render('openmetrics')).samples[0]?.exemplar?.labels['trace_id'],
      'abc',
    );
  });

  test('an exemplar over 128 runes is dropped', () => {
    const r = new Registry({ selfMetrics: false });
    const c = r.counter({ type: 'counter', name: 'x_total', help: 'x', exemplars: true });
    c.labels().inc(1, { trace_id: 'a'.repeat(120) }); // 8 + 120 = 128: kept
    assert.match(r.render('openmetrics'), / # \{trace_id="a{120}"\} 1 /);
    c.labels().inc(1, { trace_id: 'b'.repeat(121) }); // 129: dropped, previous one kept
    assert.match(r.render('openmetrics'), / # \{trace_id="a{120}"\} 1 /);
  });

  test('two metrics may not share an OpenMetrics family name', () => {
    const r = new Registry();
    r.counter({ type: 'counter', name: 'dup_total', help: 'x' });
    assert.throws(
      () => r.gauge({ type: 'gauge', name: 'dup', help: 'x' }),
      (err: unknown) => err instanceof MetricDefinitionError && err.rule === 'duplicate',
    );
    const r2 = new Registry();
    r2.histogram({ type: 'histogram', name: 'dup2', help: 'x', buckets: [1] });
    assert.throws(
      () => r2.counter({ type: 'counter', name: 'dup2_total', help: 'x' }),
      MetricDefinitionError,
    );
    // Distinct families are fine, and the result stays strictly valid.
    r.gauge({ type: 'gauge', name: 'dup_other', help: 'x' });
    parseOpenMetrics(r.render('openmetrics'));
  });
});
