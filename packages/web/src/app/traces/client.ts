/**
 * Reads traces, logs and exemplars through the app's API client (same origin, same
 * timeouts and error kinds as the Prometheus API). A backend without these endpoints
 * (Prometheus, VictoriaMetrics behind `canopy ui`) is told apart for people.
 * @module
 */
import type { PromApi } from '../api.js';
import type { ExemplarSeries, LogEntry, Trace, TraceService, TraceSummary } from './types.js';

/**
 * The trace list for `/api/v1/traces` parameters.
 *
 * @example const list = await listTraces(ctx.api, { service: 'relay', start: '0', end: '60' }, signal)
 */
export function listTraces(
  api: PromApi,
  params: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): Promise<readonly TraceSummary[]> {
  return api.get<TraceSummary[]>('traces', { ...params }, signal);
}

/**
 * One trace by ID; rejects with an `ApiError` whose message starts `not_found:` when the hub
 * has no such trace.
 *
 * @example const t = await getTrace(ctx.api, '4bf92f3577b34da6a3ce929d0e0e4736', signal)
 */
export function getTrace(api: PromApi, traceId: string, signal?: AbortSignal): Promise<Trace> {
  return api.get<Trace>(`traces/${encodeURIComponent(traceId)}`, {}, signal);
}

/**
 * Services that sent spans and their operations.
 *
 * @example (await traceServices(ctx.api, signal)).map((s) => s.service) // ['relay', 'storage']
 */
export function traceServices(
  api: PromApi,
  signal?: AbortSignal,
): Promise<readonly TraceService[]> {
  return api.get<TraceService[]>('trace_services', {}, signal);
}

/**
 * Log lines for `/api/v1/logs` parameters, newest first.
 *
 * @example const lines = await queryLogs(ctx.api, { query: 'timeout', start: '0', end: '60' }, signal)
 */
export function queryLogs(
  api: PromApi,
  params: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): Promise<readonly LogEntry[]> {
  return api.get<LogEntry[]>('logs', { ...params }, signal);
}

/**
 * Exemplars of the series a PromQL selector matches over `[start, end]` (Unix seconds).
 *
 * @example await queryExemplars(ctx.api, 'relay_dial_duration_seconds_bucket', 0, 3600, signal)
 */
export function queryExemplars(
  api: PromApi,
  query: string,
  start: number,
  end: number,
  signal?: AbortSignal,
): Promise<readonly ExemplarSeries[]> {
  return api.get<ExemplarSeries[]>(
    'query_exemplars',
    { query, start: String(start), end: String(end) },
    signal,
  );
}
