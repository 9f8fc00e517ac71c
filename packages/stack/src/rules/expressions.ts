/** The PromQL the rule file is made of, one function per kind of expression. */
import type { Comparator, GaugeSlo, LatencySlo } from '@canopy/catalog';
import { formatDuration } from '../slo/duration.js';
import {
  formatNumber,
  formatSelector,
  parseSelector,
  withMatcher,
  type Selector,
} from '../slo/promql.js';
import { budgetOf, type BurnSlo } from './tiers.js';

/** Names of the recorded series. */
export const RECORD = {
  /** Share of bad events over a window, per SLO (`slo`, `service` labels). */
  errorRatio: (windowSeconds: number) => `slo:error_ratio:rate${formatDuration(windowSeconds)}`,
  /** 1 while a gauge SLO is violated, 0 while it is met: one sample per time slice. */
  sliceBad: 'slo:time_slice_bad:max',
  /** Share of the window's error budget not yet spent (negative once overspent). */
  budgetRemaining: 'slo:error_budget_remaining:ratio',
} as const;

/**
 * The good and total selectors of an SLO given as selectors, scoped to its service
 * (`service="<service>"` is added unless the selector has a `service` matcher). For a
 * latency SLO, the histogram's bucket at the threshold and its count. `undefined` for a
 * ratio SLO written as expressions.
 */
export function sloSelectors(slo: BurnSlo): { good: Selector; total: Selector } | undefined {
  if (slo.kind === 'latency') return latencySelectors(slo);
  const good = parseSelector(slo.good);
  const total = parseSelector(slo.total);
  if (good === undefined || total === undefined) return undefined;
  return {
    good: withMatcher(good, 'service', slo.service),
    total: withMatcher(total, 'service', slo.service),
  };
}

function latencySelectors(slo: LatencySlo): { good: Selector; total: Selector } {
  const le = formatNumber(slo.threshold);
  // Prometheus 3 and VictoriaMetrics normalise le="2" to le="2.0" on ingestion, Prometheus
  // 2 keeps what the target wrote: an integer bound must match both spellings.
  const leMatcher = Number.isInteger(slo.threshold)
    ? ({ name: 'le', op: '=~', value: `${le}(\\.0)?` } as const)
    : ({ name: 'le', op: '=', value: le } as const);
  const service = { name: 'service', op: '=', value: slo.service } as const;
  return {
    good: { metric: `${slo.metric}_bucket`, matchers: [service, leMatcher] },
    total: { metric: `${slo.metric}_count`, matchers: [service] },
  };
}

/**
 * The error ratio of a ratio or latency SLO over a window:
 * `1 - sum(rate(good[w])) / sum(rate(total[w]))`.
 *
 * @example errorRatioExpr(slo, 300) // '1 - sum(rate(relay_ws_upgrades_total{service="relay",result="success"}[5m])) / sum(rate(relay_ws_upgrades_total{service="relay"}[5m]))'
 */
export function errorRatioExpr(slo: BurnSlo, windowSeconds: number): string {
  const w = formatDuration(windowSeconds);
  const sels = sloSelectors(slo);
  if (sels !== undefined)
    return `1 - sum(rate(${formatSelector(sels.good)}[${w}])) / sum(rate(${formatSelector(sels.total)}[${w}]))`;
  // Only a ratio SLO can be written as expressions; sum() makes sure they are one series.
  const r = slo as Extract<BurnSlo, { kind: 'ratio' }>;
  return `1 - sum(${r.good.replaceAll('$window', w)}) / sum(${r.total.replaceAll('$window', w)})`;
}

/**
 * The burn rate of a recorded error ratio: `slo:error_ratio:rate5m{slo="x"} / 0.01`.
 */
export function burnRateExpr(slo: BurnSlo, windowSeconds: number): string {
  return `${RECORD.errorRatio(windowSeconds)}{slo="${slo.name}"} / ${formatNumber(budgetOf(slo.target))}`;
}

/** The comparison that is true while a gauge SLO is violated (the complement of its own). */
export function violation(c: Comparator): Comparator {
  return c === '<' ? '>=' : c === '<=' ? '>' : c === '>' ? '<=' : '<';
}

/** The gauge's expression, in parentheses unless it is a plain selector. */
function operand(expr: string): string {
  return parseSelector(expr) !== undefined ? expr.trim() : `(${expr.trim()})`;
}

/** True (the series) while a gauge SLO is violated: `(expr) >= 10`. */
export function gaugeViolationExpr(slo: GaugeSlo): string {
  return `${operand(slo.expr)} ${violation(slo.comparator)} ${formatNumber(slo.threshold)}`;
}

/** The time-slice bit of a gauge SLO: 1 if any series violates it, else 0. */
export function sliceBadExpr(slo: GaugeSlo): string {
  return `max(${operand(slo.expr)} ${violation(slo.comparator)} bool ${formatNumber(slo.threshold)})`;
}

/** Share of the error budget left over the SLO's window. */
export function budgetRemainingExpr(slo: BurnSlo | GaugeSlo, windowSeconds: number): string {
  const budget = formatNumber(budgetOf(slo.target));
  if (slo.kind === 'gauge')
    return `1 - avg_over_time(${RECORD.sliceBad}{slo="${slo.name}"}[${formatDuration(windowSeconds)}]) / ${budget}`;
  return `1 - ${RECORD.errorRatio(windowSeconds)}{slo="${slo.name}"} / ${budget}`;
}
