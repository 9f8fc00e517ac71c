/**
 * The compiled scrubber: the rule pack as JS regexes behind one combined pre-check, plus a
 * deep, cycle-safe walk for structured values (log fields, span attributes, alert labels).
 * A clean string costs one regex test and is returned as is (no allocation).
 * @module
 */
import { createPseudonymizer, type Pseudonymizer } from './pseudonym.js';
import { SCRUB_RULES, TRACE_CONTEXT_KEYS, type ScrubKeep, type ScrubRule } from './rules.js';

/** `redact` replaces with a token (`<peer>`); `pseudonym` with a keyed tag (`<peer:3f9a1c2b>`). */
export type ScrubMode = 'redact' | 'pseudonym';

/** Options for {@link createScrubber}. */
export interface ScrubberOptions {
  /** Default `redact`. */
  readonly mode?: ScrubMode;
  /** Pseudonym key lifetime in ms (mode `pseudonym`). Default 24 h. */
  readonly rotateMs?: number;
  /** The rule pack. Default {@link SCRUB_RULES}. */
  readonly rules?: readonly ScrubRule[];
  /** Longer strings are cut (at a token boundary) and marked. Default 16384 characters. */
  readonly maxStringLength?: number;
  /** Deeper values become `[Object]`/`[Array]`. Default 8. */
  readonly maxDepth?: number;
  /** Array items / object keys kept per level; the rest is counted. Default 200. */
  readonly maxEntries?: number;
  /**
   * Work budget of one `value()` call, in visited values plus characters/64; past it
   * values become `[Dropped]`, so a huge or wide input costs bounded time. Default 20000.
   */
  readonly maxWork?: number;
  /** Clock for key rotation, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** A compiled scrubber. */
export interface Scrubber {
  readonly mode: ScrubMode;
  /** The string with every identifier replaced; the same string object when clean. */
  string(s: string): string;
  /**
   * A scrubbed copy of any value: strings (keys too) scrubbed, cycles → `[Circular]`,
   * binary → `<N bytes>`, errors → `{type, message, stack, …}`, depth and size capped,
   * BigInt → string. Values under trace-context keys (`trace_id`, `span_id`, `traceId`,
   * `spanId`, `traceparent`, …) pass untouched. Never throws.
   */
  value(v: unknown): unknown;
}

interface Compiled {
  readonly name: string;
  readonly re: RegExp;
  readonly prefixed: boolean;
  readonly replacement: string;
  readonly keep: ((token: string) => boolean) | undefined;
  readonly requires: string | undefined;
  /** Pre-check families this rule needs (all bits for packs other than the default). */
  readonly needs: number;
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The `identifier` keep-check. Random key material of 40+ characters essentially never has
 * this shape (every capital followed by two small letters, short lowercase/digit runs,
 * short separator-delimited segments), while paths, metric names and class names do.
 */
export function looksLikeIdentifier(t: string): boolean {
  if (TRACEPARENT.test(t)) return true;
  let seg = 0;
  let camel = false;
  let lower = 0;
  let digits = 0;
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 45 || c === 95 || c === 47) {
      // - _ /
      if (seg > (camel ? 48 : 20)) return false;
      seg = 0;
      camel = false;
      lower = 0;
      digits = 0;
      continue;
    }
    seg++;
    if (c >= 97 && c <= 122) {
      if (++lower > 20) return false;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 8) return false;
      lower = 0;
    } else if (c >= 65 && c <= 90) {
      const a = t.charCodeAt(i + 1);
      const b = t.charCodeAt(i + 2);
      if (!(a >= 97 && a <= 122 && b >= 97 && b <= 122)) return false;
      camel = true;
      lower = 0;
      digits = 0;
    } else return false; // + or = : base64 alphabet / padding
  }
  return seg <= (camel ? 48 : 20);
}

// Character classes by code, so the pre-check is one table load per character.
const B64 = 1; // [A-Za-z0-9+/_-]
const HEXC = 2; // [0-9A-Fa-f]
const DIGIT = 4; // [0-9]
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9+/_-]/.test(ch)) CLASS[c]! |= B64;
  if (/[0-9A-Fa-f]/.test(ch)) CLASS[c]! |= HEXC;
  if (/[0-9]/.test(ch)) CLASS[c]! |= DIGIT;
}
// charCodeAt past the end is NaN and non-ASCII is >= 128: both read as 0 (no class).
const cls = (c: number): number => (c < 128 ? CLASS[c]! : 0);
const isDigit = (c: number): boolean => (cls(c) & DIGIT) !== 0;
const MULTIADDR_WORDS = ['p2p', 'ipfs', 'dns', 'onion', 'garlic', 'sni', 'certhash'];

