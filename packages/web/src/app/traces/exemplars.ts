/**
 * Exemplars on latency graphs: which series a histogram panel asks exemplars for, and the
 * answer of `/api/v1/query_exemplars` as points that link to their traces. Pure.
 * @module
 */
import type { Panel } from '../../model/types.js';
import type { ExemplarSeries } from './types.js';
import { isTraceId } from './params.js';

/** Most exemplar points drawn on one graph (the slowest are kept). */
export const MAX_EXEMPLARS = 100;

/**
 * The bucket selector a latency panel's exemplars are asked for: the `<metric>_bucket{…}`
 * its quantile queries read, with the panel's matchers; undefined for any other panel.
 *
 * @example exemplarSelector(relayDialPanel) // 'relay_dial_duration_seconds_bucket{service="relay"}'
 */
export function exemplarSelector(
  panel: Pick<Panel, 'kind' | 'metric' | 'queries'>,
): string | undefined {
  if (panel.kind !== 'histogram' || panel.metric === undefined) return undefined;
  const name = `${panel.metric}_bucket`;
  for (const q of panel.queries)
    for (let at = q.expr.indexOf(name); at >= 0; at = q.expr.indexOf(name, at + 1)) {
      // The metric name must stand alone (not the tail of a longer name).
      if (at > 0 && /[a-zA-Z0-9_:]/.test(q.expr[at - 1]!)) continue;
      const m = /^\{[^}]*\}/.exec(q.expr.slice(at + name.length));
      return m === null ? name : name + m[0];
    }
  return name;
}

/** One exemplar on a graph. */
export interface ExemplarPoint {
  /** Unix seconds. */
  readonly t: number;
  readonly v: number;
  readonly traceId: string;
  readonly spanId: string | undefined;
  /** The series it was recorded on (e.g. its `le` bucket and instance). */
  readonly series: Readonly<Record<string, string>>;
}

const traceLabel = (l: Readonly<Record<string, string>>): string | undefined =>
  l.trace_id ?? l.traceID ?? l.traceId;

/**
 * The exemplars that can link somewhere: with a well-formed trace ID, a finite value and a
 * time inside `[start, end]`; one point per trace (its slowest), at most `max`, the slowest
 * kept, in time order.
 *
 * @example exemplarPoints([{ seriesLabels: {}, exemplars: [{ labels: { trace_id: 'ab'.repeat(16) }, value: '0.2', timestamp: 10 }] }], 0, 60).length // 1
 */
export function exemplarPoints(
  data: readonly ExemplarSeries[],
  start: number,
  end: number,
  max: number = MAX_EXEMPLARS,
): ExemplarPoint[] {
  const best = new Map<string, ExemplarPoint>();
  for (const s of data)
    for (const e of s.exemplars) {
      const traceId = traceLabel(e.labels);
      const v = Number(e.value);
      const t = Number(e.timestamp);
      if (traceId === undefined || !isTraceId(traceId)) continue;
      if (!Number.isFinite(v) || !Number.isFinite(t) || t < start || t > end) continue;
      const id = traceId.toLowerCase();
      const had = best.get(id);
      if (had !== undefined && had.v >= v) continue;
      best.set(id, {
        t,
        v,
        traceId: id,
        spanId: e.labels.span_id ?? e.labels.spanID ?? e.labels.spanId,
        series: s.seriesLabels,
      });
    }
  let points = [...best.values()];
  if (points.length > max) points = points.sort((a, b) => b.v - a.v).slice(0, max);
  return points.sort((a, b) => a.t - b.t);
}
