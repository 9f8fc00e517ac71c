/**
 * `POST /api/v1/write`: the Prometheus remote_write 1.0 receiver (protobuf, snappy block
 * format), as vmagent, Prometheus and Grafana Alloy send it. Checks in the order a client's
 * mistake is most likely: token (401), method (405), content type and encoding (415), size
 * (413), snappy and protobuf (400), sample count (413), then the content (400, see
 * ingest.ts). A refused request stores nothing, answers with the reason as plain text, and
 * is counted by reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import snappy from 'snappyjs';
import type { Labels } from '../model.js';
import type { TSDB } from '../tsdb/index.js';
import { ProtoError } from '../wire/protobuf.js';
import { bearerMatches } from './bearer.js';
import { ingestWriteRequest, RejectError, type RejectReason } from './ingest.js';
import { Pushers, type PusherStatus } from './pushers.js';
import { DEFAULT_MAX_FUTURE_MS } from './validate.js';
import { decodeWriteRequest, LabelsCache, type WriteRequest } from './write-request.js';

/** Default largest accepted (compressed) body: 32 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 32 << 20;
/** Default most samples in one request. */
export const DEFAULT_MAX_SAMPLES_PER_REQUEST = 1_000_000;
/** An uncompressed body may be at most this many times the compressed limit. */
const MAX_EXPANSION = 8;
/** Most bytes a snappy block expands to per compressed byte (a 3-byte copy of 64 bytes). */
const SNAPPY_MAX_RATIO = 22;

/** The varint at the start of a snappy block (its uncompressed length); -1 if unreadable. */
function uvarintPrefix(b: Uint8Array): number {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 5 && i < b.length; i++) {
    x += (b[i]! & 0x7f) * mul;
    if (b[i]! < 0x80) return x;
    mul *= 128;
  }
  return -1;
}

/** Label sets kept decoded (so the TSDB finds a pushed series by identity). */
const INTERN_MAX = 200_000;

/** Options of {@link RemoteWriteReceiver}. */
export interface ReceiverOptions {
  readonly tsdb: TSDB;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  readonly bearerToken?: string;
  /** Largest accepted compressed body, bytes. Default {@link DEFAULT_MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** Most samples per request. Default {@link DEFAULT_MAX_SAMPLES_PER_REQUEST}. */
  readonly maxSamplesPerRequest?: number;
  /** Retention by time, ms (older samples are refused); 0 = none. Default 0. */
  readonly retentionMs?: number;
  /** Tolerance for timestamps ahead of the clock, ms. Default 10 minutes. */
  readonly maxFutureMs?: number;
  readonly now?: () => number;
}

/** Counters of the receiver, for the hub's self-metrics. */
export interface ReceiverStats {
  requests: number;
  samples: number;
  duplicates: number;
  readonly rejected: Map<RejectReason, number>;
}

/**
 * The remote_write receiver. Mount {@link RemoteWriteReceiver.handle} on `/api/v1/write`.
 *
 * @example
 * const rw = new RemoteWriteReceiver({ tsdb });
 * createServer((req, res) => (req.url === '/api/v1/write' ? rw.handle(req, res) : next(req, res)));
 */
export class RemoteWriteReceiver {
  readonly stats: ReceiverStats = { requests: 0, samples: 0, duplicates: 0, rejected: new Map() };
  private readonly pushers = new Pushers();
  private readonly labels = new LabelsCache(INTERN_MAX);
  private readonly valid = new WeakSet<Labels>();
  private readonly token: Buffer | undefined;
  private readonly maxBody: number;
  private readonly maxSamples: number;
  private readonly now: () => number;

  constructor(private readonly o: ReceiverOptions) {
    this.token = o.bearerToken !== undefined ? Buffer.from(`Bearer ${o.bearerToken}`) : undefined;
    this.maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxSamples = o.maxSamplesPerRequest ?? DEFAULT_MAX_SAMPLES_PER_REQUEST;
    this.now = o.now ?? Date.now;
  }

  /** Pushers seen, as target-like entries. */
  pusherStatus(): PusherStatus[] {
    return this.pushers.list(this.now());
  }

