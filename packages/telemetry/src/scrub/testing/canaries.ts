/**
 * Synthetic identifiers ("canaries") of every kind the scrubber must catch, from a seeded
 * PRNG: ed25519 keys in every encoding, libp2p peer IDs, CIDs, content hashes, IPv4/IPv6
 * in all their forms, multiaddrs and e-mail addresses. A test injects them and then asserts
 * that no `secret` of any canary appears in what left the process.
 * @module
 */
import { base32, base36, base58, base64, base64url, hex } from './encodings.js';

/** One injected identifier. */
export interface Canary {
  /** Which generator made it (e.g. `peer-id-ed25519`, `multiaddr-ip6`). */
  readonly kind: string;
  /** The text to inject. */
  readonly text: string;
  /** Substrings that must never appear in output (a multiaddr's host and peer, not `/tcp/`). */
  readonly secrets: readonly string[];
}

/** mulberry32: small, fast and seedable; a failing seed reproduces everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;
function bytes(r: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}
const cat = (...parts: Array<Uint8Array | number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => Array.from(p)));

// libp2p identity multihash of an ed25519 protobuf public key: 00 24 08 01 12 20 <32 bytes>.
const ed25519PeerBytes = (key: Uint8Array): Uint8Array =>
  cat([0x00, 0x24, 0x08, 0x01, 0x12, 0x20], key);
const secpPeerBytes = (key: Uint8Array): Uint8Array =>
  cat([0x00, 0x25, 0x08, 0x02, 0x12, 0x21], key);
const sha256Multihash = (digest: Uint8Array): Uint8Array => cat([0x12, 0x20], digest);

function ipv4(r: Rand): string {
  // Unicast only: the first octet 1–223 and never 127 (loopback identifies nobody and the
  // scrubber keeps it).
  let a = 1 + int(r, 223);
  if (a === 127) a = 128;
  return [a, int(r, 256), int(r, 256), int(r, 256)].join('.');
}
const h4 = (r: Rand): string => (0x1000 + int(r, 0xf000)).toString(16);
function ipv6Full(r: Rand): string {
  return Array.from({ length: 8 }, () => h4(r)).join(':');
}
function ipv6Compressed(r: Rand): string {
  const left = 1 + int(r, 3);
  const right = 1 + int(r, 3);
  const g = (n: number): string => Array.from({ length: n }, () => h4(r)).join(':');
  return `${g(left)}::${g(right)}`;
}

type Gen = (r: Rand) => Canary;
const one = (kind: string, text: string, secret = text): Canary => ({
  kind,
  text,
  secrets: [secret],
});

/** Every generator, by kind. */
export const CANARY_KINDS: Readonly<Record<string, Gen>> = {
  'ed25519-hex': (r) => one('ed25519-hex', hex(bytes(r, 32))),
  'ed25519-hex-upper': (r) => one('ed25519-hex-upper', hex(bytes(r, 32)).toUpperCase()),
  'ed25519-base64': (r) => one('ed25519-base64', base64(bytes(r, 32))),
  'ed25519-base64-unpadded': (r) =>
    one('ed25519-base64-unpadded', base64(bytes(r, 32)).replace(/=+$/, '')),
  'ed25519-base64url': (r) => one('ed25519-base64url', base64url(bytes(r, 32))),
  'ed25519-base58': (r) => one('ed25519-base58', base58(bytes(r, 32))),
  'ed25519-base32': (r) => one('ed25519-base32', base32(bytes(r, 32))),
  'ed25519-base32-upper': (r) => one('ed25519-base32-upper', base32(bytes(r, 32)).toUpperCase()),
  'multibase-z': (r) => one('multibase-z', `z${base58(bytes(r, 32))}`),
  'multibase-m': (r) => one('multibase-m', `m${base64(bytes(r, 32)).replace(/=+$/, '')}`),
  'multibase-u': (r) => one('multibase-u', `u${base64url(bytes(r, 32))}`),
  'multibase-f': (r) => one('multibase-f', `f${hex(bytes(r, 32))}`),
  'multibase-b': (r) => one('multibase-b', `b${base32(bytes(r, 32))}`),
  'peer-id-ed25519': (r) => one('peer-id-ed25519', base58(ed25519PeerBytes(bytes(r, 32)))),
  'peer-id-secp256k1': (r) =>
    one('peer-id-secp256k1', base58(secpPeerBytes(cat([2 + int(r, 2)], bytes(r, 32))))),
  'peer-id-rsa-qm': (r) => one('peer-id-rsa-qm', base58(sha256Multihash(bytes(r, 32)))),
  'peer-id-cidv1': (r) =>
    one('peer-id-cidv1', `b${base32(cat([0x01, 0x72], ed25519PeerBytes(bytes(r, 32))))}`),
  'peer-id-base36': (r) =>
    one('peer-id-base36', `k${base36(cat([0x01, 0x72], ed25519PeerBytes(bytes(r, 32))))}`),
  'peer-id-hex': (r) => one('peer-id-hex', hex(ed25519PeerBytes(bytes(r, 32)))),
  'peer-id-base64': (r) => one('peer-id-base64', base64(ed25519PeerBytes(bytes(r, 32)))),
  'cid-v0': (r) => one('cid-v0', base58(sha256Multihash(bytes(r, 32)))),
  'cid-v1-dag-pb': (r) =>
    one('cid-v1-dag-pb', `b${base32(cat([0x01, 0x70], sha256Multihash(bytes(r, 32))))}`),
  'cid-v1-raw': (r) =>
    one('cid-v1-raw', `b${base32(cat([0x01, 0x55], sha256Multihash(bytes(r, 32))))}`),
  'hash-hex-40': (r) => one('hash-hex-40', hex(bytes(r, 20))),
  'hash-hex-64': (r) => one('hash-hex-64', hex(bytes(r, 32))),
  'hash-hex-128': (r) => one('hash-hex-128', hex(bytes(r, 64))),
  ipv4: (r) => one('ipv4', ipv4(r)),
  'ipv4-port': (r) => {
    const ip = ipv4(r);
    return one('ipv4-port', `${ip}:${1024 + int(r, 60000)}`, ip);
  },
  'ipv6-full': (r) => one('ipv6-full', ipv6Full(r)),
  'ipv6-compressed': (r) => one('ipv6-compressed', ipv6Compressed(r)),
  'ipv6-v4-mapped': (r) => {
    const v4 = ipv4(r);
    return { kind: 'ipv6-v4-mapped', text: `::ffff:${v4}`, secrets: [v4] };
  },
  'ipv6-zone': (r) => {
    const ip = `fe80::${h4(r)}:${h4(r)}:${h4(r)}`;
    return one('ipv6-zone', `${ip}%eth${int(r, 4)}`, ip);
  },
  'ipv6-bracketed-port': (r) => {
    const ip = ipv6Compressed(r);
    return one('ipv6-bracketed-port', `[${ip}]:${1024 + int(r, 60000)}`, ip);
  },
  'multiaddr-ip4': (r) => {
    const ip = ipv4(r);
    const peer = base58(ed25519PeerBytes(bytes(r, 32)));
    return {
      kind: 'multiaddr-ip4',
      text: `/ip4/${ip}/tcp/${1024 + int(r, 60000)}/p2p/${peer}`,
      secrets: [ip, peer],
    };
  },
  'multiaddr-ip6-quic': (r) => {
    const ip = ipv6Compressed(r);
    const peer = base58(ed25519PeerBytes(bytes(r, 32)));
    return {
      kind: 'multiaddr-ip6-quic',
      text: `/ip6/${ip}/udp/${1024 + int(r, 60000)}/quic-v1/p2p/${peer}`,
      secrets: [ip, peer],
    };
  },
  'multiaddr-dns-wss': (r) => {
    const host = `node${int(r, 1e6)}.peers${int(r, 1e4)}.example.net`;
    const peer = base58(sha256Multihash(bytes(r, 32)));
    return {
      kind: 'multiaddr-dns-wss',
      text: `/dns4/${host}/tcp/443/wss/p2p/${peer}`,
      secrets: [host, peer],
    };
  },
  'multiaddr-webtransport': (r) => {
    const ip = ipv4(r);
    const cert = `uEi${base64url(bytes(r, 32))}`;
    const peer = `b${base32(cat([0x01, 0x72], ed25519PeerBytes(bytes(r, 32))))}`;
    return {
      kind: 'multiaddr-webtransport',
      text: `/ip4/${ip}/udp/${1024 + int(r, 60000)}/quic-v1/webtransport/certhash/${cert}/p2p/${peer}`,
      secrets: [ip, cert, peer],
    };
  },
  'multiaddr-circuit': (r) => {
    const ip = ipv4(r);
    const relay = base58(ed25519PeerBytes(bytes(r, 32)));
    const target = base58(ed25519PeerBytes(bytes(r, 32)));
    return {
      kind: 'multiaddr-circuit',
      text: `/ip4/${ip}/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${target}`,
      secrets: [ip, relay, target],
    };
  },
  email: (r) => {
    const user = `${pick(r, ['ana', 'bo', 'chen', 'dana', 'eli'])}.${int(r, 1e6)}`;
    return one(
      'email',
      `${user}@${pick(r, ['example.org', 'mail.example.com', 'peers.example.net'])}`,
    );
  },
};

