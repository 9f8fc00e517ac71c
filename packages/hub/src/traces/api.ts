/**
 * The trace API: `GET /api/v1/traces` (search, slowest first), `GET /api/v1/traces/<id>`
 * (one trace's spans) and `GET /api/v1/trace_services`. Shapes: docs/api-traces-logs.md.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadData, parseTime } from '../api/params.js';
import {
  intParam,
  NotFound,
  replyError,
  replyMethodNotAllowed,
  replySuccess,
} from '../api/reply.js';
import type { TraceStore } from './trace-store.js';

/**
 * A handler for the trace API over `store`; returns false for other paths.
 *
 * @example createServer((req, res) => traceApi(store)(req, res) || notFound(res));
 */
export function traceApi(
  store: TraceStore,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = url.pathname;
    if (
      path !== '/api/v1/traces' &&
      path !== '/api/v1/trace_services' &&
      !path.startsWith('/api/v1/traces/')
    )
      return false;
    if (req.method !== 'GET') {
      replyMethodNotAllowed(res, req.method ?? '', 'GET');
      return true;
    }
    const p = url.searchParams;
    try {
      if (path === '/api/v1/trace_services') {
        replySuccess(res, store.services());
        return true;
      }
      if (path === '/api/v1/traces') {
        const minRaw = p.get('min_duration') ?? '';
        const minDurationMs = minRaw === '' ? undefined : Number(minRaw);
        if (minDurationMs !== undefined && !(minDurationMs >= 0))
          throw new BadData(
            `invalid parameter "min_duration": expected milliseconds (a number ≥ 0), got "${minRaw}"`,
          );
        replySuccess(
          res,
          store.search({
            service: p.get('service') ?? undefined,
            operation: p.get('operation') ?? undefined,
            minDurationMs,
            startMs: parseTime('start', p.get('start') ?? undefined, -Infinity),
            endMs: parseTime('end', p.get('end') ?? undefined, Infinity),
            limit: intParam(p, 'limit', 50, 10_000),
          }),
        );
        return true;
      }
      const id = decodeURIComponent(path.slice('/api/v1/traces/'.length));
      if (!/^[0-9a-fA-F]{32}$/.test(id))
        throw new BadData(`invalid trace id "${id}": expected 32 hex digits`);
      const spans = store.trace(id);
      if (spans === undefined)
        throw new NotFound(`trace ${id} not found (never received, or deleted as the oldest)`);
      replySuccess(res, { traceId: id.toLowerCase(), spans });
    } catch (e) {
      replyError(res, e);
    }
    return true;
  };
}
