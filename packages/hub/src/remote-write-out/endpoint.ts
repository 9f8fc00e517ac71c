/**
 * One remote_write endpoint: the filter that decides what it gets, the durable queue, and
 * the loop that sends the queue's head (remote_write 1.0: snappy-compressed WriteRequest)
 * with retries: 429 and 5xx and network errors are retried with exponential backoff (and
 * `Retry-After` honoured), any other 4xx refuses the batch for good (dropped, counted,
 * logged). Secrets are read from their files at every send, so they can be rotated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import snappy from 'snappyjs';
import type { Labels } from '../model.js';
import { encodeWriteRequest, type WriteSeries } from '../remote-write/write-request.js';
import { ProtoWriter } from '../wire/protobuf.js';
import type { RemoteWriteEndpoint } from './config.js';
import { DurableQueue } from './queue.js';
import { SeriesFilter, type DropReason } from './relabel.js';

/** Where an endpoint logs (the hub's logger); URLs are logged, secrets never. */
export interface RemoteWriteLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Counters of one endpoint, as the hub's /metrics shows them. */
export interface EndpointStats {
  samplesSent: number;
  /** Samples in send attempts that failed (each attempt counts). */
  samplesFailed: number;
  /** Requests retried. */
  retries: number;
  /** Samples never sent, by reason. */
  dropped: Record<DropReason | 'queue_full' | 'queue_error' | 'rejected', number>;
  /** Unix time of the last successful send, s; 0 before the first. */
  lastSendSeconds: number;
}

/** Longest wait a `Retry-After` may ask for before the next try. */
const MAX_RETRY_AFTER_MS = 300_000;
/** After new samples arrive, wait this long for more before sending. */
const COALESCE_MS = 200;

/** Samples tapped from one appender commit, column-wise, `[0, n)`. */
export interface TappedBatch {
  readonly labels: readonly Labels[];
  readonly t: Float64Array;
  /** Values (bit-exact: staleness markers included). */
  readonly v: Float64Array;
  readonly n: number;
}

/** A configured endpoint with its queue and sender loop. */
export class Endpoint {
  readonly stats: EndpointStats = {
    samplesSent: 0,
    samplesFailed: 0,
    retries: 0,
    dropped: {
      relabel: 0,
      not_in_catalog: 0,
      series_limit: 0,
      queue_full: 0,
      queue_error: 0,
      rejected: 0,
    },
    lastSendSeconds: 0,
  };
  readonly queue: DurableQueue;
  private readonly filter: SeriesFilter;
  private readonly writer = new ProtoWriter(64 * 1024);
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(
    readonly config: RemoteWriteEndpoint,
    dataDir: string,
    private readonly logger?: RemoteWriteLogger,
  ) {
    this.filter = new SeriesFilter({
      rules: config.write_relabel_configs,
      catalogOnly: config.catalog_only,
      seriesLimit: config.series_limit,
    });
    this.queue = new DurableQueue(
      join(dataDir, 'remote-write', config.name),
      config.queue.max_bytes,
    );
  }

  /** Filters, encodes and queues one commit's samples (durable when this returns). */
  add(b: TappedBatch): void {
    // Sample indexes per series; values are copied from b.v straight into Float64Arrays
    // (a number[] would canonicalise the staleness marker's NaN payload).
    const bySeries = new Map<string, { labels: Labels; idx: number[] }>();
    let n = 0;
    for (let i = 0; i < b.n; i++) {
      const o = this.filter.outcome(b.labels[i]!);
      if ('drop' in o) {
        this.stats.dropped[o.drop]++;
        continue;
      }
      let s = bySeries.get(o.key);
      if (s === undefined) bySeries.set(o.key, (s = { labels: o.labels, idx: [] }));
      s.idx.push(i);
      n++;
    }
    if (n === 0) return;
    const timeseries: WriteSeries[] = [];
    for (const s of bySeries.values()) {
      const t = new Float64Array(s.idx.length);
      const v = new Float64Array(s.idx.length);
      for (let k = 0; k < s.idx.length; k++) {
        t[k] = b.t[s.idx[k]!]!;
        v[k] = b.v[s.idx[k]!]!;
      }
      timeseries.push({ labels: s.labels, t, v });
    }
    const body = snappy.compress(encodeWriteRequest({ timeseries, metadata: [] }, this.writer));
    const before = this.queue.droppedSamples;
    try {
      this.queue.push(body, n);
    } catch (e) {
      // A full disk or a stopped queue must not fail the commit that already stored the samples.
      this.stats.dropped.queue_error += n;
      this.logger?.warn('remote write: could not queue samples; they are dropped', {
        remote: this.config.name,
        samples: n,
        reason: (e as Error).message,
      });
      return;
    }
    this.stats.dropped.queue_full += this.queue.droppedSamples - before;
    this.wake?.();
  }

