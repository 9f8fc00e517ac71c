/**
 * Ships a hub's stored history to VictoriaMetrics: every series of the TSDB, in label-key
 * order, as JSON lines to `/api/v1/import`, in requests of `batchSamples` samples (a series
 * longer than that is cut into several lines, across requests).
 *
 * Resumable and idempotent by design: after each acknowledged batch the resume file records
 * the last series done (and its last timestamp, when only part of it was), and the keys of
 * the batch in flight. A killed run, started again,
 * skips what was acknowledged and, for the batch that was in flight (VictoriaMetrics may
 * have stored part of it), asks the target what it already holds and sends only the samples
 * it lacks, since VictoriaMetrics keeps duplicate samples unless it runs with
 * `-dedup.minScrapeInterval`.
 *
 * Staleness markers (and other NaN values) are not shipped: JSON has no NaN, and
 * VictoriaMetrics finds the end of a series without them.
 */
import { labelsKey, type Labels, type SeriesData, type TSDB } from '@canopy/hub';
import { exactSelector, type VictoriaTarget } from './victoria-target.js';
import { writeResume, type ResumeState } from './resume.js';
import type { Progress } from './progress.js';

/** Options of {@link migrateSeries}. */
export interface MigrateOptions {
  readonly db: TSDB;
  readonly target: VictoriaTarget;
  /** State from the resume file (mutated and saved as batches are acknowledged). */
  readonly state: ResumeState;
  readonly resumeFile: string;
  /** Samples per request. Default 50,000. */
  readonly batchSamples?: number;
  readonly progress?: Progress;
}

/** What a run did. */
export interface MigrateResult {
  /** Series in the window. */
  readonly series: number;
  /** Samples sent by this run. */
  readonly samplesSent: number;
  /** Series skipped because an earlier run had done them. */
  readonly seriesSkipped: number;
  /** Samples of the in-flight batch the target already had (not sent again). */
  readonly samplesAlreadyThere: number;
}

/** Default samples per import request: a few MB of JSON before gzip. */
export const DEFAULT_BATCH_SAMPLES = 50_000;

/** The series of the window, label-key order, with their keys. */
export function seriesInWindow(db: TSDB, untilMs: number): { key: string; labels: Labels }[] {
  const out = db
    .series([], -Infinity, untilMs)
    .map((labels) => ({ key: labelsKey(labels), labels }));
  // The TSDB sorts by key already; sorting again makes the order this file relies on explicit.
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/** One series' samples up to `untilMs`, NaN (staleness markers) left out. */
export function samplesOf(db: TSDB, labels: Labels, key: string, untilMs: number): SeriesData {
  const matchers = Object.keys(labels).map((name) => ({
    name,
    type: '=' as const,
    value: labels[name]!,
  }));
  for (const d of db.select(matchers, -Infinity, untilMs)) {
    if (labelsKey(d.labels) !== key) continue;
    let n = 0;
    const t = new Float64Array(d.t.length);
    const v = new Float64Array(d.v.length);
    for (let i = 0; i < d.t.length; i++) {
      if (Number.isNaN(d.v[i]!)) continue;
      t[n] = d.t[i]!;
      v[n] = d.v[i]!;
      n++;
    }
    return { labels, t: t.subarray(0, n), v: v.subarray(0, n) };
  }
  return { labels, t: new Float64Array(0), v: new Float64Array(0) };
}

/** A JSON line of `/api/v1/import`. */
function line(labels: Labels, t: Float64Array, v: Float64Array): string {
  return (
    JSON.stringify({ metric: labels, values: Array.from(v), timestamps: Array.from(t) }) + '\n'
  );
}

/**
 * Sends every series not yet acknowledged, saving the resume file after each batch.
 *
 * @example await migrateSeries({ db, target, state, resumeFile })
 */
export async function migrateSeries(o: MigrateOptions): Promise<MigrateResult> {
  const { db, target, state } = o;
  const batchSamples = o.batchSamples ?? DEFAULT_BATCH_SAMPLES;
  const all = seriesInWindow(db, state.untilMs);
  // Resume: series before doneKey are done; doneKey itself too, unless only its samples up
  // to doneT were acknowledged (a series longer than a batch spans several requests).
  let i = 0;
  const partial = state.doneKey !== undefined && state.doneT !== undefined;
  if (state.doneKey !== undefined)
    while (
      i < all.length &&
      (all[i]!.key < state.doneKey || (!partial && all[i]!.key === state.doneKey))
    )
      i++;
  const seriesSkipped = i;
  let samplesSent = 0;
  let samplesAlreadyThere = 0;
  // What the target has of the batch a killed run left in flight: those samples are not sent again.
  const have = new Map<string, Set<number>>();
  if (state.inFlight.length > 0) {
    const inFlight = new Set(state.inFlight);
    const labels = all.filter((s) => inFlight.has(s.key)).map((s) => s.labels);
    if (labels.length > 0) {
      await target.flush();
      const got = await target.export(labels.map(exactSelector), 0, state.untilMs);
      for (const [k, s] of got) if (inFlight.has(k)) have.set(k, new Set(s.t));
    }
  }
  o.progress?.update(i, 0);
  /** The series being cut into lines: its samples still to send, from `off`. */
  let cur:
    { key: string; labels: Labels; t: Float64Array; v: Float64Array; off: number } | undefined;
  for (;;) {
    let body = '';
    let n = 0;
    const keys: string[] = [];
    let lastKey = '';
    let lastT: number | undefined;
    while (n < batchSamples) {
      if (cur === undefined) {
        if (i >= all.length) break;
        const s = all[i++]!;
        const after = partial && s.key === state.doneKey ? state.doneT! : -Infinity;
        const d = samplesOf(db, s.labels, s.key, state.untilMs);
        const skip = have.get(s.key);
        const t = new Float64Array(d.t.length);
        const v = new Float64Array(d.t.length);
        let k = 0;
        for (let x = 0; x < d.t.length; x++) {
          if (d.t[x]! <= after) continue;
          if (skip?.has(d.t[x]!) === true) {
            samplesAlreadyThere++;
            continue;
          }
          t[k] = d.t[x]!;
          v[k] = d.v[x]!;
          k++;
        }
        cur = { key: s.key, labels: s.labels, t: t.subarray(0, k), v: v.subarray(0, k), off: 0 };
      }
      const take = Math.min(batchSamples - n, cur.t.length - cur.off);
      if (take > 0) {
        body += line(
          cur.labels,
          cur.t.subarray(cur.off, cur.off + take),
          cur.v.subarray(cur.off, cur.off + take),
        );
        cur.off += take;
        n += take;
      }
      keys.push(cur.key);
      lastKey = cur.key;
      if (cur.off >= cur.t.length) {
        lastT = undefined;
        cur = undefined;
      } else lastT = cur.t[cur.off - 1];
    }
    if (keys.length === 0) break;
    state.inFlight = keys;
    writeResume(o.resumeFile, state);
    if (body !== '') await target.import(body);
    samplesSent += n;
    state.doneKey = lastKey;
    state.doneT = lastT;
    state.doneSeries = cur === undefined ? i : i - 1;
    state.doneSamples += n;
    state.inFlight = [];
    writeResume(o.resumeFile, state);
    o.progress?.update(state.doneSeries, samplesSent);
  }
  state.complete = true;
  writeResume(o.resumeFile, state);
  return { series: all.length, samplesSent, seriesSkipped, samplesAlreadyThere };
}