/**
 * `count` canaries, round-robin over every kind, from `seed`.
 *
 * @example
 * for (const c of generateCanaries(100_000, 7)) log.info({ peer: c.text }, 'dial');
 */
export function generateCanaries(count: number, seed: number): Canary[] {
  const r = mulberry32(seed);
  const gens = Object.values(CANARY_KINDS);
  const out: Canary[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = (gens[i % gens.length] as Gen)(r);
  return out;
}

/**
 * The canaries whose secrets appear in `output`: what a scan over captured bytes reports.
 *
 * @example assert.deepEqual(leaks(stdout, batch), []);
 */
export function leaks(output: string, canaries: readonly Canary[]): Canary[] {
  const found: Canary[] = [];
  for (const c of canaries) if (c.secrets.some((s) => output.includes(s))) found.push(c);
  return found;
}

/** Finds canary secrets in large outputs in one pass (rolling hash over their first chars). */
export interface LeakScanner {
  /** The canaries with a secret somewhere in `text`. */
  scan(text: string): Canary[];
  /** How many secrets it looks for. */
  readonly secrets: number;
}

const K = 7; // the shortest secret: an IPv4 address like 1.0.0.0
const P = 31;

/**
 * A scanner for many canaries over big captured outputs (logs, OTLP bodies, /metrics):
 * `O(text)` instead of `O(text × canaries)`.
 *
 * @example assert.deepEqual(createLeakScanner(canaries).scan(stdout), []);
 */
export function createLeakScanner(canaries: readonly Canary[]): LeakScanner {
  const byHash = new Map<number, Array<[string, Canary, number]>>();
  let n = 0;
  for (const c of canaries)
    for (const s of c.secrets) {
      if (s.length < K) throw new RangeError(`canary secret '${s}' is shorter than ${K}`);
      let h = 0;
      // Hash a window from the middle: prefixes (12D3KooW…, bafz…, fe80::) and suffixes
      // (.example.org) are shared by thousands of secrets, the middle is random.
      const off = (s.length - K) >> 1;
      for (let i = 0; i < K; i++) h = (Math.imul(h, P) + s.charCodeAt(off + i)) >>> 0;
      const list = byHash.get(h);
      if (list === undefined) byHash.set(h, [[s, c, off]]);
      else list.push([s, c, off]);
      n++;
    }
  let pow = 1;
  for (let i = 1; i < K; i++) pow = Math.imul(pow, P) >>> 0;
  return {
    secrets: n,
    scan(text) {
      const found = new Set<Canary>();
      if (text.length < K) return [];
      let h = 0;
      for (let i = 0; i < K; i++) h = (Math.imul(h, P) + text.charCodeAt(i)) >>> 0;
      for (let i = 0; ; i++) {
        const list = byHash.get(h);
        if (list !== undefined)
          for (const [s, c, off] of list) if (i >= off && text.startsWith(s, i - off)) found.add(c);
        if (i + K >= text.length) break;
        h = (Math.imul(h - Math.imul(text.charCodeAt(i), pow), P) + text.charCodeAt(i + K)) >>> 0;
      }
      return [...found];
    },
  };
}
