import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { STALE_NAN, isStale } from '../model.js';
import { ProtoError, ProtoWriter } from '../wire/protobuf.js';
import { decodeWriteRequest, encodeWriteRequest, LabelsCache } from './write-request.js';

// WriteRequest{timeseries:[{labels:[{__name__,up}], samples:[{value:1, timestamp:1000}]}]},
// written out by hand from remote.proto/types.proto.
const UP_1000 =
  '0a1e' + // timeseries, 30 bytes
  '0a0e' + // label, 14 bytes
  '0a085f5f6e616d655f5f' + // name "__name__"
  '12027570' + // value "up"
  '120c' + // sample, 12 bytes
  '09000000000000f03f' + // value 1.0 (fixed64, little-endian)
  '10e807'; // timestamp 1000

test('encodes the bytes remote.proto prescribes, and decodes them back', () => {
  const bytes = encodeWriteRequest({
    timeseries: [{ labels: { __name__: 'up' }, t: Float64Array.of(1000), v: Float64Array.of(1) }],
    metadata: [],
  });
  assert.equal(Buffer.from(bytes).toString('hex'), UP_1000);
  const wr = decodeWriteRequest(Buffer.from(UP_1000, 'hex'));
  assert.deepEqual(wr.timeseries[0]!.labels, { __name__: 'up' });
  assert.deepEqual([...wr.timeseries[0]!.t], [1000]);
  assert.deepEqual([...wr.timeseries[0]!.v], [1]);
});

test('round trip: labels sorted, many samples, negative timestamps, metadata, stale NaN bits', () => {
  const n = 300;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = 1_700_000_000_000 + i * 15_000;
    v[i] = i % 7 === 6 ? STALE_NAN : i * 0.25 - 3;
  }
  v[5] = NaN;
  const bytes = encodeWriteRequest({
    timeseries: [
      { labels: { job: 'relay', __name__: 'relay_peers_connected', empty: '' }, t, v },
      { labels: { __name__: 'old' }, t: Float64Array.of(-5000), v: Float64Array.of(-0) },
    ],
    metadata: [
      { type: 'counter', metricFamilyName: 'relay_bytes_total', help: 'Bytes.', unit: 'bytes' },
      { type: 'unknown', metricFamilyName: 'x', help: '', unit: '' },
    ],
  });
  const wr = decodeWriteRequest(bytes);
  assert.equal(wr.timeseries.length, 2);
  const s = wr.timeseries[0]!;
  assert.deepEqual(Object.keys(s.labels), ['__name__', 'job']);
  assert.deepEqual([...s.t], [...t]);
  for (let i = 0; i < n; i++) {
    if (i % 7 === 6) assert.ok(isStale(s.v[i]!), `sample ${i} keeps the stale marker`);
    else if (i === 5) assert.ok(Number.isNaN(s.v[i]!) && !isStale(s.v[i]!));
    else assert.equal(s.v[i], v[i]);
  }
  assert.deepEqual([...wr.timeseries[1]!.t], [-5000]);
  assert.deepEqual(wr.metadata, [
    { type: 'counter', metricFamilyName: 'relay_bytes_total', help: 'Bytes.', unit: 'bytes' },
    { type: 'unknown', metricFamilyName: 'x', help: '', unit: '' },
  ]);
});

test('counts exemplars and native histograms, skips unknown fields', () => {
  const w = new ProtoWriter();
  w.message(1, (ts) => {
    ts.message(1, (l) => l.string(1, '__name__').string(2, 'h'));
    ts.message(3, (e) => e.double(2, 1));
    ts.message(4, (h) => h.uint(1, 3));
    ts.message(4, (h) => h.uint(1, 4));
    ts.string(9, 'future field');
  });
  w.string(7, 'unknown top-level field');
  const wr = decodeWriteRequest(w.finish());
  assert.equal(wr.timeseries[0]!.histograms, 2);
  assert.equal(wr.timeseries[0]!.exemplars, 1);
  assert.equal(wr.timeseries[0]!.t.length, 0);
});

const bad: Array<[string, () => Uint8Array, RegExp]> = [
  ['truncated', () => Buffer.from(UP_1000, 'hex').subarray(0, 20), /runs past the end|truncated/],
  [
    'a wrong wire type for timeseries',
    () => new ProtoWriter().uint(1, 5).finish(),
    /wire type 0, expected 2/,
  ],
  [
    'a repeated label name',
    () =>
      new ProtoWriter()
        .message(1, (ts) => {
          ts.message(1, (l) => l.string(1, 'job').string(2, 'a'));
          ts.message(1, (l) => l.string(1, 'job').string(2, 'b'));
        })
        .finish(),
    /label name "job" repeated in one series at byte \d+/,
  ],
  [
    'an unknown metadata type',
    () => new ProtoWriter().message(3, (m) => m.uint(1, 42).string(2, 'x')).finish(),
    /unknown metadata type 42/,
  ],
  [
    'invalid UTF-8 in a label',
    () =>
      new ProtoWriter()
        .message(1, (ts) => ts.message(1, (l) => l.bytes(1, Uint8Array.of(0xff, 0xfe))))
        .finish(),
    /not valid UTF-8/,
  ],
];

