/**
 * Byte encodings used by P2P identifiers (base58btc, RFC 4648 base32, base36, base64,
 * base64url, hex), written out here so canary tests depend on nothing outside Canopy.
 * Test support only: plain, not fast.
 * @module
 */

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Big-endian base-N of `bytes` with one leading-zero digit per zero byte (base58/base36). */
function baseN(bytes: Uint8Array, alphabet: string): string {
  const base = BigInt(alphabet.length);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % base)] + out;
    n /= base;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = alphabet[0] + out;
  }
  return out;
}

/** base58btc (Bitcoin alphabet). @example base58(new Uint8Array([0, 1])) // '12' */
export const base58 = (bytes: Uint8Array): string => baseN(bytes, B58);

/** base36 lowercase. @example base36(new Uint8Array([35])) // 'z' */
export const base36 = (bytes: Uint8Array): string => baseN(bytes, B36);

/** RFC 4648 base32, lowercase, no padding. @example base32(Buffer.from('f')) // 'my' */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** Standard base64 with padding. @example base64(Buffer.from('hi')) // 'aGk=' */
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** base64url without padding. @example base64url(Buffer.from([251])) // '-w' */
export const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** Lowercase hex. @example hex(new Uint8Array([255])) // 'ff' */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