  /** Handles one request to `/api/v1/write`. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    void this.serve(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`internal error: ${(e as Error).message}\n`);
      }
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Recent vmagent asks whether the receiver speaks VictoriaMetrics' own protocol; a plain
    // "no" (not 200) makes it use Prometheus remote_write. A question, not a refusal.
    if (req.method === 'GET' && (req.url ?? '').includes('get_vm_proto_version')) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('the Canopy hub speaks Prometheus remote_write 1.0 only\n');
      return;
    }
    this.stats.requests++;
    const client = `${req.socket.remoteAddress ?? 'unknown'}`;
    let wr: WriteRequest | undefined;
    try {
      this.checkHeaders(req);
      const body = await this.readBody(req);
      wr = this.decode(body);
      const result = ingestWriteRequest(this.o.tsdb, wr, {
        bounds: this.bounds(),
        valid: this.valid,
      });
      for (const md of wr.metadata) {
        if (md.metricFamilyName === '') continue;
        this.o.tsdb.setMetadata(md.metricFamilyName, {
          type: md.type,
          help: md.help,
          unit: md.unit,
        });
      }
      this.stats.samples += result.samples;
      this.stats.duplicates += result.duplicates;
      const now = this.now();
      for (const [key, n] of result.perTarget) {
        const sep = key.indexOf('\u0000');
        this.pushers.stored(key.slice(0, sep), key.slice(sep + 1), n, now);
      }
      res.writeHead(204);
      res.end();
    } catch (e) {
      if (!(e instanceof RejectError)) throw e;
      this.stats.rejected.set(e.reason, (this.stats.rejected.get(e.reason) ?? 0) + 1);
      this.blame(wr, client, e.message);
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (e.status === 401) headers['www-authenticate'] = 'Bearer';
      if (e.reason === 'method') headers.allow = 'POST';
      res.writeHead(e.status, headers);
      res.end(`remote write refused: ${e.message}\n`);
      // Drain what the client still sends, so it reads the answer instead of a reset.
      req.resume();
    }
  }

  private checkHeaders(req: IncomingMessage): void {
    if (this.token !== undefined && !bearerMatches(this.token, req.headers.authorization))
      throw new RejectError(
        401,
        'unauthorized',
        req.headers.authorization === undefined
          ? 'missing bearer token: this hub requires "Authorization: Bearer <token>" (hub.remote_write_receiver.bearer_token_file)'
          : 'wrong bearer token',
      );
    if (req.method !== 'POST')
      throw new RejectError(405, 'method', `method ${req.method} not allowed: use POST`);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-protobuf')
      throw new RejectError(
        415,
        'content_type',
        `content type "${req.headers['content-type'] ?? ''}" not supported: remote_write 1.0 sends application/x-protobuf`,
      );
    const enc = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (enc !== 'snappy')
      throw new RejectError(
        415,
        'content_type',
        `content encoding "${req.headers['content-encoding'] ?? ''}" not supported: remote_write 1.0 sends snappy (vmagent: add -remoteWrite.forcePromProto)`,
      );
  }

  private async readBody(req: IncomingMessage): Promise<Uint8Array> {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > this.maxBody) throw this.tooLarge(declared);
    const parts: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > this.maxBody) throw this.tooLarge(size);
      parts.push(c as Buffer);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private tooLarge(size: number): RejectError {
    return new RejectError(
      413,
      'too_large',
      `body of ${size} bytes is over the limit of ${this.maxBody} bytes (hub.remote_write_receiver.max_body_bytes; or send smaller batches)`,
    );
  }

  private decode(body: Uint8Array): WriteRequest {
    // The block starts with its uncompressed length; a snappy element expands at most 64
    // bytes from 3, so a larger claim is a corrupt body — refused before allocating for it.
    const claimed = uvarintPrefix(body);
    if (claimed > body.length * SNAPPY_MAX_RATIO + 64)
      throw new RejectError(
        400,
        'corrupt_snappy',
        `body is not valid snappy (block format): it claims ${claimed} bytes uncompressed, more than ${body.length} compressed bytes can hold`,
      );
    let raw: Uint8Array;
    try {
      raw = snappy.uncompress(body, this.maxBody * MAX_EXPANSION);
    } catch (e) {
      const m = (e as Error).message;
      if (/too big/.test(m))
        throw new RejectError(
          413,
          'too_large',
          `uncompressed body is over the limit of ${this.maxBody * MAX_EXPANSION} bytes`,
        );
      throw new RejectError(400, 'corrupt_snappy', `body is not valid snappy (block format): ${m}`);
    }
    let wr: WriteRequest;
    try {
      wr = decodeWriteRequest(raw, this.labels);
    } catch (e) {
      if (!(e instanceof ProtoError)) throw e;
      throw new RejectError(
        400,
        'corrupt_protobuf',
        `body is not a valid remote_write WriteRequest: ${e.message}`,
      );
    }
    let n = 0;
    for (const ts of wr.timeseries) n += ts.t.length;
    if (n > this.maxSamples)
      throw new RejectError(
        413,
        'too_many_samples',
        `${n} samples in one request, over the limit of ${this.maxSamples} (hub.remote_write_receiver.max_samples_per_request; or lower the sender's batch size)`,
      );
    return wr;
  }

  private bounds(): { oldest: number; newest: number } {
    const now = this.now();
    const ret = this.o.retentionMs ?? 0;
    return {
      oldest: ret > 0 ? now - ret : -Infinity,
      newest: now + (this.o.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS),
    };
  }

  /** Charges a refusal to the pushed targets it concerned, else to the client address. */
  private blame(wr: WriteRequest | undefined, client: string, reason: string): void {
    const now = this.now();
    const targets = new Set<string>();
    for (const ts of wr?.timeseries ?? []) {
      targets.add(`${ts.labels.job ?? ''}\u0000${ts.labels.instance ?? ''}`);
      if (targets.size > 100) break;
    }
    if (targets.size === 0) {
      this.pushers.refused('remote_write', client, reason, now);
      return;
    }
    for (const key of targets) {
      const sep = key.indexOf('\u0000');
      this.pushers.refused(key.slice(0, sep), key.slice(sep + 1), reason, now);
    }
  }

  /** The receiver's counters in the Prometheus text format (part of the hub's /metrics). */
  renderMetrics(): string {
    let s =
      '# HELP canopy_hub_remote_write_received_requests_total remote_write requests received.\n' +
      '# TYPE canopy_hub_remote_write_received_requests_total counter\n' +
      `canopy_hub_remote_write_received_requests_total ${this.stats.requests}\n` +
      '# HELP canopy_hub_remote_write_received_samples_total Samples stored from remote_write.\n' +
      '# TYPE canopy_hub_remote_write_received_samples_total counter\n' +
      `canopy_hub_remote_write_received_samples_total ${this.stats.samples}\n` +
      '# HELP canopy_hub_remote_write_refused_requests_total remote_write requests refused (nothing stored), by reason.\n' +
      '# TYPE canopy_hub_remote_write_refused_requests_total counter\n';
    for (const [reason, n] of [...this.stats.rejected].sort())
      s += `canopy_hub_remote_write_refused_requests_total{reason="${reason}"} ${n}\n`;
    return s;
  }
}
