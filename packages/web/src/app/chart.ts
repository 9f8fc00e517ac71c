/** A uPlot graph sized to its box, with dashed threshold lines and drag-to-zoom. */
import uPlot from 'uplot';
import type { ValueUnit } from '../model/types.js';
import type { Columns } from './series.js';
import { formatTime, formatValue } from './format.js';

/** Line colours, cycled. */
export const PALETTE = [
  '#2f6fdf',
  '#e8833a',
  '#3aa76d',
  '#9b59b6',
  '#d64545',
  '#1fa2b8',
  '#b58900',
  '#6c757d',
  '#e83e8c',
  '#20c997',
];

/** Options of {@link drawChart}. */
export interface ChartOptions {
  readonly unit: ValueUnit;
  readonly thresholds?: readonly { readonly value: number; readonly label: string }[];
  /** A sparkline: no axes, legend or cursor. */
  readonly compact?: boolean;
  readonly height?: number;
  /** Called with a dragged selection (Unix seconds). */
  readonly onZoom?: (from: number, to: number) => void;
}

/** A point drawn over a graph that links somewhere (an exemplar → its trace). */
export interface ChartMark {
  /** Unix seconds. */
  readonly t: number;
  readonly v: number;
  readonly href: string;
  /** What the point is, for the tooltip and screen readers. */
  readonly label: string;
}

/** A drawn chart; call dispose when the box goes away. */
export interface DrawnChart {
  /** Replaces the linked points drawn over the graph (the y axis grows to show them). */
  setMarks?(marks: readonly ChartMark[]): void;
  dispose(): void;
}

/**
 * Draws columns into a box, replacing what was there.
 *
 * @example const c = drawChart(box, toColumns(results, legends, start, end, step), { unit: 'seconds' });
 */
export function drawChart(box: HTMLElement, cols: Columns, o: ChartOptions): DrawnChart {
  box.textContent = '';
  const compact = o.compact === true;
  const thresholds = o.thresholds ?? [];
  const series: uPlot.Series[] = [{ value: (_u, v) => (v === null ? '—' : formatTime(v * 1000)) }];
  const data: (number | null)[][] = [cols.x];
  cols.lines.forEach((l, i) => {
    series.push({
      label: l.label,
      stroke: PALETTE[i % PALETTE.length]!,
      width: compact ? 1.5 : 1.25,
      spanGaps: false,
      points: { show: false },
      value: (_u, v) => formatValue(v, o.unit),
    });
    data.push(l.values);
  });
  for (const t of thresholds) {
    series.push({
      label: t.label,
      stroke: '#c0392b',
      dash: [6, 4],
      width: 1,
      points: { show: false },
      value: () => formatValue(t.value, o.unit),
    });
    data.push(cols.x.map(() => t.value));
  }
  let marks: readonly ChartMark[] = [];
  let marksMax = -Infinity;
  const width = Math.max(compact ? 80 : 200, box.clientWidth);
  const axis = { stroke: '#6b7385', grid: { stroke: '#eceef2', width: 1 }, ticks: { show: false } };
  const opts: uPlot.Options = {
    width,
    height: o.height ?? (compact ? 40 : 190),
    series,
    scales: {
      x: { time: true },
      y: {
        range: (_u, lo, hi) => {
          const min = Math.min(0, lo ?? 0);
          const top = Math.max(hi ?? -Infinity, marksMax);
          const max = !Number.isFinite(top) || top <= min ? min + 1 : top;
          return [min, max + (max - min) * 0.08];
        },
      },
    },
    axes: compact
      ? [{ show: false }, { show: false }]
      : [
          axis,
          { ...axis, size: 64, values: (_u, ticks) => ticks.map((v) => formatValue(v, o.unit)) },
        ],
    legend: { show: !compact },
    cursor: compact ? { show: false } : { drag: { x: true, y: false } },
    padding: compact ? [2, 0, 2, 0] : [8, 8, 0, 0],
    hooks: {
      draw: [(u) => placeMarks(u, marks)],
      setSelect: [
        (u) => {
          if (o.onZoom === undefined || u.select.width < 4) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          o.onZoom(from, to);
        },
      ],
    },
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, box);
  const ro = new ResizeObserver(() => {
    const w = Math.max(compact ? 80 : 200, box.clientWidth);
    if (w !== plot.width) plot.setSize({ width: w, height: plot.height });
  });
  ro.observe(box);
  return {
    setMarks(next) {
      marks = next;
      let m = -Infinity;
      for (const k of next) if (k.v > m) m = k.v;
      const grow = m > marksMax;
      marksMax = m;
      // Recomputes the y range (with the marks) and redraws, which places them.
      if (grow) plot.setData(plot.data);
      else placeMarks(plot, marks);
    },
    dispose() {
      ro.disconnect();
      plot.destroy();
    },
  };
}

/**
 * Puts one focusable link per mark over the plot area (keyboard and pointer alike), where
 * its time and value fall; marks outside the visible area are not drawn.
 */
function placeMarks(u: uPlot, marks: readonly ChartMark[]): void {
  let layer = u.over.querySelector<HTMLElement>(':scope > .marks');
  if (marks.length === 0) {
    layer?.remove();
    return;
  }
  if (layer === null) {
    layer = document.createElement('div');
    layer.className = 'marks';
    u.over.append(layer);
  }
  layer.textContent = '';
  const w = u.over.clientWidth;
  const hgt = u.over.clientHeight;
  for (const m of marks) {
    const x = u.valToPos(m.t, 'x');
    const y = u.valToPos(m.v, 'y');
    if (!(x >= 0 && x <= w && y >= 0 && y <= hgt)) continue;
    const a = document.createElement('a');
    a.className = 'exemplar';
    a.href = m.href;
    a.dataset.nav = '';
    a.title = m.label;
    a.setAttribute('aria-label', m.label);
    a.style.left = `${x}px`;
    a.style.top = `${y}px`;
    // A press on a mark is a click, not the start of a drag-to-zoom.
    a.addEventListener('mousedown', (e) => e.stopPropagation());
    layer.append(a);
  }
}
