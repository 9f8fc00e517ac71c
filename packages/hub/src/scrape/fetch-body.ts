/**
 * One scrape request: HTTP GET with Prometheus's Accept header, gzip, a deadline and a
 * body size limit enforced while streaming (a gigantic body is cut off, never buffered).
 */

import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { formatBytes, formatDuration } from './units.js';

/**
 * The Accept header Prometheus 2.x sends with its default scrape protocols: OpenMetrics
 * first, then the text format.
 */
export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** A scrape failure with a message meant for the targets page. */
export class ScrapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScrapeError';
  }
}

/** Options of {@link fetchBody}. */
export interface FetchOptions {
  /** Deadline for the whole request, body included (ms). */
  readonly timeoutMs: number;
  /** Largest accepted body after decompression, bytes; 0 means no limit. */
  readonly bodyLimit: number;
  /** Extra request headers (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborts the request (e.g. when the scraper stops). */
  readonly signal?: AbortSignal;
  /** Connection pool (keep-alive) for http: and https: URLs. */
  readonly agents?: { readonly http?: http.Agent; readonly https?: https.Agent };
}

/** A fetched body. */
export interface FetchedBody {
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

/**
 * GETs `url`; resolves with the (decompressed) body or rejects with a {@link ScrapeError}
 * naming the reason: HTTP status, timeout, body over the limit, bad gzip, connection error.
 *
 * @example const { body, contentType } = await fetchBody(new URL('http://127.0.0.1:9100/metrics'), { timeoutMs: 10_000, bodyLimit: 10 << 20 });
 */
export function fetchBody(url: URL, options: FetchOptions): Promise<FetchedBody> {
  const { timeoutMs, bodyLimit, signal } = options;
  const https_ = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let settled = false;
    let stream: Readable | undefined;
    const finish = (err: Error | undefined, result?: FetchedBody): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        req.destroy();
        stream?.destroy();
        reject(err instanceof ScrapeError ? err : new ScrapeError(err.message));
      } else resolve(result!);
    };
    const onAbort = (): void => finish(new ScrapeError('scrape aborted'));
    const headers: Record<string, string> = {
      Accept: SCRAPE_ACCEPT,
      'Accept-Encoding': 'gzip',
      'User-Agent': 'canopy-hub',
      'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
      ...options.headers,
    };
    const agent = https_ ? options.agents?.https : options.agents?.http;
    const req = (https_ ? https : http).request(
      url,
      { method: 'GET', headers, ...(agent !== undefined ? { agent } : {}) },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          finish(
            new ScrapeError(
              `server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd(),
            ),
          );
          return;
        }
        const truncated = (): void =>
          finish(new ScrapeError('connection closed before the body was complete'));
        // A connection closed mid-body shows as an 'aborted' error, or only as 'close'.
        res.on('error', truncated);
        res.on('close', () => {
          if (!res.complete) truncated();
        });
        const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
        if (encoding === 'gzip' || encoding === 'x-gzip') {
          const gunzip = createGunzip();
          gunzip.on('error', (e) => finish(new ScrapeError(`invalid gzip body: ${e.message}`)));
          stream = res.pipe(gunzip);
        } else if (encoding === 'identity' || encoding === '') {
          stream = res;
          const declared = Number(res.headers['content-length']);
          if (bodyLimit > 0 && declared > bodyLimit) {
            finish(new ScrapeError(`body exceeds ${formatBytes(bodyLimit)}`));
            return;
          }
        } else {
          finish(new ScrapeError(`unsupported Content-Encoding "${encoding}"`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (bodyLimit > 0 && size > bodyLimit)
            finish(new ScrapeError(`body exceeds ${formatBytes(bodyLimit)}`));
          else chunks.push(chunk);
        });
        stream.on('end', () =>
          finish(undefined, {
            body: Buffer.concat(chunks, size),
            contentType: res.headers['content-type'],
          }),
        );
      },
    );
    req.on('error', (e) => finish(e));
    const timer = setTimeout(
      () =>
        finish(new ScrapeError(`timeout: no complete answer within ${formatDuration(timeoutMs)}`)),
      timeoutMs,
    );
    if (signal !== undefined) {
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    req.end();
  });
}
