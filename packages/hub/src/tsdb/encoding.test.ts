/**
 * The chunk codec round-trips bit-exactly: random floats (NaN, ±Inf, -0, the staleness
 * marker, huge and tiny magnitudes), decimal-looking gauges and counters, and timestamps
 * with jitter and gaps; corrupt blobs are refused, not misread.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { STALE_NAN, isStale } from '../model.js';
import {
  compress,
  decimalExponent,
  decodeTimestamps,
  decodeValues,
  decompress,
  encodeTimestamps,
  encodeValues,
} from './encoding.js';
import type { CompressionLevel } from './encoding.js';
import { ByteReader, ByteWriter, uvarintLength, zigzag } from './varint.js';
import { decodeWal, encodeWal } from './wal.js';

// A fixed seed keeps CI repeatable; FC_SEED=<n> explores other inputs.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261125) });

/** The bytes of a Float64Array, for bit-exact comparison. */
function bits(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function roundTripValues(v: Float64Array, level: CompressionLevel = 'fast'): Float64Array {
  return decodeValues(compress(encodeValues(v), level));
}

function roundTripTimestamps(t: Float64Array, level: CompressionLevel = 'fast'): Float64Array {
  return decodeTimestamps(compress(encodeTimestamps(t), level));
}

/**
 * A value generator biased towards what metrics look like, plus every awkward double. The
 * staleness marker is the string 'stale' until it is written into a Float64Array: a JS array
 * may canonicalise its NaN payload.
 */
const metricValue = fc.oneof(
  fc.double(), // includes NaN, ±Inf, -0, subnormals, extremes
  fc.constant('stale' as const),
  fc.constantFrom(0, -0, 1, -1, 0.1, 0.25, 1e-300, 5e-324, 1.7976931348623157e308, 2 ** 53),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.integer({ min: 0, max: 99_999 }).map((x) => x / 100),
  fc.integer({ min: 0, max: 999_999_999 }).map((x) => x / 1e9),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
);

function toFloat64(a: readonly (number | 'stale')[]): Float64Array {
  const v = new Float64Array(a.length);
  a.forEach((x, i) => (v[i] = x === 'stale' ? STALE_NAN : x));
  return v;
}

const floatArray = fc.array(metricValue, { minLength: 0, maxLength: 400 }).map(toFloat64);

describe('values', () => {
  it('round-trip bit-exactly for random floats (property)', () => {
    let stale = 0;
    fc.assert(
      fc.property(floatArray, fc.constantFrom<CompressionLevel>('fast', 'small'), (v, level) => {
        for (const x of v) if (isStale(x)) stale++;
        assert.deepEqual(bits(roundTripValues(v, level)), bits(v));
      }),
      { numRuns: 300 },
    );
    assert.ok(stale > 0, 'the generator produced staleness markers');
  });

  it('round-trip counters, gauges and runs with sprinkled specials (property)', () => {
    const series = fc
      .record({
        start: fc.integer({ min: -1e9, max: 1e9 }),
        digits: fc.integer({ min: 0, max: 9 }),
        steps: fc.array(fc.integer({ min: -50, max: 5000 }), { minLength: 1, maxLength: 600 }),
        specials: fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom<number | 'stale'>('stale', NaN, Infinity, -Infinity, -0, 0.1 + 0.2),
          ),
          { maxLength: 8 },
        ),
      })
      .map(({ start, digits, steps, specials }) => {
        const v = new Float64Array(steps.length);
        let x = start;
        steps.forEach((d, i) => {
          x += d;
          v[i] = x / 10 ** digits;
        });
        for (const [at, s] of specials) v[at % v.length] = s === 'stale' ? STALE_NAN : s;
        return v;
      });
    fc.assert(
      fc.property(series, (v) => {
        assert.deepEqual(bits(roundTripValues(v)), bits(v));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the staleness marker distinct from an ordinary NaN', () => {
    const v = new Float64Array([1, 2, NaN, 3]);
    v[1] = STALE_NAN;
    const out = roundTripValues(v);
    assert.equal(isStale(out[1]!), true);
    assert.equal(isStale(out[2]!), false);
    assert.ok(Number.isNaN(out[2]!));
    assert.deepEqual(bits(out), bits(v));
  });

  it('keeps -0 negative', () => {
    const out = roundTripValues(new Float64Array([0, -0, 5, -0]));
    assert.ok(Object.is(out[1], -0) && Object.is(out[3], -0) && Object.is(out[0], 0));
  });

  it('compresses steady data to a fraction of a byte per sample', () => {
    const n = 1440;
    const counter = new Float64Array(n);
    const gauge = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      counter[i] = i * 10;
      gauge[i] = i % 100 < 50 ? 3 : 4;
    }
    for (const v of [counter, gauge]) {
      const blob = compress(encodeValues(v), 'small');
      assert.ok(blob.length < n / 10, `${blob.length} bytes for ${n} samples`);
      assert.deepEqual(bits(decodeValues(blob)), bits(v));
    }
  });
});

describe('decimalExponent', () => {
  const cases: [number, number][] = [
    [0, 0],
    [42, 0],
    [-7, 0],
    [0.5, 1],
    [0.25, 2],
    [123.45, 2],
    [0.000001, 6],
    [1e-15, 15],
    [0.1 + 0.2, -1], // 0.30000000000000004: 17 digits
    [2 ** 52, -1], // past the integer range kept exact through deltas
    [-0, -1],
    [NaN, -1],
    [Infinity, -1],
    [-Infinity, -1],
    [STALE_NAN, -1],
  ];
  for (const [v, e] of cases) {
    it(`${String(v)} → ${e}`, () => assert.equal(decimalExponent(v), e));
  }
});

describe('timestamps', () => {
  const timestamps = fc
    .record({
      start: fc.integer({ min: -1e12, max: 4e12 }),
      interval: fc.integer({ min: 1, max: 3_600_000 }),
      steps: fc.array(
        fc.oneof(
          fc.integer({ min: -3, max: 3 }), // jitter
          fc.integer({ min: 1, max: 1e9 }), // gaps
        ),
        { maxLength: 500 },
      ),
    })
    .map(({ start, interval, steps }) => {
      const t = new Float64Array(steps.length);
      let x = start;
      steps.forEach((j, i) => {
        x += Math.max(1, interval + j);
        t[i] = x;
      });
      return t;
    });

  it('round-trip exactly with jitter and gaps (property)', () => {
    fc.assert(
      fc.property(timestamps, fc.constantFrom<CompressionLevel>('fast', 'small'), (t, level) => {
        assert.deepEqual(roundTripTimestamps(t, level), t);
      }),
      { numRuns: 300 },
    );
  });

  it('cost well under a byte per sample at a regular interval', () => {
    const t = new Float64Array(1440).map((_, i) => 1_735_689_600_000 + i * 15_000);
    assert.ok(compress(encodeTimestamps(t), 'small').length < 40);
  });
});

describe('corrupt blobs', () => {
  it('are refused with a RangeError', () => {
    const v = new Float64Array(500).map((_, i) => Math.sin(i) * 1000);
    const blob = compress(encodeValues(v), 'fast');
    assert.throws(() => decodeValues(blob.subarray(0, blob.length - 7)), RangeError);
    assert.throws(() => decodeValues(new Uint8Array([9, 1, 2])), RangeError);
    const raw = encodeValues(v);
    assert.throws(
      () => decodeValues(compress(raw.subarray(0, raw.length - 1), 'fast')),
      RangeError,
    );
    const t = encodeTimestamps(new Float64Array([1, 2, 3]));
    assert.throws(() => decodeTimestamps(compress(t.subarray(0, 2), 'fast')), RangeError);
  });

  it('store small blobs raw', () => {
    const raw = new Uint8Array([1, 2, 3]);
    assert.deepEqual(decompress(compress(raw, 'small')), raw);
  });
});

describe('varints', () => {
  it('round-trip integers up to 2^53 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeInteger(), { maxLength: 50 }), (xs) => {
        const w = new ByteWriter(4);
        // `+ 0` turns -0 (from trunc(-1 / 2)) into 0: a varint holds integers, not signed zeros.
        const ints = xs.map((x) => Math.trunc(x / 2) + 0);
        for (const x of ints) w.varint(x);
        const r = new ByteReader(w.view());
        for (const x of ints) assert.equal(r.varint(), x);
        assert.ok(r.done);
      }),
    );
  });

  it('report their length', () => {
    for (const n of [0, 127, 128, 16383, 16384, 2 ** 31, 2 ** 35 - 1, 2 ** 35, 2 ** 49, 2 ** 53]) {
      const w = new ByteWriter();
      w.uvarint(n);
      assert.equal(uvarintLength(n), w.length, String(n));
    }
    assert.equal(zigzag(-1), 1);
  });
});

describe('wal records', () => {
  it('round-trip ids, timestamps and values bit-exactly', () => {
    const ids = new Float64Array([1, 2, 3, 900, 2]);
    const t = new Float64Array([1000, 1000, 1001, 999, 5000]);
    const v = new Float64Array([1.5, -0, NaN, 7, 8]);
    v[3] = STALE_NAN;
    const rec = decodeWal(encodeWal(ids, t, v, 5));
    assert.deepEqual(rec.ids, ids);
    assert.deepEqual(rec.t, t);
    assert.deepEqual(bits(rec.v), bits(v));
    assert.throws(() => decodeWal(encodeWal(ids, t, v, 5).subarray(0, 20)), RangeError);
  });
});
