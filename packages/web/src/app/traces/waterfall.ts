/**
 * The waterfall's layout, as data: spans in tree order (each parent before its children,
 * siblings by start time), each with its depth and its bar's offset and width relative to
 * the whole trace. Pure, so the odd traces — a missing parent, a child that starts before
 * its parent because two hosts' clocks disagree, a parent loop — are tested without a browser.
 * @module
 */
import type { Span } from './types.js';

/** One row of the waterfall. */
export interface WaterfallRow {
  readonly span: Span;
  /** Nesting depth: 0 for a root (or an orphan), parent's depth + 1 otherwise. */
  readonly depth: number;
  /** Start relative to the trace's start, ms. */
  readonly offsetMs: number;
  /** Bar position and width as percentages of the trace's duration (0–100). */
  readonly leftPct: number;
  readonly widthPct: number;
  /** The span names a parent that is not in the trace (not received, or dropped). */
  readonly orphan: boolean;
  /**
   * How much earlier than its parent the span starts, ms (clock skew between hosts); 0
   * when it does not. The bar is drawn where the span's own clock puts it.
   */
  readonly skewMs: number;
  readonly childCount: number;
}

/** A trace laid out. */
export interface WaterfallLayout {
  /** Earliest span start, Unix ms. */
  readonly startMs: number;
  /** Latest span end minus {@link startMs}, ms. */
  readonly durationMs: number;
  readonly rows: readonly WaterfallRow[];
  /** Services in order of first appearance in the rows. */
  readonly services: readonly string[];
}

const byStart = (a: Span, b: Span): number =>
  a.startMs - b.startMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Lays a trace's spans out for the waterfall. Spans whose parent is missing start a tree of
 * their own (marked `orphan`); a span ID seen twice keeps its first span; spans caught in a
 * parent loop are shown as roots rather than dropped.
 *
 * @example layoutWaterfall([{ spanId: 'a', parentSpanId: null, startMs: 0, durationMs: 10, … }]).rows[0]?.depth // 0
 */
export function layoutWaterfall(spans: readonly Span[]): WaterfallLayout {
  const byId = new Map<string, Span>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const unique = [...byId.values()];
  let start = Infinity;
  let end = -Infinity;
  for (const s of unique) {
    if (s.startMs < start) start = s.startMs;
    const e = s.startMs + Math.max(0, s.durationMs);
    if (e > end) end = e;
  }
  if (unique.length === 0) return { startMs: 0, durationMs: 0, rows: [], services: [] };
  const total = end - start;

  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of unique) {
    const p = s.parentSpanId;
    if (p === null || p === '' || p === s.spanId || !byId.has(p)) roots.push(s);
    else {
      let list = children.get(p);
      if (list === undefined) children.set(p, (list = []));
      list.push(s);
    }
  }
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  const rows: WaterfallRow[] = [];
  const placed = new Set<string>();
  const services: string[] = [];
  const seen = new Set<string>();
  // Iterative depth-first walk: a deep trace must not overflow the stack.
  const walk = (root: Span): void => {
    const stack: { span: Span; depth: number; parent: Span | undefined }[] = [
      { span: root, depth: 0, parent: undefined },
    ];
    while (stack.length > 0) {
      const { span, depth, parent } = stack.pop()!;
      if (placed.has(span.spanId)) continue;
      placed.add(span.spanId);
      if (!seen.has(span.service)) {
        seen.add(span.service);
        services.push(span.service);
      }
      const kids = children.get(span.spanId) ?? [];
      const offset = span.startMs - start;
      const p = span.parentSpanId;
      rows.push({
        span,
        depth,
        offsetMs: offset,
        leftPct: total > 0 ? (offset / total) * 100 : 0,
        widthPct: total > 0 ? (Math.max(0, span.durationMs) / total) * 100 : 100,
        orphan: p !== null && p !== '' && !byId.has(p),
        skewMs:
          parent !== undefined && span.startMs < parent.startMs ? parent.startMs - span.startMs : 0,
        childCount: kids.length,
      });
      for (let i = kids.length - 1; i >= 0; i--)
        stack.push({ span: kids[i]!, depth: depth + 1, parent: span });
    }
  };
  for (const r of roots) walk(r);
  // Whatever is left sits in a parent loop (a → b → a): shown as roots, earliest first.
  if (placed.size < unique.length) {
    const rest = unique.filter((s) => !placed.has(s.spanId)).sort(byStart);
    for (const s of rest) walk(s);
  }
  return { startMs: start, durationMs: total, rows, services };
}

/**
 * Tick marks for the waterfall's time axis: about `count` round offsets (ms) from 0 to the
 * trace's duration.
 *
 * @example axisTicks(1000, 4) // [0, 250, 500, 750, 1000]
 */
export function axisTicks(durationMs: number, count = 4): number[] {
  if (!(durationMs > 0)) return [0];
  const raw = durationMs / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= durationMs + step * 1e-9 && ticks.length <= count * 3; t += step)
    ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}
