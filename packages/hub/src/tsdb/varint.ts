/**
 * Byte buffers with unsigned and zig-zag varints for integers up to 2^53 (JavaScript numbers,
 * so shifts past 32 bits are done with arithmetic), plus raw float64 bytes.
 */

/** A growable byte buffer written front to back. */
export class ByteWriter {
  private buf: Uint8Array;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** Appends a non-negative integer ≤ 2^53 as an unsigned LEB128 varint. */
  uvarint(n: number): void {
    this.reserve(8);
    // Fast path for values below 2^31, which is nearly all of them.
    if (n < 0x80000000) {
      while (n >= 0x80) {
        this.buf[this.length++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.buf[this.length++] = n;
      return;
    }
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }

  /** Appends a signed integer (|n| < 2^52) zig-zag encoded. */
  varint(n: number): void {
    this.uvarint(zigzag(n));
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** The bytes written, as a view (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Reads what {@link ByteWriter} wrote. Throws a RangeError past the end. */
export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    const b = this.buf[this.pos++];
    if (b === undefined) throw new RangeError('chunk truncated');
    return b;
  }

  uvarint(): number {
    let b = this.byte();
    if (b < 0x80) return b;
    let n = b & 0x7f;
    let mul = 128;
    for (;;) {
      b = this.byte();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
      if (mul > 2 ** 56) throw new RangeError('varint too long');
    }
  }

  varint(): number {
    return unzigzag(this.uvarint());
  }

  /** The next `n` bytes, as a view. */
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('chunk truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Maps signed to unsigned so small magnitudes get short varints: 0,-1,1,-2 → 0,1,2,3. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Inverse of {@link zigzag}. */
export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Length in bytes of the unsigned varint of `n`. */
export function uvarintLength(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let len = 5;
  let lim = 0x800000000; // 2^35
  while (n >= lim && len < 8) {
    len++;
    lim *= 128;
  }
  return n >= lim ? len + 1 : len;
}
