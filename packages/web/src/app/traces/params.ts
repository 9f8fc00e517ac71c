/**
 * The trace list's view in the URL (`/traces?service=relay&operation=dial&min_duration=250`
 * with the page's range) and the `GET /api/v1/traces` parameters it asks for. Bad input is
 * said to the person who typed it, not sent to the hub.
 * @module
 */

/** Traces asked for per page. */
export const TRACE_LIMIT = 100;

/** The trace list request, or why the URL's filters cannot make one. */
export type TraceListRequest =
  | { readonly ok: true; readonly params: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: string };

/**
 * The `/api/v1/traces` parameters for the URL's filters over `[start, end]` (Unix seconds).
 * `min_duration` is milliseconds, a non-negative number.
 *
 * @example traceListRequest(new URLSearchParams('service=relay&min_duration=250'), 0, 3600)
 * // { ok: true, params: { service: 'relay', min_duration: '250', start: '0', end: '3600', limit: '100' } }
 */
export function traceListRequest(p: URLSearchParams, start: number, end: number): TraceListRequest {
  const params: Record<string, string> = {};
  const service = p.get('service')?.trim() ?? '';
  const operation = p.get('operation')?.trim() ?? '';
  const min = p.get('min_duration')?.trim() ?? '';
  if (service !== '') params.service = service;
  if (operation !== '') params.operation = operation;
  if (min !== '') {
    const ms = Number(min);
    if (!/^\d+(\.\d+)?$/.test(min) || !Number.isFinite(ms))
      return {
        ok: false,
        error: `Minimum duration "${min}" is not a number of milliseconds: enter e.g. 250, or leave it empty for any duration.`,
      };
    params.min_duration = String(ms);
  }
  params.start = String(Math.floor(start));
  params.end = String(Math.ceil(end));
  params.limit = String(TRACE_LIMIT);
  return { ok: true, params };
}

/**
 * Whether a string is a trace ID as OTLP/W3C write it: 32 hex digits, not all zero.
 *
 * @example isTraceId('4bf92f3577b34da6a3ce929d0e0e4736') // true
 */
export function isTraceId(s: string): boolean {
  return /^[0-9a-f]{32}$/i.test(s) && !/^0+$/.test(s);
}

/**
 * Why a typed trace ID is not one ('' when it is).
 *
 * @example traceIdProblem('xyz') // 'Trace ID "xyz" is not 32 hex digits (e.g. 4bf92f3577b34da6a3ce929d0e0e4736).'
 */
export function traceIdProblem(s: string): string {
  if (isTraceId(s)) return '';
  return `Trace ID "${s}" is not 32 hex digits (e.g. 4bf92f3577b34da6a3ce929d0e0e4736).`;
}

/**
 * A short form of a trace or span ID for tables: its first 8 digits.
 *
 * @example shortId('4bf92f3577b34da6a3ce929d0e0e4736') // '4bf92f35'
 */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * The range a trace's links carry (to its logs): the trace's own time with a minute either
 * side, so the logs page finds its lines whatever range the list was showing. Unix seconds.
 *
 * @example traceWindow(1_700_000_000_000, 1500) // { from: 1699999940, to: 1700000062 }
 */
export function traceWindow(startMs: number, durationMs: number): { from: number; to: number } {
  return {
    from: Math.floor(startMs / 1000) - 60,
    to: Math.ceil((startMs + Math.max(0, durationMs)) / 1000) + 60,
  };
}
