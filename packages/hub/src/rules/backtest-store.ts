/**
 * An in-memory store for what a backtest's rules write (recording rule outputs, `ALERTS`,
 * `ALERTS_FOR_STATE`): the {@link Querier} and {@link Appender} contracts of the TSDB,
 * without chunks or durability. Series grow by appending in time order, so a query is two
 * binary searches per series and the answer is a view of the stored arrays, not a copy.
 */
import type { Appender, Labels, Matcher, Querier, SeriesData } from '../model.js';
import { labelNamesOf, labelValuesOf, labelsKey } from '../model.js';
import { compileMatcher, matchesAll } from '../matchers.js';

interface MemSeries {
  readonly labels: Labels;
  t: Float64Array;
  v: Float64Array;
  n: number;
  /** Last appended timestamp (committed or not), for the order check. */
  last: number;
}

/** First index in `t[0..n)` with `t[i] > x` (`strict`) or `t[i] >= x`. */
function bound(t: Float64Array, n: number, x: number, strict: boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x || (strict && t[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A frozen copy of a label set without empty values (the TSDB treats "" as absent). */
function normalize(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const k in labels) if (labels[k] !== '') out[k] = labels[k]!;
  return Object.freeze(out);
}

/**
 * Series kept in memory, appended in time order per series (out-of-order samples are
 * refused, as by the TSDB). Only committed samples are visible.
 *
 * @example
 * const s = new MemSeriesStore();
 * const app = s.appender();
 * app.append({ __name__: 'slo:error_ratio:rate5m' }, 60_000, 0.2);
 * app.commit();
 * s.select([{ name: '__name__', type: '=', value: 'slo:error_ratio:rate5m' }], 0, 60_000).length // 1
 */
export class MemSeriesStore implements Querier {
  private readonly byKey = new Map<string, MemSeries>();
  private readonly byName = new Map<string, MemSeries[]>();

  /** Number of samples committed so far (for progress and tests). */
  samples = 0;

  /** A new appender: samples become visible at `commit()`. */
  appender(): Appender {
    const pending: Array<{ s: MemSeries; t: number; v: number }> = [];
    return {
      append: (labels, t, v) => {
        const s = this.seriesFor(labels);
        if (t <= s.last) return false;
        s.last = t;
        pending.push({ s, t, v });
        return true;
      },
      commit: () => {
        for (const p of pending) this.push(p.s, p.t, p.v);
        this.samples += pending.length;
        pending.length = 0;
      },
    };
  }

  private seriesFor(labels: Labels): MemSeries {
    const norm = normalize(labels);
    const key = labelsKey(norm);
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = { labels: norm, t: new Float64Array(64), v: new Float64Array(64), n: 0, last: -Infinity };
      this.byKey.set(key, s);
      const name = norm['__name__'] ?? '';
      const list = this.byName.get(name);
      if (list === undefined) this.byName.set(name, [s]);
      else list.push(s);
    }
    return s;
  }

  private push(s: MemSeries, t: number, v: number): void {
    if (s.n === s.t.length) {
      // New arrays: views handed out by select() keep the old ones.
      const nt = new Float64Array(s.t.length * 2);
      const nv = new Float64Array(s.v.length * 2);
      nt.set(s.t);
      nv.set(s.v); // set() copies bytes: the staleness marker's NaN payload survives
      s.t = nt;
      s.v = nv;
    }
    s.t[s.n] = t;
    s.v[s.n] = v;
    s.n++;
  }

  /** Series that may match: those of the metric name when a matcher fixes it, else all. */
  private candidates(matchers: readonly Matcher[]): Iterable<MemSeries> {
    for (const m of matchers)
      if (m.name === '__name__' && m.type === '=') return this.byName.get(m.value) ?? [];
    return this.byKey.values();
  }

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesData[] {
    const ms = matchers.map(compileMatcher);
    const out: SeriesData[] = [];
    for (const s of this.candidates(matchers)) {
      if (!matchesAll(s.labels, ms)) continue;
      const lo = bound(s.t, s.n, mint, false);
      const hi = bound(s.t, s.n, maxt, true);
      if (hi > lo) out.push({ labels: s.labels, t: s.t.subarray(lo, hi), v: s.v.subarray(lo, hi) });
    }
    return out;
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    return this.select(matchers, mint, maxt).map((s) => s.labels);
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    return labelNamesOf(this.series(matchers, mint, maxt));
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    return labelValuesOf(name, this.series(matchers, mint, maxt));
  }
}
