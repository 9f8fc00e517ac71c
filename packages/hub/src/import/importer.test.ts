/**
 * Import: both line formats, bad lines refused with their line number and reason, the
 * duplicate and out-of-order rules against the file and the store, batches, metadata.
 */
import { afterEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSDB } from '../tsdb/index.js';
import { isStale } from '../model.js';
import { Importer } from './importer.js';
import { parseTextLines } from './text-lines.js';
import { parseVmJsonLines } from './vm-jsonl.js';

const T0 = Date.UTC(2025, 5, 1);
const OPEN = { oldest: -Infinity, newest: T0 + 86_400_000 };
const dbs: TSDB[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function db(): TSDB {
  const d = mkdtempSync(join(tmpdir(), 'canopy-import-'));
  dirs.push(d);
  const x = TSDB.open({ dir: d, retentionMs: 0 });
  dbs.push(x);
  return x;
}

function values(x: TSDB, labels: Record<string, string>): Array<[number, number]> {
  const s = x.samplesOf(labels, -Infinity, Infinity);
  return s === undefined ? [] : [...s.t].map((t, i) => [t, s.v[i]!]);
}

it('imports the text format (ms) in any order, with metadata and a summary', () => {
  const x = db();
  const imp = new Importer(x, { bounds: OPEN });
  parseTextLines(
    [
      '# HELP relay_bytes_total Bytes through the relay.',
      '# TYPE relay_bytes_total counter',
      `relay_bytes_total{direction="in",job="relay"} 20 ${T0 + 30_000}`,
      `relay_bytes_total{job="relay",direction="in"} 10 ${T0 + 15_000}`,
      `relay_bytes_total{direction="out",job="relay"} 5 ${T0}`,
      `  up{job="relay"}   1   ${T0}  `,
      '',
    ].join('\n'),
    false,
    1,
    imp,
  );
  assert.equal(imp.pending, 4);
  imp.flush();
  const s = imp.summary();
  assert.deepEqual(
    { series: s.series, samples: s.samples, minT: s.minT, maxT: s.maxT, rejected: s.rejected },
    { series: 3, samples: 4, minT: T0, maxT: T0 + 30_000, rejected: 0 },
  );
  assert.deepEqual(values(x, { __name__: 'relay_bytes_total', direction: 'in', job: 'relay' }), [
    [T0 + 15_000, 10],
    [T0 + 30_000, 20],
  ]);
  assert.deepEqual(x.metadata('relay_bytes_total'), {
    relay_bytes_total: [{ type: 'counter', help: 'Bytes through the relay.', unit: '' }],
  });
});

it('imports OpenMetrics (second timestamps, exemplars ignored, # EOF)', () => {
  const x = db();
  const imp = new Importer(x, { bounds: OPEN });
  const s = T0 / 1000;
  parseTextLines(
    [
      '# TYPE storage_write_duration_seconds histogram',
      '# UNIT storage_write_duration_seconds seconds',
      `storage_write_duration_seconds_bucket{le="0.01"} 3 ${s}.5 # {trace_id="abc"} 0.004 ${s}`,
      `storage_write_duration_seconds_bucket{le="+Inf"} 4 ${s}.5`,
      '# EOF',
    ].join('\n'),
    true,
    1,
    imp,
  );
  imp.flush();
  assert.equal(imp.summary().rejected, 0, JSON.stringify(imp.summary().rejectedLines));
  assert.deepEqual(values(x, { __name__: 'storage_write_duration_seconds_bucket', le: '0.01' }), [
    [T0 + 500, 3],
  ]);
  assert.equal(
    x.metadata('storage_write_duration_seconds').storage_write_duration_seconds![0]!.unit,
    'seconds',
  );
});

it('a null in VictoriaMetrics JSON lines is a staleness marker', () => {
  const x = db();
  const imp = new Importer(x, { bounds: OPEN });
  parseVmJsonLines(
    '{"metric":{"__name__":"up"},"values":[1,null],"timestamps":[1000,2000]}',
    1,
    imp,
  );
  imp.flush();
  const s = x.samplesOf({ __name__: 'up' }, 0, Infinity)!;
  assert.equal(s.v[0], 1);
  assert.ok(isStale(s.v[1]!));
});

it('imports VictoriaMetrics JSON lines, special values included', () => {
  const x = db();
  const imp = new Importer(x, { bounds: OPEN });
  parseVmJsonLines(
    JSON.stringify({
      metric: { __name__: 'replay_sync_queue_depth', job: 'replay' },
      values: [1, 'NaN', 'Inf'],
      timestamps: [T0, T0 + 1000, T0 + 2000],
    }) +
      '\n\n' +
      JSON.stringify({ metric: { __name__: 'x' }, values: [2], timestamps: [T0] }) +
      '\n',
    1,
    imp,
  );
  imp.flush();
  const v = values(x, { __name__: 'replay_sync_queue_depth', job: 'replay' });
  assert.equal(v.length, 3);
  assert.ok(Number.isNaN(v[1]![1]));
  assert.equal(v[2]![1], Infinity);
  assert.equal(imp.summary().series, 2);
});

it('refuses bad lines with their number and reason, and keeps the good ones', () => {
  const x = db();
  const imp = new Importer(x, { bounds: { oldest: T0 - 86_400_000, newest: T0 + 600_000 } });
  parseTextLines(
    [
      `ok{a="1"} 1 ${T0}`, // 1
      'no_timestamp 1', // 2
      `bad-name 1 ${T0}`, // 3
      `x{a="1",a="2"} 1 ${T0}`, // 4
      `x{a="unterminated} 1 ${T0}`, // 5
      `x notanumber ${T0}`, // 6
      `x 1 ${T0}.5`, // 7: ms must be integers
      `future 1 ${T0 + 3_600_000}`, // 8
      `ancient 1 ${T0 - 2 * 86_400_000}`, // 9
      `ok{a="1"} 2 ${T0}`, // 10: a different value at a timestamp already in the file
      `ok{a="1"} 1 ${T0}`, // 11: the same value: ignored
      `x{__reserved="a"} 1 ${T0}`, // 12
      `x 1 ${T0} trailing`, // 13
      '# TYPE y strange', // 14
    ].join('\n'),
    false,
    1,
    imp,
  );
  imp.flush();
  const s = imp.summary();
  assert.equal(s.samples, 1);
  assert.equal(s.duplicates, 1);
  const reasons = Object.fromEntries(s.rejectedLines.map((r) => [r.line, r.reason]));
  assert.deepEqual(Object.keys(reasons).map(Number), [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14]);
  assert.match(reasons[2]!, /no timestamp/);
  assert.match(reasons[3]!, /blank before the value|metric name/);
  assert.match(reasons[4]!, /duplicate label/);
  assert.match(reasons[6]!, /invalid value/);
  assert.match(reasons[7]!, /integer milliseconds/);
  assert.match(reasons[8]!, /too far in the future/);
  assert.match(reasons[9]!, /before the retention period/);
  assert.match(reasons[10]!, /duplicate sample for timestamp .*: 2, but line 1 has 1/);
  assert.match(reasons[12]!, /reserved/);
  assert.match(reasons[13]!, /unexpected text after the timestamp/);
  assert.match(reasons[14]!, /unknown metric type "strange"/);
  for (const [line, reason] of [
    [1, 'not JSON'],
    [2, '"metric" must be an object'],
    [3, '2 values but 1 timestamps'],
    [4, 'timestamps[0] must be an integer'],
    [5, 'values[0] is not a number'],
  ] as const) {
    const vm = new Importer(x, { bounds: OPEN });
    const lines = [
      '{"metric":',
      '{"metric":"up","values":[],"timestamps":[]}',
      '{"metric":{"__name__":"a"},"values":[1,2],"timestamps":[1]}',
      '{"metric":{"__name__":"a"},"values":[1],"timestamps":[1.5]}',
      '{"metric":{"__name__":"a"},"values":[true],"timestamps":[1]}',
    ];
    parseVmJsonLines(lines[line - 1]!, line, vm);
    assert.match(
      vm.summary().rejectedLines[0]?.reason ?? '',
      new RegExp(reason.replace(/[[\]]/g, '\\$&')),
    );
    assert.equal(vm.summary().rejectedLines[0]?.line, line);
  }
});

it('against the store: history goes behind live data, equal samples are ignored, different ones refused', () => {
  const x = db();
  const app = x.appender();
  for (let i = 0; i < 10; i++) app.append({ __name__: 'up', job: 'a' }, T0 + i * 1000, 1);
  app.commit();
  const imp = new Importer(x, { bounds: OPEN });
  parseTextLines(
    [
      `up{job="a"} 1 ${T0 - 1000}`,
      `up{job="a"} 1 ${T0 + 2000}`,
      `up{job="a"} 0 ${T0 + 3000}`,
      `up{job="a"} 1 ${T0 + 3500}`,
    ].join('\n'),
    false,
    1,
    imp,
  );
  imp.flush();
  const s = imp.summary();
  assert.equal(s.samples, 2);
  assert.equal(s.duplicates, 1);
  assert.deepEqual(s.rejectedLines, [{ line: 3, reason: s.rejectedLines[0]!.reason }]);
  assert.match(
    s.rejectedLines[0]!.reason,
    /duplicate sample for timestamp .*: 0, but the hub has 1/,
  );
  assert.equal(values(x, { __name__: 'up', job: 'a' }).length, 12);
});

it('atomic flush writes nothing when a line was refused', () => {
  const x = db();
  const imp = new Importer(x, { bounds: OPEN });
  parseTextLines(`a 1 ${T0}\nb 1\n`, false, 1, imp);
  assert.equal(imp.flush(true), false);
  assert.equal(x.stats().samples, 0);
  assert.equal(imp.summary().rejected, 1);
});