/** Skips up to 3 digits from `i`; returns the index after them. */
function skipDigits(s: string, i: number): number {
  let j = i;
  while (j < i + 3 && isDigit(s.charCodeAt(j))) j++;
  return j;
}

/** What the pre-check saw: which families of rules can match (0: none). */
export const SEEN_AT = 1; // an @: e-mail
export const SEEN_MULTIADDR = 2; // /p2p, /dns, … : multiaddr components
export const SEEN_RUN = 4; // 40+ base64/base58/base32/hex characters in a row
export const SEEN_IPV6 = 8; // :: or 6+ colons between hex digits
export const SEEN_IPV4 = 16; // a dotted quad whose first octet is not 0 or 127

/** The dotted-quad test at a `.` (see {@link scan}); `k` is where the digits before it start. */
function ipv4At(s: string, k: number, i: number): boolean {
  // A match starts at a digit run not preceded by a digit or dot (the rule's prefix), and
  // that whole run is the first octet: 1–255, no leading zero, not 127.
  if (k > 0 && s.charCodeAt(k - 1) === 46) return false;
  const len = i - k;
  if (len < 1 || len > 3 || s.charCodeAt(k) === 48) return false;
  const v = Number(s.slice(k, i));
  if (v > 255 || v === 127) return false;
  let j = skipDigits(s, i + 1);
  if (j === i + 1 || s.charCodeAt(j) !== 46 || !isDigit(s.charCodeAt(j + 1))) return false;
  j = skipDigits(s, j + 1);
  return s.charCodeAt(j) === 46 && isDigit(s.charCodeAt(j + 1));
}

/**
 * The pre-check for the default pack: one pass over char codes that says which rule
 * families could match. A superset of the rules (a test checks that every canary passes it
 * and that a string it rejects comes out of the rules unchanged).
 */
export function scan(s: string): number {
  const n = s.length;
  let seen = 0;
  let run = 0;
  let digits = 0; // digits just before i
  let colons = 0; // colons in the current run of hex digits and colons
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const k = cls(c);
    if ((k & HEXC) === 0 && c !== 58) colons = 0;
    if ((k & B64) !== 0) {
      if (++run >= 40) seen |= SEEN_RUN;
      if (c === 47) {
        for (const w of MULTIADDR_WORDS) if (s.startsWith(w, i + 1)) seen |= SEEN_MULTIADDR;
      }
      digits = (k & DIGIT) !== 0 ? digits + 1 : 0;
      continue;
    }
    run = 0;
    if (c === 64) seen |= SEEN_AT;
    else if (c === 58) {
      if (++colons >= 6 || s.charCodeAt(i + 1) === 58) seen |= SEEN_IPV6;
    } else if (c === 46 && digits > 0 && (seen & SEEN_IPV4) === 0 && ipv4At(s, i - digits, i))
      seen |= SEEN_IPV4;
    digits = 0;
  }
  return seen;
}

/**
 * Could any rule of the default pack match `s`? (See {@link scan}.)
 *
 * @example mayContainIdentifier('took 12ms') // false
 */
export const mayContainIdentifier = (s: string): boolean => scan(s) !== 0;

/** The family each default rule needs the pre-check to have seen. */
const NEEDS: Readonly<Record<string, number>> = {
  email: SEEN_AT,
  'multiaddr-peer': SEEN_MULTIADDR,
  'multiaddr-host': SEEN_MULTIADDR,
  'multiaddr-certhash': SEEN_MULTIADDR,
  'peer-id': SEEN_RUN,
  cid: SEEN_RUN,
  hex: SEEN_RUN,
  base32: SEEN_RUN,
  ipv6: SEEN_IPV6,
  ipv4: SEEN_IPV4,
  'encoded-id': SEEN_RUN,
};

/** The `loopback` keep-check: loopback and unspecified addresses identify no one. */
export function isLoopback(t: string): boolean {
  return t.startsWith('127.') || t === '0.0.0.0' || t === '::1' || t === '::';
}

const KEEPS: Record<ScrubKeep, (token: string) => boolean> = {
  identifier: looksLikeIdentifier,
  loopback: isLoopback,
};

function compile(r: ScrubRule, known: boolean): Compiled {
  const src = r.prefix !== undefined ? `(${r.prefix})(?:${r.source})` : `(?:${r.source})`;
  return {
    name: r.name,
    re: new RegExp(src, 'g'),
    prefixed: r.prefix !== undefined,
    replacement: r.replacement,
    keep: r.keep !== undefined ? KEEPS[r.keep] : undefined,
    requires: r.requires,
    needs: known ? (NEEDS[r.name] ?? -1) : -1,
  };
}

