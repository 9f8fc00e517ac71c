import WebSocket from 'ws';
import { DIAL_FAILURE_REASONS } from '@canopy/catalog';
import { helloBytes, signBytes, type Identity } from '../protocol/keys.js';
import { parseFrame, MAX_FRAME, type Frame } from '../protocol/frames.js';
import type { RelayMetrics } from './metrics.js';
import type { Faults } from '../common/faults.js';
import type { Logger } from '../common/log.js';

type DialFailure = (typeof DIAL_FAILURE_REASONS)[number];

/** Options of {@link RelayDialer}. */
export interface DialerOptions {
  readonly url: string;
  readonly identity: Identity;
  readonly metrics: RelayMetrics;
  readonly faults: Faults;
  readonly log: Logger;
  /** Called with an open, welcomed link; the relay treats it as a session. */
  readonly onLink: (ws: WebSocket) => void;
  /** Dial timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Longest reconnect delay. Default 10000 ms. */
  readonly maxBackoffMs?: number;
}

function classify(err: unknown): DialFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'handshake';
}

/**
 * Keeps one outbound link to another relay: dials, answers the challenge as a relay,
 * measures dial latency, counts failures by reason and reconnects with exponential
 * backoff (jittered) after any failure or close.
 */
export class RelayDialer {
  private ws: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = false;

  constructor(private readonly o: DialerOptions) {}

  /** Starts dialing. */
  start(): void {
    this.dial();
  }

  /** Drops the current link (used by the dial-fail fault); it will be redialed. */
  drop(): void {
    this.ws?.terminate();
  }

  /** Stops dialing and closes the link. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ws?.terminate();
  }

  private retry(): void {
    if (this.stopped) return;
    const max = this.o.maxBackoffMs ?? 10_000;
    const delay = Math.min(max, 100 * 2 ** Math.min(this.attempt, 10)) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.timer = setTimeout(() => this.dial(), delay);
    this.timer.unref();
  }

  private dial(): void {
    if (this.stopped) return;
    const m = this.o.metrics;
    const t0 = process.hrtime.bigint();
    let settled = false;
    const fail = (reason: DialFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      m.dialFailures.labels({ reason }).inc();
      this.o.log.warn({ reason }, 'relay dial failed');
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      this.retry();
    };
    const ws = new WebSocket(this.o.url, {
      maxPayload: MAX_FRAME,
      handshakeTimeout: this.o.timeoutMs ?? 5000,
    });
    this.ws = ws;
    const timeout = setTimeout(() => fail('timeout'), this.o.timeoutMs ?? 5000);
    ws.on('error', (e) => fail(classify(e)));
    ws.on('close', () => fail('closed'));
    ws.on('message', (data) => {
      const f: Frame | undefined = parseFrame(data.toString());
      if (f === undefined) return fail('handshake');
      if (f.t === 'challenge') {
        if (this.o.faults.get('dial-fail').on) return fail('handshake');
        ws.send(
          JSON.stringify({
            t: 'hello',
            key: this.o.identity.publicKey,
            sig: signBytes(this.o.identity, helloBytes(f.nonce)),
            role: 'relay',
          } satisfies Frame),
        );
      } else if (f.t === 'welcome') {
        settled = true;
        clearTimeout(timeout);
        m.dialDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
        this.attempt = 0;
        ws.removeAllListeners();
        ws.send(JSON.stringify({ t: 'sub', ns: ['*'] } satisfies Frame));
        ws.on('close', () => this.retry());
        ws.on('error', () => {});
        this.o.log.info('relay link up');
        this.o.onLink(ws);
      } else fail('handshake');
    });
  }
}
