import type { WebSocket } from 'ws';
import { helloBytes, newChallenge, verifyBytes } from './keys.js';
import { parseFrame, type Frame } from './frames.js';

/** Outcome of a server-side hello, as counted in `relay_ws_upgrades_total{result}`. */
export type HelloResult = 'success' | 'bad_hello' | 'bad_signature' | 'rejected' | 'error';

/** Options of {@link serverHandshake}. */
export interface HandshakeOptions {
  /** Time the peer has to answer. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Whether one more peer may join now (false → `rejected`). */
  readonly canJoin?: () => boolean;
  /** Called once with the outcome (and the bytes of the hello frame, if any). */
  readonly onResult: (result: HelloResult, bytes: number) => void;
  /** Called after `success`, before `welcome` is sent; later frames go to the caller's handlers. */
  readonly onJoin: (role: 'peer' | 'relay' | 'replay') => void;
}

/** A public key as a hello must carry it: base64url of 32 bytes. Anything else is a bad hello. */
const KEY_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether a socket error is the peer breaking the WebSocket protocol (a frame over
 * `maxPayload`, invalid UTF-8, a bad opcode…) rather than the network failing: `ws` gives
 * those a `WS_ERR_…` code.
 */
export function isProtocolError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code.startsWith('WS_ERR_');
}

/**
 * Runs the server side of the hello: sends a challenge, waits for a hello signed by the
 * peer's ed25519 key, and either welcomes it or refuses it with a reason. Returns a
 * function that tells whether the handshake is still pending.
 */
export function serverHandshake(ws: WebSocket, o: HandshakeOptions): () => boolean {
  const nonce = newChallenge();
  let pending = true;
  const finish = (result: HelloResult, bytes: number): void => {
    pending = false;
    clearTimeout(timer);
    ws.off('message', onMessage);
    o.onResult(result, bytes);
    if (result !== 'success') {
      if (ws.readyState === 1) {
        ws.send(JSON.stringify({ t: 'err', reason: result } satisfies Frame));
        ws.close(1008, result);
      } else ws.terminate();
    }
  };
  const timer = setTimeout(() => pending && finish('bad_hello', 0), o.timeoutMs ?? 5000);
  const onMessage = (data: Buffer, isBinary: boolean): void => {
    if (!pending) return;
    const f = isBinary ? undefined : parseFrame(data.toString());
    if (
      f === undefined ||
      f.t !== 'hello' ||
      typeof f.key !== 'string' ||
      !KEY_RE.test(f.key) ||
      typeof f.sig !== 'string'
    )
      return finish('bad_hello', data.length);
    if (!verifyBytes(f.key, helloBytes(nonce), f.sig)) return finish('bad_signature', data.length);
    if (o.canJoin !== undefined && !o.canJoin()) return finish('rejected', data.length);
    finish('success', data.length);
    o.onJoin(f.role === 'relay' || f.role === 'replay' ? f.role : 'peer');
    ws.send(JSON.stringify({ t: 'welcome' } satisfies Frame));
  };
  ws.on('message', onMessage);
  ws.once('close', () => pending && finish('bad_hello', 0));
  ws.once('error', (e) => pending && finish(isProtocolError(e) ? 'bad_hello' : 'error', 0));
  ws.send(JSON.stringify({ t: 'challenge', nonce } satisfies Frame));
  return () => pending;
}
