/**
 * The bearer token check of the write paths (remote_write and imports share one token).
 */
import { timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header is exactly `expected` (`Bearer <token>` as bytes),
 * compared in constant time.
 *
 * @example bearerMatches(Buffer.from('Bearer s3cret'), req.headers.authorization) // true or false
 */
export function bearerMatches(expected: Buffer, header: string | undefined): boolean {
  const got = Buffer.from(header ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}
