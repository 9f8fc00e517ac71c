/**
 * After a migration: does VictoriaMetrics hold what the hub holds? Two checks:
 *
 * - per-series sample counts: the hub's own count (NaN left out, as shipped) against
 *   `count_over_time` on the target over the whole window, one query per metric name;
 * - spot checks: a few PromQL queries over the whole window (series count, sample count,
 *   last, min and max value of the metrics with the most series), evaluated by the hub's
 *   engine on the hub's data and by VictoriaMetrics, compared to 1e-9 relative.
 *
 * The window starts 1 s before the oldest sample and ends at the migration's cut-off, so no
 * sample sits on its edge (engines differ on whether the left edge is included).
 */
import { instantQuery, labelsKey, type TSDB } from '@canopy/hub';
import { samplesOf, seriesInWindow } from './migrate.js';
import type { VictoriaTarget } from './victoria-target.js';

/** One check's outcome. */
export interface CheckResult {
  readonly name: string;
  readonly hub: string;
  readonly target: string;
  readonly ok: boolean;
}

/** What {@link verifyMigration} found. */
export interface VerifyResult {
  readonly series: number;
  readonly samples: number;
  /** Series whose counts differ (at most 10 listed). */
  readonly countMismatches: readonly string[];
  readonly mismatchCount: number;
  readonly spotChecks: readonly CheckResult[];
  readonly ok: boolean;
}

/** How often differing counts are asked again before they count as different. */
const SETTLE_TRIES = 10;

/** Metrics spot-checked: those with the most series. */
const SPOT_METRICS = 4;

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function nameSelector(name: string): string {
  return `{__name__=${JSON.stringify(name)}}`;
}

/**
 * Compares the hub's data up to `untilMs` with the target's.
 *
 * @example const r = await verifyMigration(db, target, state.untilMs); r.ok
 */
export async function verifyMigration(
  db: TSDB,
  target: VictoriaTarget,
  untilMs: number,
): Promise<VerifyResult> {
  await target.flush();
  const all = seriesInWindow(db, untilMs);
  const oldest = db.stats().oldestMs ?? untilMs;
  const windowMs = untilMs - oldest + 1000;
  const hubCount = new Map<string, number>();
  const byName = new Map<string, number>();
  let samples = 0;
  for (const s of all) {
    const n = samplesOf(db, s.labels, s.key, untilMs).t.length;
    if (n === 0) continue;
    hubCount.set(s.key, n);
    samples += n;
    const name = s.labels['__name__'] ?? '';
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  // VictoriaMetrics makes freshly imported series searchable within seconds of acknowledging
  // them: counts that differ are asked again (every second, at most SETTLE_TRIES times).
  let counted = await compareCounts(target, byName, hubCount, windowMs, untilMs);
  for (let i = 1; i < SETTLE_TRIES && counted.mismatchCount > 0; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    await target.flush();
    counted = await compareCounts(target, byName, hubCount, windowMs, untilMs);
  }
  const { mismatches, mismatchCount } = counted;
  const spot = [...byName]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, SPOT_METRICS)
    .map(([name]) => name);
  const spotChecks: CheckResult[] = [];
  for (const name of spot) {
    const sel = `${nameSelector(name)}[${windowMs}ms]`;
    for (const expr of [
      `count(last_over_time(${sel}))`,
      `sum(count_over_time(${sel}))`,
      `sum(last_over_time(${sel}))`,
      `max(max_over_time(${sel}))`,
      `min(min_over_time(${sel}))`,
    ]) {
      const h = hubValue(db, expr, untilMs);
      const t = [...(await target.query(expr, untilMs)).values()][0];
      const ok = t !== undefined && h !== undefined && close(h, t);
      spotChecks.push({ name: expr, hub: String(h ?? 'none'), target: String(t ?? 'none'), ok });
    }
  }
  return {
    series: hubCount.size,
    samples,
    countMismatches: mismatches,
    mismatchCount,
    spotChecks,
    ok: mismatchCount === 0 && spotChecks.every((c) => c.ok),
  };
}

/** Per-series counts on the target against the hub's. */
async function compareCounts(
  target: VictoriaTarget,
  byName: ReadonlyMap<string, number>,
  hubCount: ReadonlyMap<string, number>,
  windowMs: number,
  untilMs: number,
): Promise<{ mismatches: string[]; mismatchCount: number }> {
  const mismatches: string[] = [];
  let mismatchCount = 0;
  const seen = new Set<string>();
  for (const name of [...byName.keys()].sort()) {
    const got = await target.query(
      `count_over_time(${nameSelector(name)}[${windowMs}ms])`,
      untilMs,
    );
    // count_over_time drops the metric name: put it back to match the hub's keys.
    const counts = new Map<string, number>();
    for (const [k, v] of got) counts.set(`__name__\u0000${name}\u0001${k}`, v);
    for (const [k, v] of counts) {
      const key = labelsKey(parseKey(k));
      const want = hubCount.get(key);
      if (want === undefined) continue; // the target's own series (e.g. scraped there)
      seen.add(key);
      if (want !== v) {
        mismatchCount++;
        if (mismatches.length < 10)
          mismatches.push(`${describeKey(key)}: hub ${want}, target ${v}`);
      }
    }
  }
  for (const [key, n] of hubCount) {
    if (seen.has(key)) continue;
    mismatchCount++;
    if (mismatches.length < 10) mismatches.push(`${describeKey(key)}: hub ${n}, target 0`);
  }
  return { mismatches, mismatchCount };
}

function hubValue(db: TSDB, expr: string, t: number): number | undefined {
  const r = instantQuery(db, expr, t);
  if (r.resultType !== 'vector') return undefined;
  const first = r.result[0];
  return first === undefined ? undefined : Number(first.value[1]);
}

/** Labels from a {@link labelsKey} string. */
function parseKey(k: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of k.split('\u0001')) {
    if (part === '') continue;
    const i = part.indexOf('\u0000');
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function describeKey(k: string): string {
  const l = parseKey(k);
  const name = l['__name__'] ?? '';
  const rest = Object.keys(l)
    .filter((n) => n !== '__name__')
    .map((n) => `${n}=${JSON.stringify(l[n])}`);
  return `${name}{${rest.join(',')}}`;
}
