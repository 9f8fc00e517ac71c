/**
 * The protobuf wire format, by hand: enough to read and write OTLP and Prometheus
 * remote_write messages without a schema compiler or a runtime dependency.
 *
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 (3/4, groups, are refused).
 */

/** Wire type numbers. */
export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;

/** A body that is not valid protobuf; `offset` is where reading failed. */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'ProtoError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const TWO_32 = 4294967296;

/**
 * Reads one message. Typical loop:
 *
 * @example
 * const r = new ProtoReader(body);
 * while (r.next()) {
 *   if (r.field === 1) name = r.string();
 *   else r.skip();
 * }
 */
export class ProtoReader {
  /** Field number of the current field (after {@link next}). */
  field = 0;
  /** Wire type of the current field. */
  wireType = 0;
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Byte offset of the reader (for error messages). */
  get offset(): number {
    return this.pos;
  }

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const at = this.pos;
    const key = this.varint();
    this.field = Math.floor(key / 8);
    this.wireType = key & 7;
    if (this.field === 0) throw new ProtoError('field number 0', at);
    if (this.wireType !== 0 && this.wireType !== 1 && this.wireType !== 2 && this.wireType !== 5)
      throw new ProtoError(`unsupported wire type ${this.wireType} (field ${this.field})`, at);
    return true;
  }

  /** Throws unless the current field has wire type `wt` (a schema mismatch). */
  expect(wt: number): void {
    if (this.wireType !== wt)
      throw new ProtoError(
        `field ${this.field} has wire type ${this.wireType}, expected ${wt}`,
        this.pos,
      );
  }

  /** An unsigned varint up to 2^53 (exact), or an int64 written as 10 bytes (negative). */
  varint(): number {
    let lo = 0;
    let shift = 0;
    let b: number;
    const start = this.pos;
    // The low 28 bits, fast.
    do {
      if (this.pos >= this.end) throw new ProtoError('truncated varint', start);
      b = this.buf[this.pos++]!;
      lo |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80 && shift < 28);
    if (b < 0x80) return lo >>> 0;
    // The rest, in floating point (exact up to 2^53).
    let v = lo >>> 0;
    let mul = 268435456; // 2^28
    for (let i = 0; i < 6; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint', start);
      b = this.buf[this.pos++]!;
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return i < 5 ? v : this.tenByte(start);
    }
    throw new ProtoError('varint longer than 10 bytes', start);
  }

  /** A ten-byte varint: a negative int64 in two's complement (or a huge uint64), exactly. */
  private tenByte(start: number): number {
    let big = 0n;
    for (let i = 9; i >= 0; i--) big = (big << 7n) | BigInt(this.buf[start + i]! & 0x7f);
    return Number(BigInt.asIntN(64, big));
  }

  /** A varint read as signed 64-bit (int64 fields). */
  int64(): number {
    this.expect(WireType.Varint);
    return this.varint();
  }

  /** A varint field (uint32, uint64, enum). */
  uint(): number {
    this.expect(WireType.Varint);
    return this.varint();
  }

  /** A bool field. */
  bool(): boolean {
    return this.uint() !== 0;
  }

  /** A double field. */
  double(): number {
    this.expect(WireType.Fixed64);
    const v = this.view.getFloat64(this.need(8), true);
    return v;
  }

  /** A fixed64 field as a bigint (exact, e.g. nanosecond timestamps). */
  fixed64(): bigint {
    this.expect(WireType.Fixed64);
    return this.view.getBigUint64(this.need(8), true);
  }

  /** A fixed64 field as a number (rounded above 2^53). */
  fixed64Number(): number {
    this.expect(WireType.Fixed64);
    const at = this.need(8);
    return this.view.getUint32(at + 4, true) * TWO_32 + this.view.getUint32(at, true);
  }

  /** A fixed32 field. */
  fixed32(): number {
    this.expect(WireType.Fixed32);
    return this.view.getUint32(this.need(4), true);
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  /** A string field (UTF-8; invalid UTF-8 is an error). */
  string(): string {
    const [s, e] = this.span();
    if (s === e) return '';
    try {
      return utf8.decode(this.buf.subarray(s, e));
    } catch {
      throw new ProtoError(`field ${this.field} is not valid UTF-8`, s);
    }
  }

  /** A reader over an embedded message. */
  message(): ProtoReader {
    const [s, e] = this.span();
    return new ProtoReader(this.buf, s, e);
  }

  /** Skips the current field's value. */
  skip(): void {
    switch (this.wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.need(8);
        return;
      case 2:
        this.span();
        return;
      default:
        this.need(4);
    }
  }

  private span(): [number, number] {
    this.expect(WireType.Bytes);
    const at = this.pos;
    const len = this.varint();
    const s = this.pos;
    if (len > this.end - s)
      throw new ProtoError(`length ${len} of field ${this.field} runs past the end`, at);
    this.pos = s + len;
    return [s, s + len];
  }

  private need(n: number): number {
    const at = this.pos;
    if (this.end - at < n) throw new ProtoError(`truncated field ${this.field}`, at);
    this.pos = at + n;
    return at;
  }
}

