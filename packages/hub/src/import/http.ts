/**
 * Import over HTTP, with VictoriaMetrics' paths: `POST /api/v1/import/prometheus` (the text
 * format with millisecond timestamps; OpenMetrics with second timestamps when the content
 * type says `application/openmetrics-text`) and `POST /api/v1/import` (JSON lines, as
 * `/api/v1/export` writes them). Bodies may be gzip-compressed.
 *
 * By default a request is all or nothing: any refused line refuses the request (400, the
 * summary lists the lines and reasons, nothing is stored). With `?on_error=skip` the good
 * lines are stored and the refused ones reported (what `canopy import --url` uses, sending
 * a large file in pieces).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { TSDB } from '../tsdb/index.js';
import { DEFAULT_MAX_FUTURE_MS } from '../remote-write/validate.js';
import { Importer, type ImportSummary } from './importer.js';
import { parseTextLines } from './text-lines.js';
import { parseVmJsonLines } from './vm-jsonl.js';

/** Options of {@link importHandler}. */
export interface ImportHandlerOptions {
  readonly tsdb: TSDB;
  /** Largest accepted body (after gunzip), bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number;
  /** Retention by time, ms: older samples are refused; 0 = none. */
  readonly retentionMs?: number;
  /** Tolerance for timestamps ahead of the clock, ms. Default 10 minutes. */
  readonly maxFutureMs?: number;
  readonly now?: () => number;
  /** Counters to add to (the hub's /metrics). */
  readonly stats?: ImportStats;
}

/** What the import paths count. */
export interface ImportStats {
  /** Requests answered (any status). */
  requests: number;
  /** Requests refused (4xx), nothing stored. */
  refused: number;
  samples: number;
  rejectedLines: number;
}

/** The import paths. */
export const IMPORT_PATHS: ReadonlySet<string> = new Set([
  '/api/v1/import',
  '/api/v1/import/prometheus',
]);

/**
 * A handler for {@link IMPORT_PATHS}.
 *
 * @example const imp = importHandler({ tsdb }); if (IMPORT_PATHS.has(path)) imp(req, res);
 */
export function importHandler(
  o: ImportHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const max = o.maxBodyBytes ?? 64 << 20;
  const now = o.now ?? Date.now;
  const stats = o.stats;
  const fail = (res: ServerResponse, status: number, error: string, data?: ImportSummary): void => {
    if (stats !== undefined && status < 500) stats.refused++;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error, data }));
  };
  return (req, res) => {
    if (stats !== undefined) stats.requests++;
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://hub');
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return fail(res, 405, `method ${req.method} not allowed: POST the file as the body`);
      }
      const onError = url.searchParams.get('on_error') ?? 'abort';
      if (onError !== 'abort' && onError !== 'skip')
        return fail(
          res,
          400,
          `invalid parameter "on_error": "${onError}" (expected abort or skip)`,
        );
      const parts: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > max) {
          req.resume();
          return fail(res, 413, `body is over the limit of ${max} bytes: split the file`);
        }
        parts.push(c as Buffer);
      }
      let body = Buffer.concat(parts);
      const enc = (req.headers['content-encoding'] ?? '').toLowerCase();
      if (enc === 'gzip') {
        try {
          body = gunzipSync(body, { maxOutputLength: max });
        } catch (e) {
          return fail(res, 400, `body is not valid gzip: ${(e as Error).message}`);
        }
      } else if (enc !== '' && enc !== 'identity')
        return fail(res, 415, `content encoding "${enc}" not supported (gzip or none)`);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(body);
      } catch {
        return fail(res, 400, 'body is not valid UTF-8');
      }
      const t = now();
      const ret = o.retentionMs ?? 0;
      const imp = new Importer(o.tsdb, {
        bounds: {
          oldest: ret > 0 ? t - ret : -Infinity,
          newest: t + (o.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS),
        },
      });
      if (url.pathname === '/api/v1/import') parseVmJsonLines(text, 1, imp);
      else {
        const type = (req.headers['content-type'] ?? '').toLowerCase();
        parseTextLines(text, type.startsWith('application/openmetrics-text'), 1, imp);
      }
      const wrote = imp.flush(onError === 'abort');
      const summary = imp.summary();
      if (stats !== undefined) {
        stats.samples += summary.samples;
        stats.rejectedLines += summary.rejected;
      }
      if (!wrote && onError === 'abort' && summary.rejected > 0) {
        const first = summary.rejectedLines[0]!;
        return fail(
          res,
          400,
          `${summary.rejected} line(s) refused, nothing imported; line ${first.line}: ${first.reason}`,
          summary,
        );
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: summary }));
    })().catch((e: unknown) => {
      if (!res.headersSent) fail(res, 500, (e as Error).message);
    });
  };
}
