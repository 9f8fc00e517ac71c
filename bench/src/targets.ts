import type { Measurement } from './harness.js';

/** A case's results: Canopy and each peer measured in the same rounds. */
export interface Row {
  readonly name: string;
  readonly canopy: Measurement;
  readonly peers: readonly Measurement[];
}

/** A performance goal; reported, never asserted (a benchmark is not a test). */
export interface Target {
  /** The row it reads. */
  readonly row: string;
  /** The goal in words, e.g. `≤ 5 ns`. */
  readonly goal: string;
  /** Whether the row meets it, and the number that decided. */
  readonly check: (r: Row) => { met: boolean; actual: string };
}

const fastestPeer = (r: Row): Measurement =>
  r.peers.reduce((a, b) => (b.ns < a.ns ? b : a), r.peers[0]!);

const atMost = (row: string, ns: number, unit: 'ns' | 'ms' = 'ns'): Target => ({
  row,
  goal: `≤ ${ns} ${unit}`,
  check: (r) => {
    const v = unit === 'ms' ? r.canopy.ns / 1e6 : r.canopy.ns;
    return { met: v <= ns, actual: `${v.toFixed(2)} ${unit}` };
  },
});

const fasterThanBestPeer = (row: string, times: number): Target => ({
  row,
  goal: `≥ ${times}× the faster peer`,
  check: (r) => {
    const p = fastestPeer(r);
    const x = p.ns / r.canopy.ns;
    return { met: x >= times, actual: `${x.toFixed(1)}× ${p.lib}` };
  },
});

const fasterThan = (row: string, lib: Measurement['lib'], times: number): Target => ({
  row,
  goal: `≥ ${times}× ${lib}`,
  check: (r) => {
    const p = r.peers.find((m) => m.lib === lib);
    if (p === undefined) return { met: false, actual: `no ${lib} result` };
    const x = p.ns / r.canopy.ns;
    return { met: x >= times, actual: `${x.toFixed(1)}×` };
  },
});

/** The goals the suite reports against. */
export const TARGETS: readonly Target[] = [
  atMost('counter inc, bound', 5),
  fasterThanBestPeer('counter inc, bound', 10),
  atMost('histogram observe, bound', 15),
  fasterThanBestPeer('histogram observe, bound', 10),
  fasterThanBestPeer('counter inc, label lookup', 5),
  fasterThanBestPeer('counter inc, label lookup (prom positional)', 5),
  fasterThanBestPeer('histogram observe, label lookup', 5),
  atMost('render 10k series (text)', 5, 'ms'),
  fasterThan('render 10k series (text)', 'prom-client', 10),
];
