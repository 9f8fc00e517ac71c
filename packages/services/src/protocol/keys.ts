import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/** An ed25519 identity: the public key as base64url of its 32 raw bytes, and the private key. */
export interface Identity {
  /** base64url of the raw 32-byte public key; a peer's identity — never logged or labelled. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** Creates a fresh ed25519 identity. */
export function newIdentity(): Identity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { publicKey: jwk.x!, privateKey };
}

/** Rebuilds an identity from a PKCS#8 PEM private key. */
export function identityFromPem(pem: string): Identity {
  const privateKey = createPrivateKey(pem);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { publicKey: jwk.x!, privateKey };
}

/** Signs bytes; returns base64url. */
export function signBytes(id: Identity, data: Buffer): string {
  return sign(null, data, id.privateKey).toString('base64url');
}

const KEY_RE = /^[A-Za-z0-9_-]{43}$/;
const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_MAX = 4096;

function publicKeyObject(publicKey: string): KeyObject | undefined {
  let k = keyCache.get(publicKey);
  if (k !== undefined) return k;
  if (!KEY_RE.test(publicKey)) return undefined;
  try {
    k = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  } catch {
    return undefined;
  }
  // Bounded: a flood of fresh keys evicts the oldest instead of growing memory.
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(publicKey, k);
  return k;
}

/** Verifies a base64url ed25519 signature over bytes by a base64url public key. */
export function verifyBytes(publicKey: string, data: Buffer, signature: string): boolean {
  const k = publicKeyObject(publicKey);
  if (k === undefined || typeof signature !== 'string' || signature.length !== 86) return false;
  try {
    return verify(null, data, k, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** A fresh random challenge for a hello. */
export function newChallenge(): string {
  return randomBytes(24).toString('base64url');
}

/** The bytes a peer signs to answer a challenge (domain-separated). */
export function helloBytes(challenge: string): Buffer {
  return Buffer.from(`canopy-hello\n${challenge}`);
}

/** sha256 hex of bytes (used for event ids; never logged). */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
