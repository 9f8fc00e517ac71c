/**
 * The querier a backtest's rules read: the stored history with the rules' own outputs laid
 * over it. Stored series whose metric name the replayed rules produce (`ALERTS`,
 * `ALERTS_FOR_STATE`, each recording rule's name) are hidden, so what the live hub wrote
 * there can't mix with what the replay computes afresh.
 */
import type { Labels, Matcher, Querier, SeriesData } from '../model.js';
import { labelNamesOf, labelValuesOf } from '../model.js';
import type { GroupSpec } from './load.js';

/**
 * The metric names a set of rule groups writes: `ALERTS` and `ALERTS_FOR_STATE` when there
 * is an alerting rule, and every recording rule's name.
 *
 * @example producedNames(loadRuleFile(text, 'r.yml')) // Set { 'slo:error_ratio:rate5m', …, 'ALERTS', 'ALERTS_FOR_STATE' }
 */
export function producedNames(groups: readonly GroupSpec[]): Set<string> {
  const out = new Set<string>();
  for (const g of groups)
    for (const r of g.rules) {
      if (r.kind === 'recording') out.add(r.name);
      else {
        out.add('ALERTS');
        out.add('ALERTS_FOR_STATE');
      }
    }
  return out;
}

/** The value a matcher set pins `__name__` to, if any. */
function pinnedName(matchers: readonly Matcher[]): string | undefined {
  for (const m of matchers) if (m.name === '__name__' && m.type === '=') return m.value;
  return undefined;
}

/**
 * `base` without the series named in `hidden`, plus everything in `top` (which should hold
 * only series with hidden names, or its series would appear twice).
 *
 * @example
 * const q = new OverlayQuerier(tsdb, outputs, producedNames(groups));
 * instantQuery(q, 'slo:error_ratio:rate5m', t); // the replay's values, never the stored ones
 */
export class OverlayQuerier implements Querier {
  constructor(
    private readonly base: Querier,
    private readonly top: Querier,
    private readonly hidden: ReadonlySet<string>,
  ) {}

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesData[] {
    const name = pinnedName(matchers);
    if (name !== undefined && this.hidden.has(name)) return this.top.select(matchers, mint, maxt);
    const out: SeriesData[] = [];
    for (const s of this.base.select(matchers, mint, maxt))
      if (!this.hidden.has(s.labels['__name__'] ?? '')) out.push(s);
    // A pinned name that is not hidden can't be in `top`.
    if (name === undefined) for (const s of this.top.select(matchers, mint, maxt)) out.push(s);
    return out;
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    const name = pinnedName(matchers);
    if (name !== undefined && this.hidden.has(name)) return this.top.series(matchers, mint, maxt);
    const out: Labels[] = [];
    for (const l of this.base.series(matchers, mint, maxt))
      if (!this.hidden.has(l['__name__'] ?? '')) out.push(l);
    if (name === undefined) for (const l of this.top.series(matchers, mint, maxt)) out.push(l);
    return out;
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    return labelNamesOf(this.series(matchers, mint, maxt));
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    return labelValuesOf(name, this.series(matchers, mint, maxt));
  }
}
