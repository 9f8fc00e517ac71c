/**
 * The log API: `GET /api/v1/logs` (search, newest first) and `POST /api/v1/logs/push`
 * (NDJSON pino lines). Shapes: docs/api-traces-logs.md.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadData, parseTime } from '../api/params.js';
import { BodyError, readBody } from '../api/read-body.js';
import {
  intParam,
  replyError,
  replyMethodNotAllowed,
  replySuccess,
  sendJson,
} from '../api/reply.js';
import {
  LEVELS,
  levelNumber,
  LogLineError,
  parseLogJson,
  type LevelName,
  type LogRecord,
} from './log-line.js';
import type { LogStore } from './log-store.js';

/** Options of {@link logApi}. */
export interface LogApiOptions {
  /** Largest push body (before and after gunzip). Default 4 MiB. */
  readonly maxPushBytes?: number;
  /** Counts lines refused by push, for the self-metrics. */
  readonly stats?: { pushRejected: number };
}

const PUSH_TYPES = new Set([
  'application/x-ndjson',
  'application/jsonl',
  'application/json',
  'text/plain',
  '',
]);

/**
 * A handler for the log API over `store`; returns false for other paths.
 *
 * @example createServer((req, res) => logApi(store)(req, res) || notFound(res));
 */
export function logApi(
  store: LogStore,
  o: LogApiOptions = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const maxPush = o.maxPushBytes ?? 4 * 1024 * 1024;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = url.pathname;
    if (path === '/api/v1/logs') {
      if (req.method !== 'GET') replyMethodNotAllowed(res, req.method ?? '', 'GET');
      else search(store, url.searchParams, res);
      return true;
    }
    if (path === '/api/v1/logs/push') {
      if (req.method !== 'POST') replyMethodNotAllowed(res, req.method ?? '', 'POST');
      else void push(store, req, res, url.searchParams, maxPush, o.stats);
      return true;
    }
    return false;
  };
}

function search(store: LogStore, p: URLSearchParams, res: ServerResponse): void {
  try {
    const level = p.get('level') ?? '';
    if (level !== '' && !(LEVELS as readonly string[]).includes(level))
      throw new BadData(
        `invalid parameter "level": expected one of ${LEVELS.join(', ')}, got "${level}"`,
      );
    const traceId = p.get('trace_id') ?? '';
    if (traceId !== '' && !/^[0-9a-fA-F]{32}$/.test(traceId))
      throw new BadData(`invalid parameter "trace_id": expected 32 hex digits, got "${traceId}"`);
    replySuccess(
      res,
      store.search({
        query: p.get('query') ?? undefined,
        service: p.get('service') ?? undefined,
        minLevel: level === '' ? undefined : levelNumber(level as LevelName),
        traceId,
        startMs: parseTime('start', p.get('start') ?? undefined, -Infinity),
        endMs: parseTime('end', p.get('end') ?? undefined, Infinity),
        limit: intParam(p, 'limit', 200, 10_000),
      }),
    );
  } catch (e) {
    replyError(res, e);
  }
}

async function push(
  store: LogStore,
  req: IncomingMessage,
  res: ServerResponse,
  p: URLSearchParams,
  limit: number,
  stats: { pushRejected: number } | undefined,
): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (!PUSH_TYPES.has(type)) {
    req.resume();
    return sendJson(res, 415, {
      status: 'error',
      errorType: 'bad_data',
      error: `unsupported Content-Type "${type}": send NDJSON (application/x-ndjson), one pino JSON object a line`,
    });
  }
  let body: Buffer;
  try {
    body = await readBody(req, limit);
  } catch (e) {
    if (e instanceof BodyError)
      return sendJson(res, e.status, { status: 'error', errorType: 'bad_data', error: e.message });
    return replyError(res, e);
  }
  const service = p.get('service') ?? undefined;
  const now = Date.now();
  const lines = body.toString('utf8').split('\n');
  const ok: LogRecord[] = [];
  const errors: Array<{ line: number; error: string }> = [];
  let rejected = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      ok.push(parseLogJson(line, now, service === '' ? undefined : service));
    } catch (e) {
      if (!(e instanceof LogLineError)) throw e;
      rejected++;
      if (errors.length < 10) errors.push({ line: i + 1, error: e.message });
    }
  }
  if (stats !== undefined) stats.pushRejected += rejected;
  if (ok.length === 0 && rejected > 0)
    return sendJson(res, 400, {
      status: 'error',
      errorType: 'bad_data',
      error: `no line accepted; ${errors
        .slice(0, 3)
        .map((e) => `line ${e.line}: ${e.error}`)
        .join('; ')}`,
      data: { accepted: 0, rejected, errors },
    });
  try {
    store.append(ok);
  } catch (e) {
    return replyError(res, e, 503);
  }
  replySuccess(res, { accepted: ok.length, rejected, errors });
}
