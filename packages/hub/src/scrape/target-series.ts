/**
 * The series of one target between scrapes: turns parsed samples into stored label sets
 * (target labels added, conflicts renamed `exported_…`, limits checked once per new
 * series), appends them, and writes staleness markers for series that went away.
 */

import type { Appender, Labels } from '../model.js';
import { STALE_NAN } from '../model.js';
import { checkLabelLimits, type LabelLimits } from './limits.js';
import { duplicateMessage, type ParsedSample } from './parse.js';
import { ScrapeError } from './fetch-body.js';

/** A series of the target, as resolved by {@link TargetSeries.prepare}. */
export interface SeriesRef {
  /** The stored label set: scraped labels plus target labels. */
  readonly labels: Labels;
}

interface Entry extends SeriesRef {
  /** Scrape generation that last saw the series; -1 while prepared but not appended. */
  gen: number;
  /** Whether the series gets a staleness marker when it disappears (no own timestamp). */
  tracked: boolean;
  /** The prepare() call that last saw the series, and on which line: finds duplicates. */
  stamp: number;
  line: number;
}

/** Counts from one successful {@link TargetSeries.append}. */
export interface AppendResult {
  /** Series not present in the previous scrape. */
  readonly seriesAdded: number;
  /** Samples the appender refused (out of order or duplicate timestamps). */
  readonly rejected: number;
}

/**
 * Per-target series state. `prepare` then `append` for a good scrape (synchronously, one
 * after the other); `fail` for a failed one.
 *
 * @example
 * const ts = new TargetSeries({ service: 'relay', instance: 'h:1' }, { labelLimit: 64 });
 * const refs = ts.prepare(exposition.samples);
 * ts.append(appender, exposition.samples, refs, Date.now());
 */
export class TargetSeries {
  private readonly series = new Map<string, Entry>();
  private gen = 0;
  private stamp = 0;
  private readonly targetNames: readonly string[];

  constructor(
    private readonly target: Labels,
    private readonly limits: LabelLimits,
  ) {
    const names: string[] = [];
    for (const k in target) if (target[k] !== '') names.push(k);
    // Prometheus resolves conflicts of shorter names first.
    names.sort((a, b) => a.length - b.length);
    this.targetNames = names;
  }

  /** Series present after the last scrape. */
  get size(): number {
    return this.series.size;
  }

  /**
   * Resolves the stored series of every sample, checking label limits on series not seen
   * before and rejecting a series that appears twice. Throws a {@link ScrapeError} on the
   * first problem; nothing is appended either way.
   */
  prepare(samples: readonly ParsedSample[]): SeriesRef[] {
    const stamp = ++this.stamp;
    const out = new Array<SeriesRef>(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      let e = this.series.get(s.key);
      if (e !== undefined) {
        if (e.stamp === stamp)
          throw new ScrapeError(`line ${s.line}: ${duplicateMessage(s.key, e.line)}`);
      } else {
        const labels = this.build(s);
        const err = checkLabelLimits(s.name, labels, Object.keys(labels).length, this.limits);
        if (err !== undefined) throw new ScrapeError(`${err} at line ${s.line}`);
        e = { labels, gen: -1, tracked: false, stamp, line: s.line };
        this.series.set(s.key, e);
      }
      e.stamp = stamp;
      e.line = s.line;
      out[i] = e;
    }
    return out;
  }

  /**
   * Appends the samples (at their own timestamp or `t`) to the series `prepare` returned,
   * then a staleness marker at `t` for every series of the previous scrape that is gone.
   */
  append(
    appender: Appender,
    samples: readonly ParsedSample[],
    refs: readonly SeriesRef[],
    t: number,
  ): AppendResult {
    const prev = this.gen;
    const gen = ++this.gen;
    let added = 0;
    let rejected = 0;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const e = refs[i] as Entry;
      if (e.gen !== prev) added++;
      e.gen = gen;
      e.tracked = s.timestampMs === undefined;
      if (!appender.append(e.labels, s.timestampMs ?? t, s.value)) rejected++;
    }
    for (const [key, e] of this.series) {
      if (e.gen === gen) continue;
      if (e.gen === prev && e.tracked) appender.append(e.labels, t, STALE_NAN);
      this.series.delete(key);
    }
    return { seriesAdded: added, rejected };
  }

  /** A failed scrape: every series of the previous scrape gets a staleness marker at `t`. */
  fail(appender: Appender, t: number): void {
    const prev = this.gen;
    for (const e of this.series.values())
      if (e.gen === prev && e.tracked) appender.append(e.labels, t, STALE_NAN);
    this.series.clear();
    this.gen++;
  }

  /**
   * Forgets every series without writing anything: after the appender failed mid-scrape,
   * what was stored is unknown, so the next scrape starts afresh.
   */
  forget(): void {
    this.series.clear();
    this.gen++;
  }

  /** `__name__`, the scraped labels, then the target labels (honor_labels: false). */
  private build(s: ParsedSample): Labels {
    const l: Record<string, string> = { __name__: s.name };
    let conflicts: string[] | undefined;
    for (const k in s.labels) l[k] = s.labels[k]!;
    for (const k of this.targetNames) {
      const v = s.labels[k];
      if (v !== undefined) (conflicts ??= []).push(k);
    }
    for (const k of this.targetNames) l[k] = this.target[k]!;
    if (conflicts !== undefined) {
      // As Prometheus: the scraped value moves to exported_<name>, or exported_exported_…
      // while that name is taken.
      for (const k of conflicts) {
        let name = k;
        do name = 'exported_' + name;
        while (l[name] !== undefined && l[name] !== '');
        l[name] = s.labels[k]!;
      }
    }
    return l;
  }
}