// Characters that may belong to an identifier: a cut is moved back to before such a run,
// so truncation never leaves half a key behind for the rules to miss.
function isTokenChar(c: number): boolean {
  return (
    (c >= 48 && c <= 58) || // 0-9 :
    (c >= 64 && c <= 90) || // @ A-Z
    (c >= 97 && c <= 122) ||
    c === 43 || // +
    c === 45 || // -
    c === 46 || // .
    c === 47 || // /
    c === 95 || // _
    c === 61 || // =
    c === 37 // %
  );
}

/** Cuts `s` to about `max` characters at a token boundary and appends a marker. */
export function truncate(s: string, max: number): string {
  let cut = max;
  const floor = Math.max(0, max - 256);
  while (cut > floor && isTokenChar(s.charCodeAt(cut - 1)) && isTokenChar(s.charCodeAt(cut))) cut--;
  if (cut === floor && floor > 0) cut = max; // one huge run: the rules still see a long prefix
  return `${s.slice(0, cut)}…[truncated ${s.length - cut} chars]`;
}

/** The pre-check for a custom rule pack: one regex of all its rules. */
function combinedGate(rules: readonly Compiled[]): (s: string) => number {
  const combined = new RegExp(rules.map((r) => r.re.source).join('|'));
  return (s) => (combined.test(s) ? -1 : 0);
}

/**
 * Compiles the rule pack into a scrubber.
 *
 * @example
 * const s = createScrubber();
 * s.string('dial /ip4/10.1.2.3/tcp/4001/p2p/12D3KooW… failed');
 * // 'dial /ip4/<ip>/tcp/4001/p2p/<peer> failed'
 * s.value({ peer: 'Qm…', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
 * // { peer: '<cid>', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }
 */
