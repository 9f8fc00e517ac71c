import type { Labels, Matcher, Querier, SeriesData } from '../model.js';
import { labelsKey } from '../model.js';
import { compileMatcher, matchesAll } from '../matchers.js';

/**
 * An in-memory Querier for tests: add samples, query them. Not a TSDB — no chunks, no
 * durability — but the same contract.
 */
export class MemQuerier implements Querier {
  private readonly data = new Map<
    string,
    { labels: Labels; t: number[]; v: Float64Array; n: number }
  >();

  /** Adds one sample (any order; sorted on read). */
  add(labels: Labels, t: number, v: number): void {
    const k = labelsKey(labels);
    let s = this.data.get(k);
    if (s === undefined) this.data.set(k, (s = { labels, t: [], v: new Float64Array(16), n: 0 }));
    if (s.n === s.v.length) {
      const nv = new Float64Array(s.v.length * 2);
      nv.set(s.v);
      s.v = nv;
    }
    s.t.push(t);
    s.v[s.n++] = v;
  }

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesData[] {
    const ms = matchers.map(compileMatcher);
    const out: SeriesData[] = [];
    for (const s of this.data.values()) {
      if (!matchesAll(s.labels, ms)) continue;
      const idx: number[] = [];
      for (let i = 0; i < s.n; i++) if (s.t[i]! >= mint && s.t[i]! <= maxt) idx.push(i);
      if (idx.length === 0) continue;
      idx.sort((a, b) => s.t[a]! - s.t[b]!);
      const t = new Float64Array(idx.length);
      const v = new Float64Array(idx.length);
      idx.forEach((i, j) => {
        t[j] = s.t[i]!;
        v[j] = s.v[i]!;
      });
      out.push({ labels: s.labels, t, v });
    }
    return out;
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    return this.select(matchers, mint, maxt).map((s) => s.labels);
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    const names = new Set<string>();
    for (const l of this.series(matchers, mint, maxt)) for (const k of Object.keys(l)) names.add(k);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    const vals = new Set<string>();
    for (const l of this.series(matchers, mint, maxt)) if (l[name] !== undefined) vals.add(l[name]);
    return [...vals].sort();
  }
}