for (const [name, body, message] of bad) {
  test(`decode refuses ${name} with a ProtoError naming the offset`, () => {
    assert.throws(
      () => decodeWriteRequest(body()),
      (e: unknown) => e instanceof ProtoError && message.test(e.message),
    );
  });
}

test('with a LabelsCache a series decodes to the same frozen object in every request', () => {
  const cache = new LabelsCache();
  const req = (v: number, job = 'relay') =>
    encodeWriteRequest({
      timeseries: [
        { labels: { __name__: 'up', job }, t: Float64Array.of(1000), v: Float64Array.of(v) },
        { labels: { __name__: 'x' }, t: Float64Array.of(1000, 2000), v: Float64Array.of(1, 2) },
      ],
      metadata: [],
    });
  const a = decodeWriteRequest(req(1), cache);
  const b = decodeWriteRequest(req(2), cache);
  assert.equal(a.timeseries[0]!.labels, b.timeseries[0]!.labels);
  assert.ok(Object.isFrozen(a.timeseries[0]!.labels));
  assert.notEqual(
    decodeWriteRequest(req(1, 'replay'), cache).timeseries[0]!.labels,
    a.timeseries[0]!.labels,
  );
  assert.deepEqual([...b.timeseries[0]!.v], [2]);
  assert.deepEqual([...b.timeseries[1]!.t], [1000, 2000]);
  assert.equal(cache.size, 3);
  // The slow path (an exemplar in the series) shares the cache.
  const w = new ProtoWriter();
  w.message(1, (ts) => {
    ts.message(1, (l) => l.string(1, '__name__').string(2, 'up'));
    ts.message(1, (l) => l.string(1, 'job').string(2, 'relay'));
    ts.message(2, (s) => s.double(1, 5).int64(2, 3000));
    ts.message(3, (e) => e.double(2, 1));
  });
  const c = decodeWriteRequest(w.finish(), cache);
  assert.equal(c.timeseries[0]!.labels, a.timeseries[0]!.labels);
  assert.deepEqual([...c.timeseries[0]!.v], [5]);
  // A repeated label name is refused on the fast path too.
  const dup = new ProtoWriter()
    .message(1, (ts) => {
      ts.message(1, (l) => l.string(1, 'job').string(2, 'a'));
      ts.message(1, (l) => l.string(1, 'job').string(2, 'b'));
      ts.message(2, (s) => s.double(1, 1).int64(2, 1));
    })
    .finish();
  assert.throws(() => decodeWriteRequest(dup, cache), /label name "job" repeated/);
});

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
const writeRequest = fc.record({
  timeseries: fc.array(
    fc.record({
      labels: fc.dictionary(labelName, fc.string({ minLength: 1, maxLength: 20 }), {
        maxKeys: 6,
      }),
      samples: fc.array(
        fc.tuple(fc.integer({ min: -1e12, max: 4e12 }), fc.double({ noNaN: true })),
        { maxLength: 8 },
      ),
    }),
    { maxLength: 6 },
  ),
});

test('property: any WriteRequest survives encode → decode, with and without the cache', () => {
  const cache = new LabelsCache();
  fc.assert(
    fc.property(writeRequest, (w) => {
      const wr = {
        timeseries: w.timeseries.map((s) => ({
          labels: s.labels,
          t: Float64Array.from(s.samples.map((x) => x[0])),
          v: Float64Array.from(s.samples.map((x) => x[1])),
        })),
        metadata: [],
      };
      const bytes = encodeWriteRequest(wr);
      for (const got of [decodeWriteRequest(bytes), decodeWriteRequest(bytes, cache)]) {
        assert.equal(got.timeseries.length, wr.timeseries.length);
        got.timeseries.forEach((s, i) => {
          assert.deepEqual({ ...s.labels }, { ...wr.timeseries[i]!.labels });
          assert.deepEqual([...s.t], [...wr.timeseries[i]!.t]);
          assert.deepEqual([...s.v], [...wr.timeseries[i]!.v]);
        });
      }
    }),
    { numRuns: 300 },
  );
});

test('property: a truncated or corrupted body is a ProtoError or decodes, never another error', () => {
  fc.assert(
    fc.property(writeRequest, fc.nat(), fc.nat(255), (w, at, byte) => {
      const bytes = encodeWriteRequest({
        timeseries: w.timeseries.map((s) => ({
          labels: s.labels,
          t: Float64Array.from(s.samples.map((x) => x[0])),
          v: Float64Array.from(s.samples.map((x) => x[1])),
        })),
        metadata: [],
      });
      if (bytes.length === 0) return;
      const cut = bytes.slice(0, at % bytes.length);
      const flipped = bytes.slice();
      flipped[at % bytes.length] = byte;
      for (const b of [cut, flipped]) {
        try {
          decodeWriteRequest(b, new LabelsCache());
        } catch (e) {
          assert.ok(e instanceof ProtoError, `${(e as Error).name}: ${(e as Error).message}`);
        }
      }
    }),
    { numRuns: 500 },
  );
});
