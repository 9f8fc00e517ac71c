import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoReader, ProtoWriter, ProtoError, varintSize } from './protobuf.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('varints round-trip, including int64 negatives and values past 2^32', () => {
  for (const v of [
    0,
    1,
    127,
    128,
    300,
    2 ** 28 - 1,
    2 ** 28,
    2 ** 32 + 5,
    1_700_000_000_123,
    2 ** 53 - 1,
    -1,
    -1_700_000_000_000,
  ]) {
    const w = new ProtoWriter(4).int64(3, v);
    const r = new ProtoReader(w.finish());
    assert.equal(r.next(), true);
    assert.equal(r.field, 3);
    assert.equal(r.int64(), v, `value ${v}`);
    assert.equal(r.next(), false);
  }
});

test('known encodings match the protobuf spec', () => {
  // Field 1, varint 150: 08 96 01 (the spec's own example).
  assert.equal(hex(new ProtoWriter().uint(1, 150).finish()), '089601');
  // Field 2, string "testing": 12 07 74 65 73 74 69 6e 67.
  assert.equal(hex(new ProtoWriter().string(2, 'testing').finish()), '120774657374696e67');
  // -1 as int64 takes ten bytes.
  assert.equal(hex(new ProtoWriter().int64(1, -1).finish()), '08ffffffffffffffffff01');
  assert.equal(varintSize(127), 1);
  assert.equal(varintSize(128), 2);
});

test('strings, doubles, fixed64 and nested messages round-trip', () => {
  const long = 'é'.repeat(100) + 'x'.repeat(300);
  const w = new ProtoWriter(8)
    .string(1, long)
    .string(2, '')
    .double(3, 0.125)
    .fixed64(4, 1_700_000_000_123_456_789n)
    .message(5, (m) => m.string(1, 'inner').message(2, (mm) => mm.uint(1, 7)))
    .fixed32(6, 42)
    .bool(7, true);
  const r = new ProtoReader(w.finish());
  const got: Record<number, unknown> = {};
  while (r.next()) {
    if (r.field === 1 || r.field === 2) got[r.field] = r.string();
    else if (r.field === 3) got[3] = r.double();
    else if (r.field === 4) got[4] = r.fixed64();
    else if (r.field === 5) {
      const m = r.message();
      const inner: unknown[] = [];
      while (m.next()) {
        if (m.field === 1) inner.push(m.string());
        else {
          const mm = m.message();
          mm.next();
          inner.push(mm.uint());
        }
      }
      got[5] = inner;
    } else if (r.field === 6) got[6] = r.fixed32();
    else got[r.field] = r.bool();
  }
  assert.deepEqual(got, {
    1: long,
    2: '',
    3: 0.125,
    4: 1_700_000_000_123_456_789n,
    5: ['inner', 7],
    6: 42,
    7: true,
  });
});

test('unknown fields are skipped', () => {
  const w = new ProtoWriter().uint(9, 5).double(10, 1).string(11, 'x').fixed32(12, 1).uint(1, 3);
  const r = new ProtoReader(w.finish());
  let v = -1;
  while (r.next()) {
    if (r.field === 1) v = r.uint();
    else r.skip();
  }
  assert.equal(v, 3);
});

test('bad bodies fail with a message that says what and where', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['truncated varint', Uint8Array.from([0x08, 0x96]), /truncated varint at byte 1/],
    [
      'length past the end',
      Uint8Array.from([0x12, 0x07, 0x74]),
      /length 7 of field 2 runs past the end/,
    ],
    ['truncated double', Uint8Array.from([0x19, 1, 2, 3]), /truncated field 3/],
    ['group wire type', Uint8Array.from([0x0b]), /unsupported wire type 3/],
    ['field number 0', Uint8Array.from([0x00, 0x01]), /field number 0/],
    [
      'eleven-byte varint',
      Uint8Array.from([0x08, ...new Array<number>(10).fill(0xff), 1]),
      /longer than 10 bytes/,
    ],
  ];
  for (const [name, body, msg] of cases) {
    assert.throws(
      () => {
        const r = new ProtoReader(body);
        while (r.next()) r.skip();
      },
      (e: unknown) => e instanceof ProtoError && msg.test(e.message),
      name,
    );
  }
  // A schema mismatch: reading a varint field as a string.
  const r = new ProtoReader(new ProtoWriter().uint(1, 5).finish());
  r.next();
  assert.throws(() => r.string(), /field 1 has wire type 0, expected 2/);
  // Invalid UTF-8 in a string field.
  const bad = new ProtoReader(Uint8Array.from([0x0a, 0x02, 0xc3, 0x28]));
  bad.next();
  assert.throws(() => bad.string(), /not valid UTF-8/);
});
