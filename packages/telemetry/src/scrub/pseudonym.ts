/**
 * Keyed pseudonyms: the same identifier gets the same short tag while a key lives, so a
 * log reader can follow one peer through a session without learning who it is. The key is
 * random, held only in memory and replaced every `rotateMs`; an unkeyed hash would be no
 * protection at all (peer IDs and addresses can be crawled and hashed by anyone).
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Options for {@link createPseudonymizer}. */
export interface PseudonymOptions {
  /** How long one key lives, in ms. Default 24 h. */
  readonly rotateMs?: number;
  /** Hex characters of HMAC output kept in a tag. Default 8 (32 bits). */
  readonly tagLength?: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Turns (rule, identifier) into a short tag; {@link Pseudonymizer.rotate} forgets the key. */
export interface Pseudonymizer {
  /** HMAC-SHA256(key, `${rule}\0${text}`), hex, cut to `tagLength`. */
  tag(rule: string, text: string): string;
  /** Replaces the key now (tags change; nothing links old and new). */
  rotate(): void;
}

/** Default key lifetime: one day. */
export const DEFAULT_ROTATE_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a pseudonymizer with a fresh random key.
 *
 * @example
 * const p = createPseudonymizer({ rotateMs: 3_600_000 });
 * p.tag('peer-id', '12D3KooW…'); // '3f9a1c2b', the same for an hour
 */
export function createPseudonymizer(options: PseudonymOptions = {}): Pseudonymizer {
  const rotateMs = options.rotateMs ?? DEFAULT_ROTATE_MS;
  const tagLength = options.tagLength ?? 8;
  const now = options.now ?? Date.now;
  if (!(rotateMs > 0)) throw new RangeError(`pseudonym rotateMs must be > 0 ms, got ${rotateMs}`);
  if (!(tagLength >= 4 && tagLength <= 64))
    throw new RangeError(`pseudonym tagLength must be 4..64 hex characters, got ${tagLength}`);
  let key = randomBytes(32);
  let since = now();
  const rotate = (): void => {
    key = randomBytes(32);
    since = now();
  };
  return {
    tag(rule, text) {
      // Checked on use, not by a timer: nothing to unref or stop, and idle costs nothing.
      if (now() - since >= rotateMs) rotate();
      return createHmac('sha256', key)
        .update(rule)
        .update('\0')
        .update(text)
        .digest('hex')
        .slice(0, tagLength);
    },
    rotate,
  };
}
