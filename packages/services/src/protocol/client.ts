import WebSocket from 'ws';
import { helloBytes, signBytes, type Identity } from './keys.js';
import { MAX_FRAME, parseFrame, type Frame } from './frames.js';
import type { SignedEvent } from './event.js';
import type { TraceCarrier } from '../actors/actor.js';

/** Options of {@link connectPeer}. */
export interface PeerOptions {
  readonly url: string;
  readonly identity: Identity;
  readonly role?: 'peer' | 'relay' | 'replay';
  /** Give up if not welcomed within this. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Receives events and sync completions. */
  readonly onFrame?: (f: Frame) => void;
}

/** A welcomed connection to a relay or a replay. */
export interface PeerConnection {
  readonly ws: WebSocket;
  subscribe(ns: readonly string[]): void;
  publish(ev: SignedEvent, tc?: TraceCarrier): void;
  sync(ns: string, since: Record<string, number>): void;
  close(): void;
}

/**
 * Connects, answers the challenge with the identity's signature and resolves once welcomed.
 * Rejects with the server's reason (e.g. `bad_signature`) or on timeout.
 */
export function connectPeer(o: PeerOptions): Promise<PeerConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(o.url, { maxPayload: MAX_FRAME * 4 });
    let welcomed = false;
    const fail = (e: Error): void => {
      clearTimeout(timer);
      if (!welcomed) {
        ws.terminate();
        reject(e);
      }
    };
    const timer = setTimeout(
      () => fail(new Error('timeout waiting for welcome')),
      o.timeoutMs ?? 5000,
    );
    ws.on('error', (e) => fail(e));
    ws.on('close', (code, why) =>
      fail(new Error(`closed before welcome (${code} ${why.toString()})`)),
    );
    ws.on('message', (data) => {
      const f = parseFrame(data.toString());
      if (f === undefined) return;
      if (!welcomed) {
        if (f.t === 'challenge') {
          const hello: Frame = {
            t: 'hello',
            key: o.identity.publicKey,
            sig: signBytes(o.identity, helloBytes(f.nonce)),
            role: o.role ?? 'peer',
          };
          ws.send(JSON.stringify(hello));
        } else if (f.t === 'welcome') {
          welcomed = true;
          clearTimeout(timer);
          ws.removeAllListeners('close');
          ws.removeAllListeners('error');
          ws.on('error', () => {});
          resolve({
            ws,
            subscribe: (ns) => ws.send(JSON.stringify({ t: 'sub', ns: [...ns] } satisfies Frame)),
            publish: (ev, tc) => ws.send(JSON.stringify({ t: 'pub', ev, tc } satisfies Frame)),
            sync: (ns, since) => ws.send(JSON.stringify({ t: 'sync', ns, since } satisfies Frame)),
            close: () => ws.close(1000, 'bye'),
          });
        } else if (f.t === 'err') fail(new Error(f.reason));
        return;
      }
      o.onFrame?.(f);
    });
  });
}
