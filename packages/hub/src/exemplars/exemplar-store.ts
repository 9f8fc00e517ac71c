/**
 * Exemplars kept in memory, as Prometheus keeps them: one bounded store for all series
 * (default 100,000 exemplars); when full, the oldest exemplar overall is dropped. Each
 * series keeps its exemplars in arrival order; an exemplar equal to the series' last one
 * (same labels, value and timestamp — an exposition repeats it until the next observation)
 * is not stored again.
 */

import type { Labels, Matcher } from '../model.js';
import { labelsKey } from '../model.js';
import { compileMatcher, matchesAll } from '../matchers.js';
import type { ParsedExemplar } from '../scrape/index.js';

/** One stored exemplar. */
export interface StoredExemplar {
  readonly labels: Labels;
  readonly value: number;
  /** ms since the epoch: the exemplar's own timestamp, or the scrape's. */
  readonly timestampMs: number;
  /** Whether the exposition gave a timestamp (else the scrape time was used). */
  readonly hasTimestamp: boolean;
}

/** A series and its exemplars: the `/api/v1/query_exemplars` item, before formatting. */
export interface SeriesExemplars {
  readonly seriesLabels: Labels;
  readonly exemplars: StoredExemplar[];
}

/** Whether two label sets are equal, without building their keys (runs per exemplar per scrape). */
function sameLabels(a: Labels, b: Labels): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

interface Series {
  readonly labels: Labels;
  readonly key: string;
  readonly list: StoredExemplar[];
}

/**
 * The in-memory exemplar store.
 *
 * @example
 * const ex = new ExemplarStore(100_000);
 * new Scraper(app, config, { exemplars: (target, list, t) => ex.addScrape(target, list, t) });
 * ex.query([[{ name: '__name__', type: '=', value: 'relay_dial_duration_seconds_bucket' }]], 0, Date.now());
 */
export class ExemplarStore {
  readonly #max: number;
  readonly #series = new Map<string, Series>();
  // The arrival order over all series: a ring of the series each exemplar went to.
  readonly #ring: Array<Series | undefined>;
  #head = 0;
  #size = 0;

  /** @param max Exemplars kept over all series. Default 100,000. */
  constructor(max = 100_000) {
    this.#max = Math.max(1, max);
    this.#ring = new Array<Series | undefined>(this.#max);
  }

  /** Exemplars stored. */
  get size(): number {
    return this.#size;
  }

  /** Stores the exemplars of one scrape of `target` (its `service` and `instance` labels). */
  addScrape(target: Labels, exemplars: readonly ParsedExemplar[], scrapeMs: number): void {
    const targetKey = labelsKey(target);
    for (const e of exemplars) {
      const key = e.sample.key + '\u0002' + targetKey;
      let s = this.#series.get(key);
      if (s === undefined) {
        s = {
          key,
          labels: { ...e.sample.labels, ...target, __name__: e.sample.name },
          list: [],
        };
        this.#series.set(key, s);
      }
      this.#add(s, {
        labels: e.labels,
        value: e.value,
        timestampMs: e.timestampMs ?? scrapeMs,
        hasTimestamp: e.timestampMs !== undefined,
      });
    }
  }

  #add(s: Series, e: StoredExemplar): void {
    const last = s.list[s.list.length - 1];
    if (
      last !== undefined &&
      last.value === e.value &&
      sameLabels(last.labels, e.labels) &&
      (last.timestampMs === e.timestampMs || (!e.hasTimestamp && !last.hasTimestamp))
    )
      return;
    if (last !== undefined && e.hasTimestamp && e.timestampMs < last.timestampMs) return;
    if (this.#size === this.#max) {
      // Drop the oldest exemplar overall: the first of the series it went to.
      const old = this.#ring[this.#head]!;
      old.list.shift();
      if (old.list.length === 0) this.#series.delete(old.key);
      this.#head = (this.#head + 1) % this.#max;
      this.#size--;
    }
    this.#ring[(this.#head + this.#size) % this.#max] = s;
    this.#size++;
    s.list.push(e);
  }

  /**
   * Series matching any of the matcher sets, with their exemplars whose time is within
   * [`startMs`, `endMs`], oldest first. Series without such exemplars are left out.
   */
  query(sets: readonly (readonly Matcher[])[], startMs: number, endMs: number): SeriesExemplars[] {
    const compiled = sets.map((m) => m.map(compileMatcher));
    const out: SeriesExemplars[] = [];
    for (const s of this.#series.values()) {
      if (!compiled.some((c) => matchesAll(s.labels, c))) continue;
      const ex = s.list.filter((e) => e.timestampMs >= startMs && e.timestampMs <= endMs);
      if (ex.length > 0) out.push({ seriesLabels: s.labels, exemplars: ex });
    }
    return out;
  }
}