export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  const mode = options.mode ?? 'redact';
  if (mode !== 'redact' && mode !== 'pseudonym')
    throw new RangeError(`scrubber mode must be 'redact' or 'pseudonym', got '${String(mode)}'`);
  const isDefault = options.rules === undefined || options.rules === SCRUB_RULES;
  const rules = (options.rules ?? SCRUB_RULES).map((r) => compile(r, isDefault));
  const maxLen = options.maxStringLength ?? 16384;
  const maxDepth = options.maxDepth ?? 8;
  const maxEntries = options.maxEntries ?? 200;
  const maxWork = options.maxWork ?? 20000;
  // The hand-written pre-check knows the default pack only; any other pack gets the
  // (slower) combined regex, which is a superset by construction.
  const gate = isDefault ? scan : combinedGate(rules);
  const pseudo: Pseudonymizer | undefined =
    mode === 'pseudonym'
      ? createPseudonymizer({
          ...(options.rotateMs !== undefined ? { rotateMs: options.rotateMs } : {}),
          ...(options.now !== undefined ? { now: options.now } : {}),
        })
      : undefined;
  const tokenFor =
    pseudo === undefined
      ? (r: Compiled): string => r.replacement
      : (r: Compiled, text: string): string =>
          `${r.replacement.slice(0, -1)}:${pseudo.tag(r.name, text)}>`;

  function apply(r: Compiled, s: string): string {
    if (r.requires !== undefined && !s.includes(r.requires)) return s;
    const re = r.re;
    re.lastIndex = 0;
    let m = re.exec(s);
    if (m === null) return s;
    let out = '';
    let last = 0;
    while (m !== null) {
      const whole = m[0];
      const pre = r.prefixed ? (m[1] ?? '') : '';
      const token = pre.length > 0 ? whole.slice(pre.length) : whole;
      if (r.keep === undefined || !r.keep(token)) {
        out += s.slice(last, m.index) + pre + tokenFor(r, token);
        last = m.index + whole.length;
      }
      if (whole.length === 0) re.lastIndex++;
      m = re.exec(s);
    }
    return last === 0 ? s : out + s.slice(last);
  }

  /**
   * `apply` on each run of 40+ base64-class characters (plus `=` padding) only: every
   * long-token rule's match lies inside such a run, so the rest of the line is not scanned.
   */
  function applyInRuns(r: Compiled, s: string): string {
    const n = s.length;
    let out = '';
    let last = 0;
    let i = 0;
    while (i < n) {
      if ((cls(s.charCodeAt(i)) & B64) === 0) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && (cls(s.charCodeAt(j)) & B64) !== 0) j++;
      if (j - i >= 40) {
        const end = j;
        while (j < n && j < end + 2 && s.charCodeAt(j) === 61) j++;
        const part = s.slice(i, j);
        const done = apply(r, part);
        if (done !== part) {
          out += s.slice(last, i) + done;
          last = j;
        }
      }
      i = j;
    }
    return last === 0 ? s : out + s.slice(last);
  }

  function string(s: string): string {
    if (s.length > maxLen) s = truncate(s, maxLen);
    const seen = gate(s);
    if (seen === 0) return s;
    for (const r of rules)
      if ((r.needs & seen) !== 0) s = r.needs === SEEN_RUN ? applyInRuns(r, s) : apply(r, s);
    return s;
  }

  // The walk's state lives here, not in `value`, so a log line allocates no closures or
  // Set; `value` saves and restores it in case a getter or `toJSON` logs (re-enters).
  let ancestors = new Set<object>();
  let work = 0;

  function value(v: unknown): unknown {
    const outerWork = work;
    const outerAncestors = ancestors;
    work = 0;
    if (outerAncestors.size !== 0) ancestors = new Set();
    try {
      return walk(v, 0);
    } finally {
      work = outerWork;
      ancestors = outerAncestors;
    }
  }

  const walk = (x: unknown, depth: number): unknown => {
    if (++work > maxWork) return '[Dropped]';
    switch (typeof x) {
      case 'string':
        work += x.length >>> 6;
        return string(x);
      case 'number':
      case 'boolean':
      case 'undefined':
        return x;
      case 'bigint':
        return x.toString();
      case 'symbol':
        return string(x.toString());
      case 'function':
        return '[Function]';
    }
    if (x === null) return null;
    const o = x as object;
    if (ArrayBuffer.isView(o)) return `<${o.byteLength} bytes>`;
    if (o instanceof ArrayBuffer || o instanceof SharedArrayBuffer)
      return `<${o.byteLength} bytes>`;
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
    if (ancestors.has(o)) return '[Circular]';
    if (depth >= maxDepth) return Array.isArray(o) ? '[Array]' : '[Object]';
    ancestors.add(o);
    try {
      if (Array.isArray(o)) return walkArray(o, depth);
      if (o instanceof Error) return walkError(o, depth);
      if (o instanceof Map) return walkEntries(o.entries(), o.size, depth);
      if (o instanceof Set) return walkArray(Array.from(o), depth);
      const toJSON = (o as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return walk(toJSON.call(o), depth + 1);
      return walkObject(o, depth);
    } catch {
      return '[Unserializable]';
    } finally {
      ancestors.delete(o);
    }
  };
  const walkArray = (a: readonly unknown[], depth: number): unknown[] => {
    const n = Math.min(a.length, maxEntries);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = walk(a[i], depth + 1);
    if (a.length > n) out.push(`[… ${a.length - n} more]`);
    return out;
  };
  const field = (out: Record<string, unknown>, k: string, val: unknown, depth: number): void => {
    if (TRACE_CONTEXT_KEYS.has(k) && (typeof val === 'string' || typeof val === 'number'))
      out[k] = val;
    else out[string(k)] = walk(val, depth + 1);
  };
  const walkObject = (o: object, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      if (n++ >= maxEntries) continue;
      let val: unknown;
      try {
        val = (o as Record<string, unknown>)[k];
      } catch {
        val = '[Throws]';
      }
      field(out, k, val, depth);
    }
    if (n > maxEntries) out['…'] = `${n - maxEntries} more keys`;
    return out;
  };
  const walkEntries = (
    it: Iterable<[unknown, unknown]>,
    size: number,
    depth: number,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, val] of it) {
      if (n++ >= maxEntries) break;
      field(out, typeof k === 'string' ? k : String(walk(k, depth + 1)), val, depth);
    }
    if (size > maxEntries) out['…'] = `${size - maxEntries} more keys`;
    return out;
  };
  const walkError = (e: Error, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      type: e.name,
      message: string(String(e.message)),
    };
    if (typeof e.stack === 'string') out['stack'] = string(e.stack);
    for (const k of Object.keys(e)) {
      if (k === 'message' || k === 'stack') continue;
      let val: unknown;
      try {
        val = (e as unknown as Record<string, unknown>)[k];
      } catch {
        val = '[Throws]';
      }
      field(out, k, val, depth);
    }
    if (e.cause !== undefined && !('cause' in out)) out['cause'] = walk(e.cause, depth + 1);
    return out;
  };

  return { mode, string, value };
}
