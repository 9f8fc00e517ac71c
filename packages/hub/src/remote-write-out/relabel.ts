/**
 * What an endpoint gets: `write_relabel_configs` (Prometheus semantics for keep, drop,
 * replace, labeldrop and labelkeep), then the catalog filter, then the series limit. The
 * outcome for a label set is decided once and cached per label object, so a series scraped
 * every 15 s costs a map lookup after its first sample.
 */
import { allMetrics, host } from '@canopy/catalog';
import { labelsKey, type Labels } from '../model.js';
import type { RelabelRule } from './config.js';

/**
 * Applies relabel rules to a label set; undefined when a rule drops it (or `__name__` is
 * gone). Labels starting with `__` other than `__name__` are removed at the end, as
 * Prometheus does.
 *
 * @example relabel({ __name__: 'up', job: 'x' }, [dropRule]) // undefined
 */
export function relabel(labels: Labels, rules: readonly RelabelRule[]): Labels | undefined {
  if (rules.length === 0) return labels;
  const out: Record<string, string> = { ...labels };
  for (const r of rules) {
    switch (r.action) {
      case 'keep':
        if (!r.regex.test(joined(out, r))) return undefined;
        break;
      case 'drop':
        if (r.regex.test(joined(out, r))) return undefined;
        break;
      case 'replace': {
        const m = r.regex.exec(joined(out, r));
        if (m === null) break;
        const target = expand(r.target_label, m);
        const value = expand(r.replacement, m);
        if (target === '') break;
        if (value === '') delete out[target];
        else out[target] = value;
        break;
      }
      case 'labeldrop':
        for (const n of Object.keys(out)) if (r.regex.test(n)) delete out[n];
        break;
      case 'labelkeep':
        for (const n of Object.keys(out)) if (!r.regex.test(n)) delete out[n];
        break;
    }
  }
  for (const n of Object.keys(out)) if (n.startsWith('__') && n !== '__name__') delete out[n];
  if (out['__name__'] === undefined || out['__name__'] === '') return undefined;
  return out;
}

function joined(l: Record<string, string>, r: RelabelRule): string {
  let s = '';
  for (let i = 0; i < r.source_labels.length; i++) {
    if (i > 0) s += r.separator;
    s += l[r.source_labels[i]!] ?? '';
  }
  return s;
}

/** `$1`, `${1}` and `${name}` replaced by the match's groups (missing ones by ''). */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(?:\{(\w+)\}|(\d+))/g, (_, braced: string | undefined, bare) => {
    const g = braced ?? (bare as string);
    const v = /^\d+$/.test(g) ? m[Number(g)] : m.groups?.[g];
    return v ?? '';
  });
}

let catalogNames: Set<string> | undefined;

/**
 * Whether a metric name belongs to Canopy: a catalog metric (histogram series included), a
 * host metric, a scrape series (`up`, `scrape_*`), a rule result (a name with `:`, `ALERTS`,
 * `ALERTS_FOR_STATE`) or Canopy's own (`canopy_*`).
 *
 * @example inCatalog('relay_peers_connected') // true; inCatalog('go_goroutines') // false
 */
export function inCatalog(name: string): boolean {
  if (catalogNames === undefined) {
    catalogNames = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);
    for (const m of allMetrics()) {
      catalogNames.add(m.name);
      if (m.type === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) catalogNames.add(m.name + s);
    }
    for (const m of host) catalogNames.add(m.name);
  }
  return (
    catalogNames.has(name) ||
    name.startsWith('scrape_') ||
    name.startsWith('canopy_') ||
    name.includes(':')
  );
}

/** Why a series is not forwarded. */
export type DropReason = 'relabel' | 'not_in_catalog' | 'series_limit';

/** The outcome for one label set: what to send, or why not. */
export type Outcome = { labels: Labels; key: string } | { drop: DropReason };

/** Options of {@link SeriesFilter}. */
export interface SeriesFilterOptions {
  readonly rules: readonly RelabelRule[];
  readonly catalogOnly: boolean;
  /** Distinct series forwarded at most; 0 = no limit. */
  readonly seriesLimit: number;
}

/**
 * Decides, per label set, what an endpoint gets. Series past the limit are dropped until the
 * hub restarts (the limit counts series forwarded since start).
 */
export class SeriesFilter {
  private readonly cache = new WeakMap<Labels, Outcome>();
  private readonly forwarded = new Set<string>();

  constructor(private readonly o: SeriesFilterOptions) {}

  /** The outcome for `labels` (cached by object identity). */
  outcome(labels: Labels): Outcome {
    let c = this.cache.get(labels);
    if (c === undefined) {
      c = this.decide(labels);
      this.cache.set(labels, c);
    }
    return c;
  }

  private decide(labels: Labels): Outcome {
    const l = relabel(labels, this.o.rules);
    if (l === undefined) return { drop: 'relabel' };
    if (this.o.catalogOnly && !inCatalog(l['__name__'] ?? '')) return { drop: 'not_in_catalog' };
    const key = labelsKey(l);
    if (this.o.seriesLimit > 0 && !this.forwarded.has(key)) {
      if (this.forwarded.size >= this.o.seriesLimit) return { drop: 'series_limit' };
      this.forwarded.add(key);
    }
    return { labels: l, key };
  }
}
