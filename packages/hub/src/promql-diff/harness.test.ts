/** Unit tests of the differential harness itself (no Prometheus needed). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStale } from '../model.js';
import { compareOutcomes, parseValue, valuesEqual, type Outcome } from './compare.js';
import { DATA_END_MS, DATA_START_MS, generate } from './generate.js';
import { encodeWriteRequest } from './prometheus.js';
import { buildCases } from './queries.js';

const vec = (...xs: [Record<string, string>, string][]): Outcome => ({
  ok: true,
  data: { resultType: 'vector', result: xs.map(([metric, v]) => ({ metric, value: [1, v] })) },
});

test('values: NaN = NaN, infinities exact, 1e-9 relative', () => {
  assert.ok(valuesEqual(NaN, NaN));
  assert.ok(!valuesEqual(NaN, 0));
  assert.ok(valuesEqual(Infinity, parseValue('+Inf')));
  assert.ok(!valuesEqual(Infinity, -Infinity));
  assert.ok(!valuesEqual(1e308, Infinity));
  assert.ok(valuesEqual(1, 1 + 5e-10));
  assert.ok(!valuesEqual(1, 1 + 5e-9));
  assert.ok(!valuesEqual(0, 1e-300));
  assert.equal(parseValue('-Inf'), -Infinity);
  assert.ok(Number.isNaN(parseValue('NaN')));
});

test('vectors compare as sets unless ordered; ties may come in any order', () => {
  const a = vec([{ x: '1' }, '2'], [{ x: '2' }, '1']);
  const b = vec([{ x: '2' }, '1'], [{ x: '1' }, '2']);
  assert.deepEqual(compareOutcomes(a, b).diffs, []);
  assert.notDeepEqual(compareOutcomes(a, b, { ordered: true }).diffs, []);
  const t1 = vec([{ x: '1' }, '1'], [{ x: '2' }, '1']);
  const t2 = vec([{ x: '2' }, '1'], [{ x: '1' }, '1']);
  assert.deepEqual(compareOutcomes(t1, t2, { ordered: true }).diffs, []);
  assert.notDeepEqual(compareOutcomes(a, vec([{ x: '1' }, '2'])).diffs, []);
  assert.notDeepEqual(compareOutcomes(a, vec([{ x: '1' }, '2'], [{ x: '3' }, '1'])).diffs, []);
});

test('errors compare by type; format differences are notes, not failures', () => {
  const e = (errorType: string): Outcome => ({ ok: false, errorType, message: '' });
  assert.deepEqual(compareOutcomes(e('bad_data'), e('bad_data')).diffs, []);
  assert.notDeepEqual(compareOutcomes(e('bad_data'), e('execution')).diffs, []);
  assert.notDeepEqual(compareOutcomes(e('bad_data'), vec()).diffs, []);
  const c = compareOutcomes(vec([{}, '1000000000000000000000']), vec([{}, '1e+21']));
  assert.deepEqual(c.diffs, []);
  assert.equal(c.formatNotes.length, 1);
});

test('matrix points compare by timestamp', () => {
  const m = (values: [number, string][]): Outcome => ({
    ok: true,
    data: { resultType: 'matrix', result: [{ metric: { a: 'b' }, values }] },
  });
  assert.deepEqual(compareOutcomes(m([[1.5, '1']]), m([[1.5, '1']])).diffs, []);
  assert.notDeepEqual(compareOutcomes(m([[1.5, '1']]), m([[1.501, '1']])).diffs, []);
  assert.notDeepEqual(compareOutcomes(m([[1.5, '1']]), m([])).diffs, []);
});

test('generator is deterministic and writes staleness markers', () => {
  const a = generate(7);
  const b = generate(7);
  assert.equal(a.samples, b.samples);
  assert.ok(a.staleMarkers > 10);
  assert.equal(a.startMs, DATA_START_MS);
  assert.equal(a.endMs, DATA_END_MS);
  let stale = 0;
  a.series.forEach((s, k) => {
    const o = b.series[k]!;
    assert.deepEqual(s.labels, o.labels);
    assert.deepEqual(s.t, o.t);
    assert.deepEqual(Buffer.from(s.v.buffer), Buffer.from(o.v.buffer));
    for (let i = 1; i < s.t.length; i++) assert.ok(s.t[i]! > s.t[i - 1]!);
    for (const v of s.v) if (isStale(v)) stale++;
  });
  assert.equal(stale, a.staleMarkers);
  assert.notEqual(generate(8).samples, 0);
});

test('remote-write encoding of one series', () => {
  const v = new Float64Array([1.5]);
  const bytes = encodeWriteRequest([
    { series: { labels: { b: '2', a: '' }, t: [300], v }, from: 0, to: 1 },
  ]);
  // TimeSeries{ Label{name:"b", value:"2"}, Sample{value:1.5, timestamp:300} }
  const sample = [0x09, ...Buffer.from(v.buffer), 0x10, 0xac, 0x02];
  const label = [0x0a, 1, 0x62, 0x12, 1, 0x32];
  const ts = [0x0a, label.length, ...label, 0x12, sample.length, ...sample];
  assert.deepEqual([...bytes], [0x0a, ts.length, ...ts]);
});

test('at least 300 cases with unique ids', () => {
  const cases = buildCases(DATA_START_MS, DATA_END_MS);
  assert.ok(cases.length >= 300);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length);
});
