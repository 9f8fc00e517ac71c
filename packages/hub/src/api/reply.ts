/**
 * Prometheus-style JSON answers for the hub's own endpoints (traces, logs, exemplars):
 * `{"status":"success","data":…}` or `{"status":"error","errorType":…,"error":…}`.
 */

import type { ServerResponse } from 'node:http';
import { BadData } from './params.js';

/** A missing resource; answered as 404 `not_found`. */
export class NotFound extends Error {}

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(s),
    'cache-control': 'no-store',
  });
  res.end(s);
}

/** 200 `{"status":"success","data":data}`. */
export function replySuccess(res: ServerResponse, data: unknown): void {
  sendJson(res, 200, { status: 'success', data });
}

/** The error envelope for `e`: 400 bad_data, 404 not_found, else 500 internal. */
export function replyError(res: ServerResponse, e: unknown, status?: number): void {
  const [code, type] =
    e instanceof BadData
      ? [400, 'bad_data']
      : e instanceof NotFound
        ? [404, 'not_found']
        : [500, 'internal'];
  sendJson(res, status ?? code, {
    status: 'error',
    errorType: type,
    error: e instanceof Error ? e.message : String(e),
  });
}

/** A 405 for a method the endpoint does not take. */
export function replyMethodNotAllowed(res: ServerResponse, method: string, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, {
    status: 'error',
    errorType: 'bad_data',
    error: `method ${method} not allowed (use ${allow})`,
  });
}

/** A positive integer parameter no larger than `max`, or `fallback` when absent. */
export function intParam(p: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = p.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new BadData(
      `invalid parameter "${name}": expected an integer from 1 to ${max}, got "${raw}"`,
    );
  return n;
}
