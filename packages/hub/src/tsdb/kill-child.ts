/**
 * Child process of the kill -9 test: ingests commits into a TSDB in a loop, printing
 * `committed <t>` after each commit returns, and compacting now and then, until killed (or
 * after 60 s, so a lost parent never leaves it running).
 * Usage: node kill-child.js DIR START_MS
 */
import { STALE_NAN } from '../model.js';
import type { Labels } from '../model.js';
import { TSDB } from './tsdb.js';

/** Series written per commit. */
export const KILL_SERIES = 100;
/** Time between commits, ms (a minute: head windows and merges come round quickly). */
export const KILL_STEP = 60_000;

/** Labels of series `s`. */
export function killLabels(s: number): Labels {
  return { __name__: s % 2 === 0 ? 'kill_counter_total' : 'kill_gauge', series: String(s) };
}

/** The value series `s` has at time `t` (a staleness marker now and then). */
export function killValue(s: number, t: number): number {
  const i = t / KILL_STEP;
  if (s === 0 && i % 50 === 49) return STALE_NAN;
  return s % 2 === 0 ? i * 10 + s : (i % 7) * 0.1 + s;
}

function main(dir: string, start: number): void {
  const db = TSDB.open({ dir });
  const labels = Array.from({ length: KILL_SERIES }, (_, s) => killLabels(s));
  const deadline = Date.now() + 60_000;
  for (let t = start, k = 0; Date.now() < deadline; t += KILL_STEP, k++) {
    const app = db.appender();
    for (let s = 0; s < KILL_SERIES; s++) app.append(labels[s]!, t, killValue(s, t));
    app.commit();
    process.stdout.write(`committed ${t}\n`);
    if (k % 50 === 49) db.compact();
  }
  db.close();
}

if (process.argv[2] !== undefined && process.argv[3] !== undefined) {
  main(process.argv[2], Number(process.argv[3]));
}
