import { HttpError } from '../common/http.js';
import { NS_RE } from '../protocol/event.js';

/** Most events one read returns. */
export const MAX_READ_LIMIT = 1000;
/** Events one read returns when `limit` is not given. */
export const DEFAULT_READ_LIMIT = 100;

/** A parsed `GET /events` query: a cursor read, or a read of one (ns, author) stream. */
export type EventsQuery =
  | { readonly kind: 'cursor'; readonly after: number; readonly limit: number }
  | {
      readonly kind: 'stream';
      readonly ns: string;
      readonly author: string;
      readonly afterSeq: number;
      readonly limit: number;
    };

const KNOWN = new Set(['after', 'limit', 'ns', 'author', 'after_seq']);
const USAGE = 'use ?after=ROWID&limit=N or ?ns=NS&author=KEY&after_seq=SEQ&limit=N';
const UINT_RE = /^\d{1,15}$/;
const KEY_RE = /^[A-Za-z0-9_-]{1,128}$/;

function single(p: URLSearchParams, name: string): string | undefined {
  const all = p.getAll(name);
  if (all.length > 1) throw new HttpError(400, `query parameter "${name}" is given more than once`);
  return all[0];
}

function uint(p: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const v = single(p, name);
  if (v === undefined) return dflt;
  const n = UINT_RE.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max))
    throw new HttpError(400, `query parameter "${name}" must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * Parses the query of `GET /events`. Throws a 400 naming the parameter for anything
 * unknown, repeated, out of range or combined wrongly.
 *
 * @example parseEventsQuery(new URLSearchParams('after=10&limit=50')) // cursor read
 */
export function parseEventsQuery(p: URLSearchParams): EventsQuery {
  for (const k of p.keys())
    if (!KNOWN.has(k)) throw new HttpError(400, `unknown query parameter "${k}": ${USAGE}`);
  const limit = uint(p, 'limit', DEFAULT_READ_LIMIT, 1, MAX_READ_LIMIT);
  const ns = single(p, 'ns');
  const author = single(p, 'author');
  if (ns === undefined && author === undefined) {
    if (p.has('after_seq'))
      throw new HttpError(400, `query parameter "after_seq" needs "ns" and "author": ${USAGE}`);
    return { kind: 'cursor', after: uint(p, 'after', 0, 0, Number.MAX_SAFE_INTEGER), limit };
  }
  if (p.has('after'))
    throw new HttpError(
      400,
      `query parameter "after" cannot be combined with "ns"/"author": ${USAGE}`,
    );
  if (ns === undefined) throw new HttpError(400, `query parameter "ns" is missing: ${USAGE}`);
  if (author === undefined)
    throw new HttpError(400, `query parameter "author" is missing: ${USAGE}`);
  if (!NS_RE.test(ns))
    throw new HttpError(
      400,
      'query parameter "ns" must be 1–64 lowercase letters, digits, "-" or "_"',
    );
  if (!KEY_RE.test(author))
    throw new HttpError(400, 'query parameter "author" must be a base64url public key');
  const afterSeq = uint(p, 'after_seq', 0, 0, Number.MAX_SAFE_INTEGER);
  return { kind: 'stream', ns, author, afterSeq, limit };
}
