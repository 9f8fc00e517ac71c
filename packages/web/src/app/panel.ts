/**
 * A graph card: runs its queries over the page's range and draws them, or says in place
 * why it can't (query error, no data in the range, backend down or slow).
 */
import type { Panel, PanelQuery, Threshold, ValueUnit } from '../model/types.js';
import { h, replace } from './dom.js';
import { bounds, expand, stepFor } from './state.js';
import { toColumns, hasPoints } from './series.js';
import { drawChart, type ChartMark, type DrawnChart } from './chart.js';
import { ApiError, type MatrixSeries } from './api.js';
import type { AppContext } from './context.js';
import { exemplarSelector } from './traces/exemplars.js';
import { exemplarMarks } from './traces/exemplar-marks.js';

/** Points per graph over the range. */
export const GRAPH_POINTS = 240;

/** What to draw: the model's panel, or an ad-hoc one (Explore). */
export interface GraphSpec {
  readonly id: string;
  readonly title: string;
  readonly help: string;
  readonly unit: ValueUnit;
  readonly queries: readonly PanelQuery[];
  readonly thresholds: readonly Threshold[];
}

/** A graph card on a page. */
export interface GraphCard {
  readonly el: HTMLElement;
  load(signal: AbortSignal): Promise<void>;
  dispose(): void;
}

/** How long before a pending query is called slow, ms. */
const SLOW_MS = 3000;

/**
 * Tells a failure apart for people.
 *
 * @example describeError(new ApiError('query', 'bad_data: parse error')) // 'Query error — bad_data: parse error'
 */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.kind === 'query') return `Query error — ${e.message}`;
    if (e.kind === 'timeout') return `Backend too slow — ${e.message}`;
    if (e.kind === 'unreachable') return `Backend down — ${e.message}`;
    return e.message;
  }
  return (e as Error).message;
}

/** What {@link loadGraph} drew. */
export interface GraphResult {
  readonly chart: DrawnChart | undefined;
  /** Why nothing (or not everything) was drawn; '' when all went well. */
  readonly status: string;
  readonly error: boolean;
  /** Points drawn, over all lines. */
  readonly points: number;
  /** The latest value of each line. */
  readonly last: readonly (number | undefined)[];
}

/** The time grid of a graph: start and end aligned to the step, Unix seconds. */
export interface GraphWindow {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /** The range asked for (before alignment), seconds. */
  readonly seconds: number;
}

/**
 * The grid for about `points` points over the page's range. Aligned to the step, so every
 * query and refresh lands on the same grid.
 *
 * @example const { start, end, step } = graphWindow(ctx, 60)
 */
export function graphWindow(ctx: AppContext, points: number = GRAPH_POINTS): GraphWindow {
  const { start: s0, end: e0 } = bounds(ctx.range());
  const step = stepFor(e0 - s0, points, ctx.model.scrapeIntervalSeconds);
  return {
    start: Math.floor(s0 / step) * step,
    end: Math.ceil(e0 / step) * step,
    step,
    seconds: e0 - s0,
  };
}

/**
 * Runs a graph's queries and draws them into a box; resolves to a status text ('' when
 * drawn). Shared by panels, SLO sparklines and Explore.
 *
 * @example const g = await loadGraph(ctx, box, panel, signal, { points: 60, compact: true })
 */
