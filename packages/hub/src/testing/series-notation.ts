import type { Labels } from '../model.js';
import { STALE_NAN } from '../model.js';

/**
 * Prometheus's test notation for series, as in promql/testdata/*.test and promtool's
 * `input_series`: `metric{a="b"} 0+10x3 _ stale 5x2` means 0 10 20 30, a gap, a staleness
 * marker, 5 5 5. Sample i lands at `start + i * interval`.
 */

/**
 * One parsed sample slot: a value, `'stale'` for a staleness marker (kept out of JS arrays,
 * which would canonicalise its NaN payload), or undefined for `_` (no sample).
 */
export type SlotValue = number | 'stale' | undefined;

function parseNum(s: string): number | 'stale' {
  const lower = s.toLowerCase().replace(/^\+/, '');
  if (lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (s === 'stale') return 'stale';
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new Error(`bad series value ${JSON.stringify(s)}`);
  return n;
}

/**
 * Expands a values string (`1 2 _ stale 0+10x3 5x2 1-1x2 _x2`).
 *
 * @example expandValues('0+10x2 _ stale') // [0, 10, 20, undefined, 'stale']
 */
export function expandValues(text: string): SlotValue[] {
  const out: SlotValue[] = [];
  for (const item of text.trim().split(/\s+/)) {
    if (item === '') continue;
    let m = /^_(?:x(\d+))?$/.exec(item);
    if (m !== null) {
      const times = m[1] === undefined ? 1 : Number(m[1]);
      for (let i = 0; i < times; i++) out.push(undefined);
      continue;
    }
    m = /^([-+]?(?:[^-+x]+|[Ii]nf))([-+][^x]+)x(\d+)$/.exec(item);
    if (m !== null) {
      let v = Number(parseNum(m[1]!));
      const inc = Number(parseNum(m[2]!));
      for (let i = 0; i <= Number(m[3]); i++) {
        out.push(v);
        v += inc;
      }
      continue;
    }
    m = /^(.+)x(\d+)$/.exec(item);
    if (m !== null) {
      const v = parseNum(m[1]!);
      for (let i = 0; i <= Number(m[2]); i++) out.push(v);
      continue;
    }
    out.push(parseNum(item));
  }
  return out;
}

/**
 * Parses `name{a="x", b="y"}` (name optional) into labels.
 *
 * @example parseSeriesLabels('up{job="api"}') // { __name__: 'up', job: 'api' }
 */
export function parseSeriesLabels(text: string): Labels {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(text);
  if (m === null) throw new Error(`bad series ${JSON.stringify(text)}`);
  const labels: Record<string, string> = {};
  if (m[1] !== undefined) labels['__name__'] = m[1];
  const body = m[2] ?? '';
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")\s*,?/gy;
  let pm: RegExpExecArray | null;
  let pos = 0;
  while ((pm = re.exec(body)) !== null) {
    labels[pm[1]!] = JSON.parse(pm[2]!) as string;
    pos = re.lastIndex;
  }
  if (body.slice(pos).trim() !== '') throw new Error(`bad labels ${JSON.stringify(body)}`);
  return labels;
}

/** Something samples can be added to (MemQuerier). */
export interface SampleSink {
  add(labels: Labels, t: number, v: number): void;
}

/**
 * Loads lines of `series values` into a sink, the first sample at `startMs` and one every
 * `intervalMs`. Blank lines and `#` comments are skipped.
 *
 * @example load(q, 'x{a="1"} 0+1x10', 60_000)
 */
export function load(sink: SampleSink, text: string, intervalMs: number, startMs = 0): void {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^((?:[a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?)\s+(.*)$/.exec(
      line,
    );
    if (m === null) throw new Error(`bad load line ${JSON.stringify(line)}`);
    const labels = parseSeriesLabels(m[1]!);
    expandValues(m[2]!).forEach((v, i) => {
      if (v !== undefined)
        sink.add(labels, startMs + i * intervalMs, v === 'stale' ? STALE_NAN : v);
    });
  }
}
