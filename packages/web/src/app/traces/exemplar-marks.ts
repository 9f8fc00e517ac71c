/** A latency graph's exemplars as linked points: fetched, filtered and labelled. */
import type { ValueUnit } from '../../model/types.js';
import type { AppContext } from '../context.js';
import type { ChartMark } from '../chart.js';
import { formatTime, formatValue } from '../format.js';
import { queryExemplars } from './client.js';
import { exemplarPoints } from './exemplars.js';
import { shortId } from './params.js';

/**
 * The exemplars of `selector` over `[start, end]` (Unix seconds) as marks linking to their
 * traces' waterfalls. Resolves to none when the backend has none, has no exemplar API, or
 * fails: a graph without exemplars is still a graph.
 *
 * @example chart.setMarks?.(await exemplarMarks(ctx, 'relay_dial_duration_seconds_bucket', 0, 3600, 'seconds', signal))
 */
export async function exemplarMarks(
  ctx: AppContext,
  selector: string,
  start: number,
  end: number,
  unit: ValueUnit,
  signal: AbortSignal,
): Promise<readonly ChartMark[]> {
  let data;
  try {
    data = await queryExemplars(ctx.api, selector, start, end, signal);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  return exemplarPoints(data, start, end).map((p) => ({
    t: p.t,
    v: p.v,
    href: ctx.href(`/traces/${p.traceId}`, p.spanId !== undefined ? { span: p.spanId } : {}),
    label: `Trace ${shortId(p.traceId)}: ${formatValue(p.v, unit)} at ${formatTime(p.t * 1000)} — open its waterfall`,
  }));
}
