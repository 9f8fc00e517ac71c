/** Range-query results → the aligned columns uPlot draws (one x axis, one column per line). */
import type { MatrixSeries, Metric } from './api.js';

/** Columns for uPlot: x (Unix seconds), then one array per line (null = no sample). */
export interface Columns {
  readonly x: number[];
  readonly lines: { label: string; values: (number | null)[] }[];
}

/**
 * A legend template filled from a series' labels: `{{instance}} {{direction}}`.
 *
 * @example legendOf('p99 {{instance}}', { instance: 'a:1' }) // 'p99 a:1'
 */
export function legendOf(template: string, m: Metric): string {
  const s = template.replace(
    /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g,
    (_, k: string) => m[k] ?? '',
  );
  const t = s.replace(/\s+/g, ' ').trim();
  if (t !== '') return t;
  const labels = Object.entries(m).filter(([k]) => k !== '__name__');
  return (
    (m.__name__ ?? '') +
      (labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${v}"`).join(', ')}}`) ||
    'value'
  );
}

/**
 * Aligns the series of several range queries, all run with the same start, end and step,
 * on one x axis. Values that are not finite numbers (NaN from 0/0) become gaps.
 *
 * @example toColumns([[{ metric: {}, values: [[60, '1']] }]], ['v'], 0, 120, 60).lines[0]?.values // [null, 1, null]
 */
export function toColumns(
  results: readonly (readonly MatrixSeries[])[],
  legends: readonly string[],
  start: number,
  end: number,
  step: number,
): Columns {
  const n = Math.floor((end - start) / step) + 1;
  const x = new Array<number>(n);
  for (let i = 0; i < n; i++) x[i] = start + i * step;
  const lines: Columns['lines'] = [];
  results.forEach((series, qi) => {
    for (const s of series) {
      const values = new Array<number | null>(n).fill(null);
      for (const [t, v] of s.values) {
        const i = Math.round((t - start) / step);
        const f = Number(v);
        if (i >= 0 && i < n && Number.isFinite(f)) values[i] = f;
      }
      lines.push({ label: legendOf(legends[qi] ?? '', s.metric), values });
    }
  });
  return { x, lines };
}

/**
 * Whether any line has a point.
 *
 * @example hasPoints(toColumns([[]], [''], 0, 60, 60)) // false
 */
export function hasPoints(c: Columns): boolean {
  return c.lines.some((l) => l.values.some((v) => v !== null));
}