export async function loadGraph(
  ctx: AppContext,
  box: HTMLElement,
  spec: {
    readonly queries: readonly PanelQuery[];
    readonly thresholds: readonly { readonly value: number; readonly label: string }[];
    readonly unit: ValueUnit;
  },
  signal: AbortSignal,
  o: {
    points?: number;
    compact?: boolean;
    height?: number;
    previous?: DrawnChart;
    /** The queries' answers, fetched by the caller over `window` (a batch). */
    results?: readonly PromiseSettledResult<readonly MatrixSeries[]>[];
    window?: GraphWindow;
  } = {},
): Promise<GraphResult> {
  const scrape = ctx.model.scrapeIntervalSeconds;
  const { start, end, step, seconds } = o.window ?? graphWindow(ctx, o.points);
  const settled =
    o.results ??
    (await Promise.allSettled(
      spec.queries.map((q) =>
        ctx.api.queryRange(expand(q.expr, step, seconds, scrape), start, end, step, signal),
      ),
    ));
  const results: MatrixSeries[][] = [];
  const errors: string[] = [];
  for (const r of settled)
    if (r.status === 'fulfilled') results.push([...r.value]);
    else {
      results.push([]);
      errors.push(describeError(r.reason));
    }
  const cols = toColumns(
    results,
    spec.queries.map((q) => q.legend),
    start,
    end,
    step,
  );
  if (!hasPoints(cols)) {
    // The backend failed: the last graph stays, marked, rather than a blank box.
    if (errors.length > 0 && o.previous !== undefined)
      return {
        chart: o.previous,
        points: 0,
        last: [],
        status: `${errors[0]!} (showing the last data)`,
        error: true,
      };
    o.previous?.dispose();
    box.textContent = '';
    return {
      chart: undefined,
      points: 0,
      last: [],
      status: errors.length > 0 ? errors[0]! : 'No data in this range',
      error: errors.length > 0,
    };
  }
  o.previous?.dispose();
  const chart = drawChart(box, cols, {
    unit: spec.unit,
    thresholds: spec.thresholds,
    ...(o.compact !== undefined ? { compact: o.compact } : {}),
    ...(o.height !== undefined ? { height: o.height } : {}),
    onZoom: (f, t) => ctx.zoom(f, t),
  });
  // Some queries drew, some failed: draw what there is and say what is missing.
  let points = 0;
  const last: (number | undefined)[] = [];
  for (const l of cols.lines) {
    let latest: number | undefined;
    for (const v of l.values)
      if (v !== null) {
        points++;
        latest = v;
      }
    last.push(latest);
  }
  return { chart, status: errors.join(' · '), error: errors.length > 0, points, last };
}

/**
 * A card for one panel of the model.
 *
 * @example const card = graphCard(ctx, panel); grid.append(card.el); await card.load(signal);
 */
export function graphCard(ctx: AppContext, p: GraphSpec | Panel): GraphCard {
  const box = h('div', { class: 'chart' });
  const status = h('div', { class: 'status', role: 'status' });
  const el = h(
    'section',
    { class: 'panel', id: p.id, 'data-panel': p.id },
    h('h3', {}, p.title),
    h('p', { class: 'help' }, p.help),
    status,
    box,
  );
  const note = h('p', { class: 'help exemplar-note' });
  let chart: DrawnChart | undefined;
  // A latency graph shows its exemplars: points that open their trace.
  const exemplars = 'kind' in p ? exemplarSelector(p) : undefined;
  if (exemplars !== undefined) el.append(note);
  return {
    el,
    async load(signal) {
      el.classList.add('loading');
      let marks: Promise<readonly ChartMark[]> | undefined;
      if (exemplars !== undefined) {
        const w = graphWindow(ctx);
        marks = exemplarMarks(ctx, exemplars, w.start, w.end, p.unit, signal);
      }
      const slow = setTimeout(() => {
        replace(status, 'Waiting for the backend…');
        status.className = 'status slow';
      }, SLOW_MS);
      try {
        const r = await loadGraph(
          ctx,
          box,
          p,
          signal,
          chart !== undefined ? { previous: chart } : {},
        );
        chart = r.chart;
        if (signal.aborted) return;
        box.classList.toggle('stale', r.error && r.chart !== undefined);
        replace(status, r.status);
        status.className = r.error
          ? 'status error'
          : r.chart === undefined
            ? 'status empty'
            : 'status';
        el.dataset.points = String(r.points);
        if (marks !== undefined) {
          const m = r.chart === undefined ? [] : await marks;
          if (signal.aborted) return;
          r.chart?.setMarks?.(m);
          el.dataset.exemplars = String(m.length);
          replace(
            note,
            m.length === 0
              ? ''
              : `◆ ${m.length} exemplar${m.length === 1 ? '' : 's'}: one recorded request each; select one to open its trace.`,
          );
        }
      } finally {
        clearTimeout(slow);
        el.classList.remove('loading');
      }
    },
    dispose() {
      chart?.dispose();
    },
  };
}
