/**
 * Backtesting: replays rule groups over stored history with the hub's own rule manager and
 * reports, for each alert (alertname and labels), when it would have gone pending, fired and
 * resolved.
 *
 * The manager is driven by a simulated clock from `from` to `to`; each group is evaluated on
 * its own aligned schedule (as the live hub does) or every `stepMs` when that is longer.
 * Rules read the history through an {@link OverlayQuerier}: what they write (recording
 * outputs, `ALERTS`, `ALERTS_FOR_STATE`) goes to an in-memory {@link MemSeriesStore} that
 * later rules see, while stored series of those names are hidden. Nothing is written to the
 * history.
 */
import type { Labels, Querier } from '../model.js';
import { labelsKey } from '../model.js';
import type { QueryOptions } from '../promql/index.js';
import type { GroupSpec } from './load.js';
import { RuleManager, type RuleGroup } from './manager.js';
import { MemSeriesStore } from './backtest-store.js';
import { OverlayQuerier, producedNames } from './backtest-overlay.js';

/** What {@link backtest} replays, over what, and how. */
export interface BacktestOptions {
  /** The stored history (the hub's TSDB, or any querier). Only read. */
  readonly history: Querier;
  /** Rule groups, as {@link loadRuleFile} returns them. */
  readonly groups: readonly GroupSpec[];
  /** Start of the replay, ms (the first evaluation of a group is its first aligned time ≥ from). */
  readonly from: number;
  /** End of the replay, ms (inclusive). */
  readonly to: number;
  /**
   * Evaluate each group every max(stepMs, its interval) instead of at its own interval:
   * fewer evaluations for long ranges, coarser times. Default: each group's interval.
   */
  readonly stepMs?: number;
  readonly queryOptions?: QueryOptions;
  /** `$externalURL` in templates. Default "". */
  readonly externalURL?: string;
  readonly externalLabels?: Labels;
  /**
   * Called as the simulated clock advances, at most about 100 times: the share of the
   * range done (0–1) and the simulated time, ms.
   */
  readonly onProgress?: (done: number, t: number) => void;
}

/** One alert's life in the replay: from going pending to resolving. */
export interface BacktestAlert {
  readonly alertname: string;
  /** The alert's labels, `alertname` included. */
  readonly labels: Labels;
  /** The group of its rule. */
  readonly group: string;
  /** When it went pending (its `activeAt`), ms. */
  readonly pendingAt: number;
  /** When it fired, ms; undefined if it never did (its condition cleared within `for`). */
  readonly firedAt: number | undefined;
  /**
   * When it resolved (having fired) or stopped being pending (never fired), ms; undefined
   * when it was still active at `to`.
   */
  readonly resolvedAt: number | undefined;
  /** Already active at its group's first evaluation: it may have begun before `from`. */
  readonly activeAtStart: boolean;
}

/** A rule whose evaluation failed during the replay. */
export interface BacktestRuleError {
  readonly group: string;
  /** The recording rule's `record` or the alerting rule's `alert`. */
  readonly rule: string;
  /** Evaluations that failed. */
  readonly count: number;
  /** Time of the first failure, ms. */
  readonly firstAt: number;
  /** Error of the first failure. */
  readonly error: string;
}

/** How one group was evaluated. */
export interface BacktestGroup {
  readonly name: string;
  readonly file: string;
  /** Interval used: the group's own, or the step when that is longer, ms. */
  readonly intervalMs: number;
  readonly evaluations: number;
}

/** What {@link backtest} found. */
export interface BacktestResult {
  readonly from: number;
  readonly to: number;
  /** Every alert that went pending, by pending time (then fired time, name, labels). */
  readonly alerts: readonly BacktestAlert[];
  readonly errors: readonly BacktestRuleError[];
  readonly groups: readonly BacktestGroup[];
  /** Samples the rules wrote (kept in memory only). */
  readonly samplesWritten: number;
}

/** Backtest input that can't be replayed; the message says why and what to change. */
export class BacktestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestError';
  }
}

interface Episode {
  alertname: string;
  labels: Labels;
  group: string;
  pendingAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
  activeAtStart: boolean;
}

interface ErrorTally {
  group: string;
  rule: string;
  count: number;
  firstAt: number;
  error: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Whether the history holds any sample in [from, to] other than series the rules produce. */
function hasSamples(q: Querier, hidden: ReadonlySet<string>, from: number, to: number): boolean {
  // `up` is written for every scrape, so it answers quickly for a hub's store.
  if (q.select([{ name: '__name__', type: '=', value: 'up' }], from, to).length > 0) return true;
  for (const l of q.series([{ name: '__name__', type: '=~', value: '.+' }], from, to))
    if (!hidden.has(l['__name__'] ?? '')) return true;
  return false;
}

/**
 * Follows the alerts of the groups evaluated at one time into episodes: pending, firing,
 * resolved, as the rules' state machines report them after the evaluation.
 */
class AlertTracker {
  readonly episodes: Episode[] = [];
  readonly errors = new Map<string, ErrorTally>();
  /** Open episodes per rule (group index, rule index) by alert label key. */
  private readonly open = new Map<string, Map<string, Episode>>();