  /** Starts the sender loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /** Stops the loop (an in-flight request gets up to 2 s) and closes the queue. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    const timer = setTimeout(() => this.abort.abort(), 2000);
    await this.loop;
    clearTimeout(timer);
    this.queue.close();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let backoff = this.config.queue.min_backoff;
    while (this.running) {
      if (this.queue.pendingSamples === 0) {
        await this.sleep(60_000);
        if (this.running && this.queue.pendingSamples < this.config.queue.max_samples_per_send)
          await this.sleep(COALESCE_MS);
        continue;
      }
      const rows = this.queue.peek(this.config.queue.max_samples_per_send);
      const lastId = rows[rows.length - 1]!.id;
      const samples = rows.reduce((a, r) => a + r.samples, 0);
      const r = await this.send(rows.map((x) => x.body));
      if (r.ok) {
        this.queue.ack(lastId);
        this.stats.samplesSent += samples;
        this.stats.lastSendSeconds = Date.now() / 1000;
        backoff = this.config.queue.min_backoff;
        continue;
      }
      this.stats.samplesFailed += samples;
      if (!r.retry) {
        this.queue.ack(lastId);
        this.stats.dropped.rejected += samples;
        this.logger?.warn('remote write: the endpoint refused a batch; it is dropped', {
          remote: this.config.name,
          url: this.config.url,
          samples,
          reason: r.reason,
        });
        continue;
      }
      if (!this.running) break;
      this.stats.retries++;
      const wait = Math.min(Math.max(backoff, r.retryAfterMs ?? 0), MAX_RETRY_AFTER_MS);
      backoff = Math.min(backoff * 2, this.config.queue.max_backoff);
      await this.sleep(wait);
    }
  }

  /** One request; whether it was stored, and if not whether to try again. */
  private async send(
    bodies: readonly Uint8Array[],
  ): Promise<{ ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number }> {
    let len = 0;
    const raw = bodies.map((b) => {
      const u = snappy.uncompress(b);
      len += u.length;
      return u;
    });
    const joined = new Uint8Array(len);
    let off = 0;
    for (const u of raw) {
      joined.set(u, off);
      off += u.length;
    }
    let headers: Record<string, string>;
    try {
      headers = this.headers();
    } catch (e) {
      return { ok: false, retry: true, reason: (e as Error).message };
    }
    const signal = AbortSignal.any([
      this.abort.signal,
      AbortSignal.timeout(this.config.remote_timeout),
    ]);
    let res: Response;
    try {
      res = await fetch(this.config.url, {
        method: 'POST',
        headers,
        body: snappy.compress(joined),
        signal,
      });
    } catch (e) {
      const code = (e as { cause?: { code?: string } }).cause?.code;
      return { ok: false, retry: true, reason: code ?? (e as Error).message };
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const reason = `HTTP ${res.status}: ${text.trim().slice(0, 200)}`;
    if (res.status === 429 || res.status >= 500) {
      const ra = retryAfterMs(res.headers.get('retry-after'));
      return { ok: false, retry: true, reason, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
    }
    return { ok: false, retry: false, reason };
  }

  private headers(): Record<string, string> {
    const c = this.config;
    const h: Record<string, string> = {
      ...c.headers,
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': 'canopy-hub',
    };
    if (c.basic_auth !== undefined) {
      const pw = readSecret(c.basic_auth.password_file, 'basic_auth.password_file');
      h['Authorization'] =
        'Basic ' + Buffer.from(`${c.basic_auth.username}:${pw}`).toString('base64');
    }
    if (c.bearer_token_file !== undefined)
      h['Authorization'] = 'Bearer ' + readSecret(c.bearer_token_file, 'bearer_token_file');
    return h;
  }
}

/** A secret file's content without the trailing newline; throws naming the file. */
export function readSecret(path: string, what: string): string {
  let s: string;
  try {
    s = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new Error(
      `${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): create it or fix the path`,
    );
  }
  if (s === '') throw new Error(`${what}: ${path} is empty: put the secret in it`);
  return s;
}

/** `Retry-After` (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(h: string | null, now = Date.now()): number | undefined {
  if (h === null) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim()) * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
