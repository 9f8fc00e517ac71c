import type { SignedEvent } from './event.js';
import type { TraceCarrier } from '../actors/actor.js';

/**
 * WebSocket frames (JSON text). Every frame has `t`; events and sync requests may carry
 * W3C trace context in `tc` (`{ traceparent, tracestate? }`). `tc` is optional: frames
 * without it are handled as before, and a malformed `traceparent` starts a new trace.
 *
 * server → client: challenge, welcome, ev, err, sync-done
 * client → server: hello, sub, pub, sync, ping
 */
export type Frame =
  | { t: 'challenge'; nonce: string }
  | { t: 'hello'; key: string; sig: string; role?: 'peer' | 'relay' | 'replay' }
  | { t: 'welcome' }
  | { t: 'sub'; ns: string[] }
  | { t: 'pub'; ev: SignedEvent; tc?: TraceCarrier | undefined }
  | { t: 'ev'; ev: SignedEvent; tc?: TraceCarrier | undefined }
  | { t: 'sync'; ns: string; since: Record<string, number>; tc?: TraceCarrier | undefined }
  | { t: 'sync-done'; ns: string; count: number }
  | { t: 'err'; reason: string }
  | { t: 'ping' };

/** Largest frame accepted, in bytes. */
export const MAX_FRAME = 64 * 1024;
/** Most namespaces one subscription may name. */
export const MAX_SUBS = 64;

const TYPES = new Set([
  'challenge',
  'hello',
  'welcome',
  'sub',
  'pub',
  'ev',
  'sync',
  'sync-done',
  'err',
  'ping',
]);

/** Parses a frame; returns `undefined` for anything that is not JSON with a known `t`. */
export function parseFrame(data: string): Frame | undefined {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const t = (v as { t?: unknown }).t;
  return typeof t === 'string' && TYPES.has(t) ? (v as Frame) : undefined;
}