const utf8e = new TextEncoder();

/**
 * Writes one message into a growing buffer.
 *
 * @example
 * const w = new ProtoWriter();
 * w.string(1, '__name__');
 * w.message(2, (s) => s.double(1, 0.5).int64(2, Date.now()));
 * const bytes = w.finish();
 */
export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** The message (a view of the internal buffer; copy it to keep it past {@link reset}). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Empties the writer, keeping its buffer. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** A varint field (uint32/uint64/enum/int64 ≥ 0; negative int64 as 10 bytes). */
  uint(field: number, v: number): this {
    this.tag(field, 0);
    this.rawVarint(v);
    return this;
  }

  /** An int64 field. */
  int64(field: number, v: number): this {
    return this.uint(field, v);
  }

  /** A bool field. */
  bool(field: number, v: boolean): this {
    return this.uint(field, v ? 1 : 0);
  }

  /** A double field. */
  double(field: number, v: number): this {
    this.tag(field, 1);
    this.grow(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  /** A fixed64 field. */
  fixed64(field: number, v: bigint | number): this {
    this.tag(field, 1);
    this.grow(8);
    this.view.setBigUint64(this.pos, typeof v === 'bigint' ? v : BigInt(Math.trunc(v)), true);
    this.pos += 8;
    return this;
  }

  /** A fixed32 field. */
  fixed32(field: number, v: number): this {
    this.tag(field, 5);
    this.grow(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** A string field. */
  string(field: number, s: string): this {
    this.tag(field, 2);
    // Reserve the worst case (3 bytes a UTF-16 unit), encode in place, then fix the length.
    const max = s.length * 3;
    this.grow(max + 10);
    const lenAt = this.pos;
    const lenBytes = varintSize(max);
    const r = utf8e.encodeInto(s, this.buf.subarray(lenAt + lenBytes));
    this.writeLength(lenAt, lenBytes, r.written);
    return this;
  }

  /** A bytes field. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(b.length);
    this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** An embedded message written by `body`. */
  message(field: number, body: (w: this) => void): this {
    this.tag(field, 2);
    // Reserve 5 length bytes (messages up to 4 GiB), write, then move the body down if shorter.
    this.grow(5);
    const lenAt = this.pos;
    this.pos += 5;
    body(this);
    const len = this.pos - lenAt - 5;
    const need = varintSize(len);
    if (need < 5) this.buf.copyWithin(lenAt + need, lenAt + 5, this.pos);
    this.pos = lenAt;
    this.rawVarint(len);
    this.pos += len;
    return this;
  }

  private writeLength(lenAt: number, reserved: number, len: number): void {
    const need = varintSize(len);
    const bodyAt = lenAt + reserved;
    if (need !== reserved) this.buf.copyWithin(lenAt + need, bodyAt, bodyAt + len);
    this.pos = lenAt;
    this.rawVarint(len);
    this.pos += len;
  }

  private tag(field: number, wt: number): void {
    this.rawVarint(field * 8 + wt);
  }

  private rawVarint(v: number): void {
    this.grow(10);
    if (v < 0) {
      // int64 two's complement, 10 bytes.
      let big = BigInt.asUintN(64, BigInt(Math.trunc(v)));
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

/** Bytes a varint of `v` (≥ 0) takes. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
