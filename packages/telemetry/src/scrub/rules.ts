/**
 * The rule pack: what the scrubber recognises, as data. The same rules run in-process
 * (compiled to JS regexes by `scrubber.ts`) and are emitted by `@canopy/stack` as Alloy
 * `stage.replace` blocks and Prometheus `metric_relabel_configs`, so every `source` and
 * `prefix` must be valid in both JS and Go RE2: no lookaround, no backreferences, no
 * capturing groups (use `(?:…)`), no inline flags, ASCII classes only.
 * @module
 */

/**
 * A JS-only check that keeps a match the regex found (the engines' versions have no such
 * check and so redact a little more). Names, not functions, so the pack stays data.
 * - `identifier`: keeps tokens shaped like paths, snake/kebab/camel-case names and W3C
 *   `traceparent` values — never random key material (see `scrubber.ts`).
 * - `loopback`: keeps `127.x.x.x`, `0.0.0.0`, `::1` and `::` (they identify no one, and
 *   `http://127.0.0.1:9090/…` is in every local service's log).
 */
export type ScrubKeep = 'identifier' | 'loopback';

/** One named rule: a regex for the sensitive text and the token it becomes. */
export interface ScrubRule {
  /** Stable name (kebab-case); pseudonyms and docs refer to it. */
  readonly name: string;
  /** What the rule is for, one line. */
  readonly description: string;
  /**
   * Context that must precede the sensitive text and is kept, e.g. `/p2p/` in a multiaddr.
   * RE2- and JS-compatible, non-capturing.
   */
  readonly prefix?: string;
  /** The sensitive text. RE2- and JS-compatible, non-capturing, case-sensitive. */
  readonly source: string;
  /** What the sensitive text becomes, e.g. `<peer>`. Pseudonym mode adds `:<tag>`. */
  readonly replacement: string;
  /** A JS-only check that keeps some matches (see {@link ScrubKeep}). */
  readonly keep?: ScrubKeep;
  /** A literal every match contains; the rule is skipped when the text lacks it (JS only). */
  readonly requires?: string;
}

const B58 = '[1-9A-HJ-NP-Za-km-z]';
const B32 = '[a-z2-7]';
const HEX = '[0-9A-Fa-f]';
const H4 = `${HEX}{1,4}`;
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
// A standalone address's first octet: 1–255 without 127 (loopback and 0.0.0.0 identify no
// one), so the engines' RE2 versions need no keep-check for them either.
const OCTET1 = '(?:25[0-5]|2[0-4][0-9]|1[013-9][0-9]|12[0-689]|[1-9][0-9]?)';
// A multiaddr component value or a URL-ish field value ends at these.
const COMPONENT = `[^/\\s"'<>,;()\\[\\]{}\\\\]+`;
// IPv6 forms, longest first so the leftmost-first alternation takes the whole address.
const IPV6 = [
  `(?:0{1,4}:){5}[Ff]{4}:${IPV4}`, // 0:0:0:0:0:ffff:1.2.3.4
  `(?:${H4}:){1,6}:(?:${H4}:){0,4}${IPV4}`, // 64:ff9b::1.2.3.4
  `::(?:[Ff]{4}:)?${IPV4}`, // ::ffff:1.2.3.4, ::1.2.3.4
  `(?:${H4}:){7}${H4}`, // full form
  `(?:${H4}:){1,6}:(?:${H4}(?::${H4}){0,5})?`, // 2001:db8::1, fe80::
  `::${H4}(?::${H4}){0,6}`, // ::1
].join('|');

/**
 * The pack, in the order it is applied. Specific shapes come first (so they get a
 * specific token); the last rule catches any long run of base58/base64/base64url/multibase
 * characters, which is what keeps unknown key encodings out.
 *
 * @example
 * import { SCRUB_RULES } from '@canopy/telemetry';
 * for (const r of SCRUB_RULES) console.log(r.name, r.replacement);
 */
export const SCRUB_RULES: readonly ScrubRule[] = [
  {
    name: 'email',
    requires: '@',
    description: 'e-mail addresses',
    // Bounded repeats: an unbounded local part rescans a long run at every start (quadratic).
    source:
      '[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}',
    replacement: '<email>',
  },
  {
    name: 'multiaddr-peer',
    requires: '/',
    description: 'the peer of a multiaddr (`/p2p/…`, `/ipfs/…`), in any encoding',
    prefix: '/(?:p2p|ipfs|p2p-circuit/p2p)/',
    source: COMPONENT,
    replacement: '<peer>',
  },
  {
    name: 'multiaddr-host',
    requires: '/',
    description: 'the host of a multiaddr (`/dns4/…`, `/dnsaddr/…`, `/onion3/…`, `/sni/…`)',
    prefix: '/(?:dns|dns4|dns6|dnsaddr|onion|onion3|garlic32|garlic64|sni)/',
    source: COMPONENT,
    replacement: '<host>',
  },
  {
    name: 'multiaddr-certhash',
    requires: '/certhash/',
    description: 'WebTransport/WebRTC certificate hashes in a multiaddr (`/certhash/…`)',
    prefix: '/certhash/',
    source: COMPONENT,
    replacement: '<hash>',
  },
  {
    name: 'peer-id',
    description: 'libp2p peer IDs: ed25519 `12D3KooW…`, secp256k1 `16Uiu2…`, CIDv1 `bafz…`',
    source: `(?:12D3KooW${B58}{44}|16Uiu2HA${B58}{45}|bafz${B32}{50,})`,
    replacement: '<peer>',
  },
  {
    name: 'cid',
    description: 'CIDs: v0 `Qm…` (also legacy RSA peer IDs), v1 base32 `b…`, base36 `k…`',
    source: `(?:Qm${B58}{44}|b${B32}{50,}|k[0-9a-z]{48,})`,
    replacement: '<cid>',
  },
  {
    name: 'hex',
    description: 'hex of 20 bytes or more: content hashes (40/64/128), keys, hex peer IDs',
    source: `${HEX}{40,}`,
    replacement: '<hash>',
  },
  {
    name: 'base32',
    description: 'base32 keys and IDs (RFC 4648, either case, multibase `b`/`B` included)',
    source: `(?:${B32}{50,}|[A-Z2-7]{50,})`,
    replacement: '<key>',
  },
  {
    name: 'ipv6',
    keep: 'loopback',
    requires: ':',
    description: 'IPv6 addresses: full, compressed, v4-mapped, with a zone (`%eth0`)',
    source: `(?:${IPV6})(?:%(?:25)?[0-9A-Za-z._~-]+)?`,
    replacement: '<ip>',
  },
  {
    name: 'ipv4',
    requires: '.',
    description: 'IPv4 addresses (with or without a port), not loopback or 0.0.0.0',
    // Not preceded by a digit or dot, so `127.0.0.1` is not read as `27.0.0.1`.
    prefix: '(?:^|[^0-9.])',
    source: `${OCTET1}(?:\\.${OCTET}){3}`,
    replacement: '<ip>',
  },
  {
    name: 'encoded-id',
    description:
      'any 40+ character base58/base64/base64url/multibase run: ed25519 keys (43–44), peer IDs',
    source: '[A-Za-z0-9+/_-]{40,}={0,2}',
    replacement: '<id>',
    keep: 'identifier',
  },
];

/** Field names whose values are trace context and pass through untouched. */
export const TRACE_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  'trace_id',
  'span_id',
  'traceId',
  'spanId',
  'traceparent',
  'tracestate',
  'parent_span_id',
  'parentSpanId',
]);
