/**
 * One rule's evaluation. Recording rules write their output series (stale markers for series
 * that disappear); alerting rules run Prometheus's alert state machine — inactive → pending
 * → firing once the condition has held for `for`, resolved (inactive) when the expression
 * returns nothing — and write `ALERTS` / `ALERTS_FOR_STATE` like Prometheus.
 */
import type { Appender, Labels, Querier } from '../model.js';
import { labelsKey, STALE_NAN } from '../model.js';
import { instantQuery, type QueryOptions } from '../promql/index.js';
import type { AlertingRuleSpec, RecordingRuleSpec } from './load.js';
import type { Template, TemplateSample } from './template.js';

/** An alert as the notifier receives it (Alertmanager's shape; times in ms). */
export interface SinkAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  /** When the alert started firing. */
  readonly startsAt: number;
  /** When it resolved; for a firing alert, until when it is valid unless re-sent. */
  readonly endsAt: number;
  readonly generatorURL: string;
}

/** Receives alerts after each group evaluation: firing ones re-sent every `resendDelay`. */
export interface AlertSink {
  send(alerts: readonly SinkAlert[]): void;
}

/** What rules evaluate against. */
export interface RuleEnv {
  readonly querier: Querier;
  readonly appender: () => Appender;
  readonly externalURL: string;
  readonly externalLabels: Labels;
  readonly queryOptions: QueryOptions;
}

export type AlertState = 'inactive' | 'pending' | 'firing';

/** An alert of a rule: active (pending, firing) or recently resolved (inactive). */
export interface Alert {
  readonly labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
  lastSentAt: number | undefined;
  validUntil: number;
  /** When the condition last stopped holding while firing (for `keep_firing_for`). */
  keepFiringSince: number | undefined;
}

/** Health of a rule's last evaluation, as `/api/v1/rules` reports it. */
export interface RuleHealth {
  health: 'unknown' | 'ok' | 'err';
  lastError: string;
  lastEvaluation: number | undefined;
  evaluationTimeMs: number;
}

/** Resolved alerts are kept (and re-sent) this long, as Prometheus does. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

function num(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Runs an instant query and returns its samples (a scalar is one sample without labels). */
export function querySamples(q: Querier, expr: string, ts: number, o: QueryOptions): Sample[] {
  const d = instantQuery(q, expr, ts, o);
  if (d.resultType === 'vector')
    return d.result.map((s) => ({ labels: s.metric, value: num(s.value[1]) }));
  if (d.resultType === 'scalar') return [{ labels: {}, value: num(d.result[1]) }];
  throw new Error(`rule result is a ${d.resultType}, not an instant vector or scalar`);
}

/** Writes series and, for those written last time but not now, stale markers. */
class SeriesWriter {
  private prev = new Map<string, Labels>();

  write(app: Appender, ts: number, series: readonly Sample[]): void {
    const now = new Map<string, Labels>();
    for (const s of series) {
      const k = labelsKey(s.labels);
      now.set(k, s.labels);
      app.append(s.labels, ts, s.value);
    }
    for (const [k, l] of this.prev) if (!now.has(k)) app.append(l, ts, STALE_NAN);
    this.prev = now;
  }
}

function health(): RuleHealth {
  return { health: 'unknown', lastError: '', lastEvaluation: undefined, evaluationTimeMs: 0 };
}

function withoutName(l: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(l)) if (k !== '__name__') out[k] = v;
  return out;
}

function timed(h: RuleHealth, ts: number, f: () => void): void {
  const t0 = performance.now();
  try {
    f();
    h.health = 'ok';
    h.lastError = '';
  } catch (e) {
    h.health = 'err';
    h.lastError = (e as Error).message;
  }
  h.lastEvaluation = ts;
  h.evaluationTimeMs = performance.now() - t0;
}

export class RecordingRule {
  readonly kind = 'recording';
  readonly health: RuleHealth = health();
  private readonly out = new SeriesWriter();

  constructor(
    readonly spec: RecordingRuleSpec,
    private readonly limit: number,
  ) {}

  eval(env: RuleEnv, ts: number): void {
    timed(this.health, ts, () => {
      // As in Prometheus, a failed evaluation writes nothing (no stale markers either).
      const samples = querySamples(env.querier, this.spec.expr, ts, env.queryOptions).map((s) => ({
        labels: { ...s.labels, ...this.spec.labels, __name__: this.spec.name },
        value: s.value,
      }));
      const seen = new Set<string>();
      for (const s of samples) {
        const k = labelsKey(s.labels);
        if (seen.has(k))
          throw new Error(
            'vector contains metrics with the same labelset after applying rule labels',
          );
        seen.add(k);
      }
      if (this.limit > 0 && samples.length > this.limit)
        throw new Error(`exceeded limit of ${this.limit} with ${samples.length} series`);
      const app = env.appender();
      this.out.write(app, ts, samples);
      app.commit();
    });
  }
}

export class AlertingRule {
  readonly kind = 'alerting';
  readonly health: RuleHealth = health();
  /** Alerts by label-set key. */
  readonly alerts = new Map<string, Alert>();
  private readonly out = new SeriesWriter();

  constructor(
    readonly spec: AlertingRuleSpec,
    private readonly limit: number,
  ) {}