  observe(g: RuleGroup, gi: number, t: number, first: boolean): void {
    g.rules.forEach((r, ri) => {
      const id = `${gi}/${ri}`;
      if (r.health.health === 'err' && r.health.lastEvaluation === t) {
        const e = this.errors.get(id);
        if (e === undefined)
          this.errors.set(id, {
            group: g.spec.name,
            rule: r.spec.name,
            count: 1,
            firstAt: t,
            error: r.health.lastError,
          });
        else e.count++;
      }
      if (r.kind !== 'alerting') return;
      let open = this.open.get(id);
      if (open === undefined) this.open.set(id, (open = new Map()));
      const active = new Set<string>();
      for (const [k, a] of r.alerts) {
        let e = open.get(k);
        if (a.state === 'inactive') {
          // Resolved (kept by the rule for re-sending): closes the episode once.
          if (e !== undefined) {
            e.resolvedAt = a.resolvedAt ?? t;
            open.delete(k);
          }
          continue;
        }
        active.add(k);
        if (e !== undefined && e.pendingAt !== a.activeAt) {
          e.resolvedAt = t;
          e = undefined;
        }
        if (e === undefined) {
          e = {
            alertname: r.spec.name,
            labels: a.labels,
            group: g.spec.name,
            pendingAt: a.activeAt,
            firedAt: undefined,
            resolvedAt: undefined,
            activeAtStart: first,
          };
          open.set(k, e);
          this.episodes.push(e);
        }
        if (a.state === 'firing' && e.firedAt === undefined) e.firedAt = a.firedAt ?? t;
      }
      // Pending alerts whose condition cleared are dropped by the rule (and all alerts when
      // a rule exceeds its limit): their episode ends here.
      for (const [k, e] of open)
        if (!active.has(k)) {
          e.resolvedAt = t;
          open.delete(k);
        }
    });
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareEpisodes(a: Episode, b: Episode): number {
  const fa = a.firedAt ?? Infinity;
  const fb = b.firedAt ?? Infinity;
  return (
    a.pendingAt - b.pendingAt ||
    (fa === fb ? 0 : fa < fb ? -1 : 1) ||
    cmp(a.alertname, b.alertname) ||
    cmp(labelsKey(a.labels), labelsKey(b.labels))
  );
}

/**
 * Replays `groups` over `history` from `from` to `to` and reports every alert's pending,
 * firing and resolved times, the rules that failed, and how often each group ran. Throws
 * {@link BacktestError} for a range that is empty, inverted or holds no stored sample.
 *
 * @example
 * const db = TSDB.open({ dir: '.canopy/tsdb' });
 * const r = backtest({ history: db, groups: loadRuleFile(text, 'canopy.rules.yml'), from: Date.now() - 2 * 3600_000, to: Date.now() });
 * for (const a of r.alerts) console.log(a.alertname, new Date(a.pendingAt), a.firedAt, a.resolvedAt);
 */
export function backtest(o: BacktestOptions): BacktestResult {
  const { from, to } = o;
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw new BacktestError('the range needs a finite start and end');
  if (from >= to)
    throw new BacktestError(`the start (${iso(from)}) must be before the end (${iso(to)})`);
  if (o.stepMs !== undefined && !(o.stepMs > 0))
    throw new BacktestError(`the step must be more than 0, got ${o.stepMs} ms`);
  if (o.groups.every((g) => g.rules.length === 0))
    throw new BacktestError('there are no rules to replay');
  const hidden = producedNames(o.groups);
  if (!hasSamples(o.history, hidden, from, to))
    throw new BacktestError(`no stored samples between ${iso(from)} and ${iso(to)}`);

  const step = o.stepMs ?? 0;
  const specs = o.groups.map((g) => ({ ...g, intervalMs: Math.max(g.intervalMs, step) }));
  const outputs = new MemSeriesStore();
  const manager = new RuleManager(specs, {
    querier: new OverlayQuerier(o.history, outputs, hidden),
    appender: () => outputs.appender(),
    externalURL: o.externalURL ?? '',
    externalLabels: o.externalLabels ?? {},
    ...(o.queryOptions !== undefined ? { queryOptions: o.queryOptions } : {}),
  });
  const firstEval: number[] = [];
  for (const g of manager.groups) {
    const a = g.aligned(from);
    g.next = a < from ? a + g.spec.intervalMs : a;
    firstEval.push(g.next);
  }
  const evaluations = manager.groups.map(() => 0);
  const tracker = new AlertTracker();
  let reported = 0;
  for (;;) {
    let t = Infinity;
    for (const g of manager.groups) if (g.next! < t) t = g.next!;
    if (t > to) break;
    // tick(t) runs exactly the groups due at t (t is the earliest), in file order.
    manager.tick(t);
    manager.groups.forEach((g, gi) => {
      if (g.lastEvaluation !== t) return;
      evaluations[gi]!++;
      tracker.observe(g, gi, t, t === firstEval[gi]);
    });
    if (o.onProgress !== undefined) {
      const done = (t - from) / (to - from);
      if (done - reported >= 0.01) {
        reported = done;
        o.onProgress(done, t);
      }
    }
  }
  o.onProgress?.(1, to);
  return {
    from,
    to,
    alerts: tracker.episodes.sort(compareEpisodes),
    errors: [...tracker.errors.values()],
    groups: manager.groups.map((g, gi) => ({
      name: g.spec.name,
      file: g.spec.file,
      intervalMs: g.spec.intervalMs,
      evaluations: evaluations[gi]!,
    })),
    samplesWritten: outputs.samples,
  };
}
