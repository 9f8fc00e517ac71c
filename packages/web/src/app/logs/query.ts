/**
 * The log view's state in the URL (`/logs?q=timeout&service=relay&level=warn&trace=…` with
 * the page's range) and the `GET /api/v1/logs` parameters it asks for; log levels by name
 * and pino number. Pure, so it is tested without a browser.
 * @module
 */
import { traceIdProblem } from '../traces/params.js';

/** Log levels, lowest first, with pino's numbers. */
export const LEVELS: readonly (readonly [string, number])[] = [
  ['trace', 10],
  ['debug', 20],
  ['info', 30],
  ['warn', 40],
  ['error', 50],
  ['fatal', 60],
];

/** Lines asked for per page. */
export const LOG_LIMIT = 200;

/**
 * A level as its name, whether the line carries a name or pino's number (`30` → `info`);
 * an unknown number is rounded down to the nearest level.
 *
 * @example levelName(40) // 'warn'
 * @example levelName('ERROR') // 'error'
 */
export function levelName(level: string | number): string {
  if (typeof level === 'string') {
    const l = level.toLowerCase();
    if (/^\d+$/.test(l)) return levelName(Number(l));
    return l === 'warning' ? 'warn' : l;
  }
  let name = LEVELS[0]![0];
  for (const [n, v] of LEVELS) if (level >= v) name = n;
  return name;
}

/** The log request, or why the URL's filters cannot make one. */
export type LogRequest =
  | { readonly ok: true; readonly params: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: string };

/**
 * The `/api/v1/logs` parameters for the URL's filters over `[start, end]` (Unix seconds):
 * `q` → `query` (the hub's full-text search), `service`, `level` (the lowest level shown),
 * `trace` → `trace_id`. An unknown level or a malformed trace ID is an error for people.
 *
 * @example logRequest(new URLSearchParams('q=timeout&level=warn'), 0, 60)
 * // { ok: true, params: { query: 'timeout', level: 'warn', start: '0', end: '60', limit: '200' } }
 */
export function logRequest(p: URLSearchParams, start: number, end: number): LogRequest {
  const params: Record<string, string> = {};
  const q = p.get('q')?.trim() ?? '';
  const service = p.get('service')?.trim() ?? '';
  const level = p.get('level')?.trim().toLowerCase() ?? '';
  const trace = p.get('trace')?.trim() ?? '';
  if (q !== '') params.query = q;
  if (service !== '') params.service = service;
  if (level !== '') {
    if (!LEVELS.some(([n]) => n === level))
      return {
        ok: false,
        error: `Level "${level}" is not a log level: choose one of ${LEVELS.map(([n]) => n).join(', ')}.`,
      };
    params.level = level;
  }
  if (trace !== '') {
    const problem = traceIdProblem(trace);
    if (problem !== '') return { ok: false, error: problem };
    params.trace_id = trace.toLowerCase();
  }
  params.start = String(Math.floor(start));
  params.end = String(Math.ceil(end));
  params.limit = String(LOG_LIMIT);
  return { ok: true, params };
}

/**
 * A line's fields as `key=value` pairs for the table (strings as they are, the rest as JSON).
 *
 * @example fieldText({ attempt: 2, peer: 'p-7' }) // 'attempt=2 peer=p-7'
 */
export function fieldText(fields: Readonly<Record<string, unknown>> | undefined): string {
  if (fields === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.join(' ');
}
