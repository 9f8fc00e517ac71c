/**
 * The rule manager: evaluates each group on its own interval, its rules in order (each
 * rule's output is committed before the next rule runs, so later rules see it), and hands
 * due alerts to the {@link AlertSink} after each group evaluation.
 *
 * Evaluation times are aligned to the group's interval (plus a per-group offset, as
 * Prometheus spreads groups). `tick(now)` runs every evaluation due up to `now` — tests and
 * backtests drive it with their own clock; `start()` drives it with timers.
 *
 * @example
 * const m = new RuleManager(loadRuleFile(text, file), { querier: db, appender: () => db.appender() });
 * m.start();
 */
import type { Appender, Labels, Querier } from '../model.js';
import type { QueryOptions } from '../promql/index.js';
import type { GroupSpec } from './load.js';
import type { RuleStateStore } from './state.js';
import {
  AlertingRule,
  RecordingRule,
  type AlertSink,
  type Rule,
  type RuleEnv,
  type SinkAlert,
} from './rule.js';

export interface RuleManagerOptions {
  readonly querier: Querier;
  readonly appender: () => Appender;
  readonly sink?: AlertSink;
  /** Prefix of alert generator URLs and `$externalURL`. Default "". */
  readonly externalURL?: string;
  readonly externalLabels?: Labels;
  /** Firing alerts are re-sent this often. Default 60000 (Prometheus's `--rules.alert.resend-delay`). */
  readonly resendDelayMs?: number;
  readonly queryOptions?: QueryOptions;
  /** Clock of `start()`. Default Date.now. */
  readonly now?: () => number;
  /** Called when a sink throws. Default: ignored. */
  readonly onSinkError?: (e: unknown) => void;
  /** Where alert state is saved after each evaluation and restored from at construction. */
  readonly state?: RuleStateStore;
}

/** The key under which a rule's alert state is saved: file, group, position and name. */
export function ruleStateKey(g: GroupSpec, index: number, name: string): string {
  return `${g.file}\u0000${g.name}\u0000${index}\u0000${name}`;
}

/** A group and its rules' state. */
export class RuleGroup {
  readonly rules: Rule[];
  lastEvaluation: number | undefined;
  evaluationTimeMs = 0;
  /** Time of the next evaluation; undefined before the first tick. */
  next: number | undefined;
  readonly offsetMs: number;

  constructor(readonly spec: GroupSpec) {
    this.rules = spec.rules.map((r) =>
      r.kind === 'recording' ? new RecordingRule(r, spec.limit) : new AlertingRule(r, spec.limit),
    );
    let h = 0;
    for (const c of spec.file + '\u0000' + spec.name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    this.offsetMs = h % spec.intervalMs;
  }

  /** The latest aligned evaluation time ≤ t. */
  aligned(t: number): number {
    const i = this.spec.intervalMs;
    return Math.floor((t - this.offsetMs) / i) * i + this.offsetMs;
  }
}

export class RuleManager {
  readonly groups: RuleGroup[];
  private readonly env: RuleEnv;
  private readonly resendDelayMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    groups: readonly GroupSpec[],
    private readonly o: RuleManagerOptions,
  ) {
    this.groups = groups.map((g) => new RuleGroup(g));
    this.env = {
      querier: o.querier,
      appender: o.appender,
      externalURL: o.externalURL ?? '',
      externalLabels: o.externalLabels ?? {},
      queryOptions: o.queryOptions ?? {},
    };
    this.resendDelayMs = o.resendDelayMs ?? 60_000;
    if (o.state !== undefined)
      for (const g of this.groups)
        g.rules.forEach((r, i) => {
          if (r.kind === 'alerting')
            r.restoreState(o.state!.load(ruleStateKey(g.spec, i, r.spec.name)));
        });
  }

  /** Evaluates one group at `ts` and sends its due alerts. */
  evalGroup(g: RuleGroup, ts: number): void {
    const t0 = performance.now();
    const due: SinkAlert[] = [];
    for (const r of g.rules) {
      r.eval(this.env, ts);
      if (r.kind === 'alerting')
        due.push(...r.toSend(ts, this.resendDelayMs, g.spec.intervalMs, this.env.externalURL));
    }
    g.lastEvaluation = ts;
    g.evaluationTimeMs = performance.now() - t0;
    if (this.o.state !== undefined) {
      const entries: [string, ReturnType<AlertingRule['exportState']>][] = [];
      g.rules.forEach((r, i) => {
        if (r.kind === 'alerting')
          entries.push([ruleStateKey(g.spec, i, r.spec.name), r.exportState()]);
      });
      try {
        this.o.state.save(entries);
      } catch (e) {
        this.o.onSinkError?.(e);
      }
    }
    if (due.length > 0 && this.o.sink !== undefined) {
      try {
        this.o.sink.send(due);
      } catch (e) {
        this.o.onSinkError?.(e);
      }
    }
  }

  /**
   * Runs every evaluation due up to `now`, oldest first. A group's first evaluation is at
   * the latest aligned time ≤ now; evaluations missed by more than one interval are skipped,
   * as Prometheus does.
   */
  tick(now: number): void {
    for (;;) {
      let g: RuleGroup | undefined;
      for (const x of this.groups) {
        x.next ??= x.aligned(now);
        if (x.next <= now && (g === undefined || x.next < g.next!)) g = x;
      }
      if (g === undefined) return;
      const ts = Math.max(g.next!, g.aligned(now));
      this.evalGroup(g, ts);
      g.next = ts + g.spec.intervalMs;
    }
  }

  /** Evaluates on timers until {@link stop}. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.o.now ?? Date.now;
    const loop = (): void => {
      if (!this.running) return;
      this.tick(now());
      let next = Infinity;
      for (const g of this.groups) next = Math.min(next, g.next ?? now());
      const wait = Number.isFinite(next) ? Math.max(0, next - now()) : 60_000;
      this.timer = setTimeout(loop, wait);
      this.timer.unref?.();
    };
    loop();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
