/**
 * Storing one decoded WriteRequest all or nothing: every series and sample is checked
 * before the first is appended (names, time bounds, order against what is stored and
 * within the request), then everything goes through one appender commit, which is one
 * SQLite transaction. The first problem refuses the whole request, as Prometheus 2.x's
 * write handler does.
 */
import type { Labels } from '../model.js';
import type { TSDB } from '../tsdb/index.js';
import {
  iso,
  labelProblem,
  sameValue,
  seriesText,
  timeProblem,
  type TimeBounds,
} from './validate.js';
import type { WriteRequest } from './write-request.js';

/**
 * Prometheus 2.x refuses samples this much older than the newest sample in its head ("out
 * of bounds"): half of its 2 h block range.
 */
export const OUT_OF_BOUNDS_MS = 3_600_000;

/** Why a request was refused: a short reason class (a label of the rejection counter). */
export type RejectReason =
  | 'unauthorized'
  | 'method'
  | 'content_type'
  | 'too_large'
  | 'too_many_samples'
  | 'corrupt_snappy'
  | 'corrupt_protobuf'
  | 'invalid_labels'
  | 'native_histograms'
  | 'out_of_bounds'
  | 'out_of_order'
  | 'duplicate_sample'
  | 'too_old'
  | 'too_new'
  | 'bad_timestamp';

/** A refused request: HTTP status, reason class and the message for the client. */
export class RejectError extends Error {
  constructor(
    readonly status: number,
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
    this.name = 'RejectError';
  }
}

/** What {@link ingestWriteRequest} stored. */
export interface IngestResult {
  /** Samples appended. */
  readonly samples: number;
  /** Samples that repeated a stored one exactly (ignored, as Prometheus does). */
  readonly duplicates: number;
  /** Samples stored per `job\0instance` of their series. */
  readonly perTarget: Map<string, number>;
}

/** Options of {@link ingestWriteRequest}. */
export interface IngestOptions {
  /** Accepted timestamps. */
  readonly bounds: TimeBounds;
  /**
   * Label sets already found valid, by identity: with a LabelsCache the decoder
   * hands out the same object for a series in every request, so each is checked once.
   */
  readonly valid?: WeakSet<Labels>;
}

/** `job\0instance` of a label set, by identity. */
const targetKeys = new WeakMap<Labels, string>();

/**
 * Checks then stores a request. Throws a {@link RejectError} (status 400) naming the series
 * and the reason before anything is written.
 *
 * @example ingestWriteRequest(db, decodeWriteRequest(body), { bounds: { oldest: -Infinity, newest: Date.now() + 600_000 } })
 */
export function ingestWriteRequest(db: TSDB, wr: WriteRequest, o: IngestOptions): IngestResult {
  const series: Labels[] = [];
  const skip: Array<Uint8Array | undefined> = [];
  // Newest timestamp and value per series so far in this request (a series sent twice is
  // normally the same object; see LabelsCache).
  const last = new Map<Labels, number>();
  const { oldest, newest } = o.bounds;
  const floor = db.newestTimestamp - OUT_OF_BOUNDS_MS;
  let duplicates = 0;
  for (const ts of wr.timeseries) {
    if (ts.histograms !== undefined && ts.histograms > 0)
      throw new RejectError(
        400,
        'native_histograms',
        `series ${seriesText(ts.labels)}: native histogram samples are not supported by the hub (send classic histograms)`,
      );
    let labels: Labels = ts.labels;
    if (o.valid === undefined || !o.valid.has(labels)) {
      for (const n in labels) {
        if (labels[n] === '') {
          labels = dropEmpty(labels);
          break;
        }
      }
      const problem = labelProblem(labels);
      if (problem !== undefined)
        throw new RejectError(400, 'invalid_labels', `series ${seriesText(labels)}: ${problem}`);
      if (labels === ts.labels) o.valid?.add(labels);
    }
    series.push(labels);
    const prevAt = last.get(labels);
    const prev = prevAt === undefined ? undefined : wr.timeseries[prevAt]!;
    const pn = prev === undefined ? 0 : prev.t.length;
    let prevT = pn > 0 ? prev!.t[pn - 1]! : db.lastTimestamp(labels);
    // The newest value when known here; otherwise read from the TSDB if a tie needs it.
    let prevV: number | undefined = pn > 0 ? prev!.v[pn - 1]! : undefined;
    let marks: Uint8Array | undefined;
    const n = ts.t.length;
    for (let i = 0; i < n; i++) {
      const t = ts.t[i]!;
      const v = ts.v[i]!;
      const tp =
        t <= newest && t >= oldest && Number.isSafeInteger(t)
          ? undefined
          : timeProblem(t, o.bounds);
      if (tp !== undefined) {
        const reason =
          t > o.bounds.newest ? 'too_new' : t < o.bounds.oldest ? 'too_old' : 'bad_timestamp';
        throw new RejectError(400, reason, `series ${seriesText(labels)}: ${tp}`);
      }
      if (t > prevT) {
        if (t < floor)
          throw new RejectError(
            400,
            'out_of_bounds',
            `series ${seriesText(labels)}: sample at ${iso(t)} is out of bounds (more than 1h before the newest stored sample, ${iso(db.newestTimestamp)})`,
          );
        prevT = t;
        prevV = v;
        continue;
      }
      if (t === prevT) {
        const before = prevV ?? db.samplesOf(labels, t, t)?.v[0];
        if (before !== undefined && sameValue(before, v)) {
          marks ??= new Uint8Array(n);
          marks[i] = 1;
          duplicates++;
          continue;
        }
        throw new RejectError(
          400,
          'duplicate_sample',
          `series ${seriesText(labels)}: duplicate sample for timestamp ${iso(t)} (stored ${before}, sent ${v})`,
        );
      }
      throw new RejectError(
        400,
        'out_of_order',
        `series ${seriesText(labels)}: out of order sample at ${iso(t)} (newest is ${iso(prevT)})`,
      );
    }
    // A later entry of the same series in this request continues from here.
    if (n > 0) last.set(labels, series.length - 1);
    skip.push(marks);
  }
  const app = db.appender();
  const perTarget = new Map<string, number>();
  let samples = 0;
  for (let s = 0; s < series.length; s++) {
    const ts = wr.timeseries[s]!;
    const labels = series[s]!;
    const marks = skip[s];
    let k = 0;
    for (let i = 0; i < ts.t.length; i++) {
      if (marks !== undefined && marks[i] === 1) continue;
      if (app.append(labels, ts.t[i]!, ts.v[i]!)) k++;
    }
    if (k === 0) continue;
    samples += k;
    let target = targetKeys.get(labels);
    if (target === undefined) {
      target = `${labels.job ?? ''}\u0000${labels.instance ?? ''}`;
      targetKeys.set(labels, target);
    }
    perTarget.set(target, (perTarget.get(target) ?? 0) + k);
  }
  app.commit();
  return { samples, duplicates, perTarget };
}

function dropEmpty(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const n in labels) if (labels[n] !== '') out[n] = labels[n]!;
  return out;
}