  /** The rule's state: the highest state of its alerts. */
  get state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.alerts.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }

  /** Pending and firing alerts. */
  active(): Alert[] {
    return [...this.alerts.values()].filter((a) => a.state !== 'inactive');
  }

  eval(env: RuleEnv, ts: number): void {
    timed(this.health, ts, () => {
      const samples = querySamples(env.querier, this.spec.expr, ts, env.queryOptions);
      const query = (expr: string): TemplateSample[] =>
        querySamples(env.querier, expr, ts, env.queryOptions).map((s) => ({
          Labels: s.labels,
          Value: s.value,
        }));
      const expand = (
        tpls: Readonly<Record<string, Template>>,
        labels: Labels,
        value: number,
      ): Record<string, string> => {
        const out: Record<string, string> = {};
        for (const [k, t] of Object.entries(tpls)) {
          try {
            out[k] = t.expand({
              labels,
              value,
              externalURL: env.externalURL,
              externalLabels: env.externalLabels,
              query,
            });
          } catch (e) {
            out[k] = `<error expanding template: ${(e as Error).message}>`;
          }
        }
        return out;
      };
      const current = new Map<
        string,
        { labels: Labels; annotations: Record<string, string>; value: number }
      >();
      for (const s of samples) {
        // Templates see the sample's labels with __name__, as in Prometheus.
        const ruleLabels = expand(this.spec.labelTemplates, s.labels, s.value);
        const labels = { ...withoutName(s.labels), ...ruleLabels, alertname: this.spec.name };
        const annotations = expand(this.spec.annotationTemplates, s.labels, s.value);
        const k = labelsKey(labels);
        if (current.has(k))
          throw new Error(
            'vector contains metrics with the same labelset after applying alert labels',
          );
        current.set(k, { labels, annotations, value: s.value });
      }
      for (const [k, c] of current) {
        const a = this.alerts.get(k);
        if (a !== undefined && a.state !== 'inactive') {
          a.value = c.value;
          a.annotations = c.annotations;
          continue;
        }
        this.alerts.set(k, {
          labels: c.labels,
          annotations: c.annotations,
          state: 'pending',
          value: c.value,
          activeAt: ts,
          firedAt: undefined,
          resolvedAt: undefined,
          lastSentAt: undefined,
          validUntil: 0,
          keepFiringSince: undefined,
        });
      }
      let active = 0;
      const keepFor = this.spec.keepFiringForMs;
      for (const [k, a] of this.alerts) {
        if (!current.has(k)) {
          // keep_firing_for: a firing alert whose condition cleared stays firing that long.
          let keep = false;
          if (a.state === 'firing' && keepFor > 0) {
            a.keepFiringSince ??= ts;
            keep = ts - a.keepFiringSince < keepFor;
          }
          if (keep) {
            active++;
            continue;
          }
          if (
            a.state === 'pending' ||
            (a.resolvedAt !== undefined && ts - a.resolvedAt > RESOLVED_RETENTION_MS)
          ) {
            this.alerts.delete(k);
          } else if (a.state === 'firing') {
            a.state = 'inactive';
            a.resolvedAt = ts;
          }
          continue;
        }
        a.keepFiringSince = undefined;
        if (a.state === 'pending' && ts - a.activeAt >= this.spec.forMs) {
          a.state = 'firing';
          a.firedAt = ts;
        }
        active++;
      }
      let limitError: Error | undefined;
      if (this.limit > 0 && active > this.limit) {
        this.alerts.clear();
        limitError = new Error(`exceeded limit of ${this.limit} with ${active} alerts`);
      }
      const series: Sample[] = [];
      for (const a of this.active()) {
        series.push({
          labels: { ...a.labels, __name__: 'ALERTS', alertstate: a.state },
          value: 1,
        });
        series.push({
          labels: { ...a.labels, __name__: 'ALERTS_FOR_STATE' },
          value: a.activeAt / 1000,
        });
      }
      const app = env.appender();
      this.out.write(app, ts, series);
      app.commit();
      if (limitError !== undefined) throw limitError;
    });
  }

  /** The rule's alerts as plain data, to persist across restarts. */
  exportState(): Alert[] {
    return [...this.alerts.values()].map((a) => ({ ...a, annotations: { ...a.annotations } }));
  }

  /**
   * Restores alerts saved by {@link exportState} (a restarted hub keeps pending `for` clocks,
   * firing alerts and their send times, so nothing is re-notified or lost).
   */
  restoreState(alerts: readonly Alert[]): void {
    this.alerts.clear();
    for (const a of alerts)
      this.alerts.set(labelsKey(a.labels), {
        ...a,
        annotations: { ...a.annotations },
        keepFiringSince: a.keepFiringSince ?? undefined,
      });
  }

  /**
   * Alerts due to be sent at `ts` (Prometheus's needsSending): firing ones not sent within
   * `resendDelayMs`, resolved ones not yet sent since resolving (and re-sent like firing
   * ones while they are kept).
   */
  toSend(ts: number, resendDelayMs: number, intervalMs: number, externalURL: string): SinkAlert[] {
    const out: SinkAlert[] = [];
    const generatorURL =
      externalURL + '/graph?' + new URLSearchParams({ 'g0.expr': this.spec.expr }) + '&g0.tab=1';
    for (const a of this.alerts.values()) {
      if (a.state === 'pending') continue;
      const due =
        a.lastSentAt === undefined ||
        (a.resolvedAt !== undefined && a.resolvedAt > a.lastSentAt) ||
        a.lastSentAt + resendDelayMs <= ts;
      if (!due) continue;
      if (a.state === 'firing') a.validUntil = ts + 4 * Math.max(resendDelayMs, intervalMs);
      a.lastSentAt = ts;
      out.push({
        status: a.state === 'firing' ? 'firing' : 'resolved',
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.firedAt ?? a.activeAt,
        endsAt: a.state === 'firing' ? a.validUntil : (a.resolvedAt ?? ts),
        generatorURL,
      });
    }
    return out;
  }
}

export type Rule = RecordingRule | AlertingRule;
