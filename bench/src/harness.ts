/**
 * The measuring loop: warm-up, calibrated batches, interleaved rounds, median ns/op.
 * Every subject of a case is measured in the same rounds, in rotating order, so drift
 * (thermal, GC, a noisy neighbour) hits Canopy and its peers alike.
 */

/** A library measured by the suite. */
export type Lib = 'canopy' | 'prom-client' | 'opentelemetry';

/** One way of doing a case's operation in one library. */
export interface Subject {
  readonly lib: Lib;
  /** The call measured, as a reader would write it, e.g. `child.inc()`. */
  readonly call: string;
  /**
   * Performs the operation `n` times and returns a number derived from the work, which the
   * harness adds to {@link sink} so the optimiser cannot drop the loop.
   */
  readonly run: (n: number) => number | Promise<number>;
}

/** A benchmark: one primitive, done by Canopy and by each peer that has it. */
export interface Case {
  /** Row name, e.g. `counter inc, bound`. */
  readonly name: string;
  /** What the row means, for the table's notes. */
  readonly about: string;
  /** Builds registries and series; called only when the case runs. Canopy comes first. */
  readonly setup: () => Subject[] | Promise<Subject[]>;
}

/** How long to warm up and measure. */
export interface HarnessOptions {
  /** Time spent running each subject before measuring (ms). */
  readonly warmupMs: number;
  /** Target duration of one measured batch (ms). */
  readonly batchMs: number;
  /** Measured batches per subject; the median is reported. */
  readonly rounds: number;
}

/** The default set: about 1 s per subject, the whole suite well under 40 s on 2 cores. */
export const QUICK: HarnessOptions = { warmupMs: 250, batchMs: 40, rounds: 15 };

/** A longer run for numbers worth writing down. */
export const FULL: HarnessOptions = { warmupMs: 1000, batchMs: 100, rounds: 31 };

/** The result for one subject. */
export interface Measurement {
  readonly lib: Lib;
  readonly call: string;
  /** Median nanoseconds per operation. */
  readonly ns: number;
  /** Interquartile range over the median (0.05 = ±5 % spread between rounds). */
  readonly spread: number;
  /** Operations per measured batch. */
  readonly opsPerBatch: number;
}

/** Accumulates every subject's return value; read at the end so no loop is dead code. */
export let sink = 0;

const gc: () => void =
  typeof globalThis.gc === 'function' ? (globalThis.gc as () => void) : () => undefined;

/** Whether `--expose-gc` is on (batches then start from a collected heap). */
export const hasGc = typeof globalThis.gc === 'function';

async function timeBatch(s: Subject, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = s.run(n);
  // Only async subjects pay for an await; a sync loop's time is taken right after it.
  const v = typeof r === 'number' ? r : await r;
  const t = Number(process.hrtime.bigint() - t0);
  sink += v;
  return t;
}

function quantile(sorted: readonly number[], q: number): number {
  const x = (sorted.length - 1) * q;
  const lo = Math.floor(x);
  const hi = Math.ceil(x);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (x - lo);
}

/** Warms a subject up and returns the batch size that takes about `batchMs`. */
async function calibrate(s: Subject, o: HarnessOptions): Promise<number> {
  const batchNs = o.batchMs * 1e6;
  const warmNs = o.warmupMs * 1e6;
  let n = 1;
  let spent = 0;
  // Grow the batch while warming, so the optimiser sees the loop hot before we size it.
  while (spent < warmNs) {
    const t = await timeBatch(s, n);
    spent += t;
    if (t < batchNs / 4) n *= 2;
  }
  const ts: number[] = [];
  for (let k = 0; k < 3; k++) ts.push(await timeBatch(s, n));
  ts.sort((a, b) => a - b);
  return Math.max(1, Math.round((n * batchNs) / Math.max(ts[1]!, 1)));
}

/**
 * Measures every subject of a case: warm-up and calibration per subject, then `rounds`
 * rounds in which each subject runs one batch (order rotating, heap collected before each).
 */
export async function measure(
  subjects: readonly Subject[],
  o: HarnessOptions,
): Promise<Measurement[]> {
  const sizes: number[] = [];
  for (const s of subjects) sizes.push(await calibrate(s, o));
  const samples: number[][] = subjects.map(() => []);
  for (let r = 0; r < o.rounds; r++) {
    for (let k = 0; k < subjects.length; k++) {
      const j = (k + r) % subjects.length;
      gc();
      const t = await timeBatch(subjects[j]!, sizes[j]!);
      samples[j]!.push(t / sizes[j]!);
    }
  }
  return subjects.map((s, j) => {
    const xs = samples[j]!.sort((a, b) => a - b);
    const med = quantile(xs, 0.5);
    return {
      lib: s.lib,
      call: s.call,
      ns: med,
      spread: (quantile(xs, 0.75) - quantile(xs, 0.25)) / med,
      opsPerBatch: sizes[j]!,
    };
  });
}
