/**
 * `/api/v1/rules` and `/api/v1/alerts` data in Prometheus's shapes (2.42), from a
 * {@link RuleManager}.
 */
import type { Labels } from '../model.js';
import type { RuleManager } from './manager.js';
import type { Alert, AlertState, Rule } from './rule.js';

export interface ApiAlert {
  labels: Labels;
  annotations: Readonly<Record<string, string>>;
  state: AlertState;
  activeAt: string;
  value: string;
}

interface RuleCommon {
  name: string;
  query: string;
  labels: Readonly<Record<string, string>>;
  health: 'unknown' | 'ok' | 'err';
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
}

export type ApiRule =
  | (RuleCommon & { type: 'recording' })
  | (RuleCommon & {
      type: 'alerting';
      state: AlertState;
      duration: number;
      annotations: Readonly<Record<string, string>>;
      alerts: ApiAlert[];
    });

export interface ApiRuleGroup {
  name: string;
  file: string;
  rules: ApiRule[];
  interval: number;
  limit: number;
  evaluationTime: number;
  lastEvaluation: string;
}

export interface RulesData {
  groups: ApiRuleGroup[];
}

export interface AlertsData {
  alerts: ApiAlert[];
}

/** What the HTTP API reads rules and alerts from (see `ApiSources.rules`). */
export interface RulesSource {
  /** `type`: "alert" or "record" keeps only that kind of rule. */
  rulesData(type?: string): RulesData;
  alertsData(): AlertsData;
}

const time = (ms: number | undefined): string =>
  ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();

/** Go's strconv.FormatFloat(v, 'e', -1, 64), which Prometheus uses for alert values. */
export function formatAlertValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const [m, e] = v.toExponential().split('e') as [string, string];
  const n = Math.abs(Number(e));
  return m + (e.startsWith('-') ? 'e-' : 'e+') + (n < 10 ? '0' + n : String(n));
}

function apiAlert(a: Alert): ApiAlert {
  return {
    labels: a.labels,
    annotations: a.annotations,
    state: a.state,
    activeAt: time(a.activeAt),
    value: formatAlertValue(a.value),
  };
}

function apiRule(r: Rule): ApiRule {
  const common: RuleCommon = {
    name: r.spec.name,
    query: r.spec.expr,
    labels: r.spec.labels,
    health: r.health.health,
    evaluationTime: r.health.evaluationTimeMs / 1000,
    lastEvaluation: time(r.health.lastEvaluation),
  };
  if (r.health.lastError !== '') common.lastError = r.health.lastError;
  if (r.kind === 'recording') return { ...common, type: 'recording' };
  return {
    ...common,
    type: 'alerting',
    state: r.state,
    duration: r.spec.forMs / 1000,
    annotations: r.spec.annotations,
    alerts: r.active().map(apiAlert),
  };
}

/** A {@link RulesSource} over a manager. */
export function rulesSource(m: RuleManager): RulesSource {
  return {
    rulesData(type) {
      const keep = (r: Rule): boolean =>
        type === 'alert'
          ? r.kind === 'alerting'
          : type === 'record'
            ? r.kind === 'recording'
            : true;
      return {
        groups: m.groups
          .map((g) => ({
            name: g.spec.name,
            file: g.spec.file,
            rules: g.rules.filter(keep).map(apiRule),
            interval: g.spec.intervalMs / 1000,
            limit: g.spec.limit,
            evaluationTime: g.evaluationTimeMs / 1000,
            lastEvaluation: time(g.lastEvaluation),
          }))
          .filter((g) => type === undefined || type === '' || g.rules.length > 0),
      };
    },
    alertsData() {
      const alerts: ApiAlert[] = [];
      for (const g of m.groups)
        for (const r of g.rules)
          if (r.kind === 'alerting') alerts.push(...r.active().map(apiAlert));
      return { alerts };
    },
  };
}
