import { sha256Hex, signBytes, verifyBytes, type Identity } from './keys.js';

/** A signed event of the sync network. */
export interface SignedEvent {
  /** Namespace name: short lowercase words. */
  readonly ns: string;
  /** Author's public key (base64url). */
  readonly author: string;
  /** Per author and namespace sequence number, from 1. */
  readonly seq: number;
  /** Author's clock at creation, ms since the epoch. */
  readonly ts: number;
  /** Payload (opaque text). */
  readonly body: string;
  /** ed25519 signature over the canonical bytes (base64url). */
  readonly sig: string;
}

/** Longest event body accepted, in characters. */
export const MAX_BODY = 16 * 1024;
/** Namespace names: 1–64 lowercase letters, digits, `-` and `_`. */
export const NS_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function canonical(e: Omit<SignedEvent, 'sig'>): Buffer {
  return Buffer.from(JSON.stringify(['canopy-event', e.ns, e.author, e.seq, e.ts, e.body]));
}

/** Creates and signs an event. */
export function signEvent(
  id: Identity,
  ns: string,
  seq: number,
  body: string,
  ts = Date.now(),
): SignedEvent {
  const unsigned = { ns, author: id.publicKey, seq, ts, body };
  return { ...unsigned, sig: signBytes(id, canonical(unsigned)) };
}

/** The event's id: sha256 of its canonical bytes (hex). A content hash: never logged. */
export function eventId(e: SignedEvent): string {
  return sha256Hex(canonical(e));
}

/** Why an event was refused. */
export type EventProblem = 'malformed' | 'bad_signature';

/**
 * Checks shape and signature. Returns the event (typed) or the problem.
 *
 * @param verify - Whether to verify the signature. Default true; `false` is for benchmarks
 *   that measure the rest of the relay's path (never for serving peers).
 * @example checkEvent(JSON.parse(frame).ev)
 */
export function checkEvent(raw: unknown, verify = true): SignedEvent | EventProblem {
  if (typeof raw !== 'object' || raw === null) return 'malformed';
  const e = raw as Record<string, unknown>;
  if (
    typeof e.ns !== 'string' ||
    !NS_RE.test(e.ns) ||
    typeof e.author !== 'string' ||
    typeof e.seq !== 'number' ||
    !Number.isSafeInteger(e.seq) ||
    e.seq < 1 ||
    typeof e.ts !== 'number' ||
    !Number.isFinite(e.ts) ||
    typeof e.body !== 'string' ||
    e.body.length > MAX_BODY ||
    typeof e.sig !== 'string'
  )
    return 'malformed';
  const ev: SignedEvent = {
    ns: e.ns,
    author: e.author,
    seq: e.seq,
    ts: e.ts,
    body: e.body,
    sig: e.sig,
  };
  return !verify || verifyBytes(ev.author, canonical(ev), ev.sig) ? ev : 'bad_signature';
}
