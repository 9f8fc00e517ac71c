/**
 * SLO spec → what the pages show of each SLO: its indicator over time against its
 * threshold, and its error budget left — read from the series the generated rule file
 * records (`slo:error_ratio:rate<W>`, `slo:error_budget_remaining:ratio`), so the pages show
 * what the alerts see.
 */
import {
  DEFAULT_BURN_RATE_TIERS,
  DEFAULT_SLO_WINDOW,
  type Slo,
  type GaugeSlo,
} from '@canopy/catalog';
import { durationSeconds, formatDuration } from './duration.js';
import type { Panel, SloView, Threshold, ValueUnit } from './types.js';

/** Names of the rule file's recorded series (as `canopy gen rules` writes them). */
export const RECORDED = {
  errorRatio: (window: string) => `slo:error_ratio:rate${window}`,
  budgetRemaining: 'slo:error_budget_remaining:ratio',
  sliceBad: 'slo:time_slice_bad:max',
} as const;

/** The error-ratio window drawn for ratio and latency SLOs when the rule file records it. */
export const PREFERRED_WINDOW_SECONDS = 300;

/**
 * The recorded error-ratio window an SLO's indicator is drawn from: 5m when one of its
 * tiers uses it (the defaults do), else its shortest tier window.
 *
 * @example indicatorWindow(DEFAULT_SLOS[0]!) // '5m'
 */
export function indicatorWindow(slo: Slo): string {
  if (slo.kind === 'gauge') return '';
  const windows: number[] = [];
  for (const t of slo.tiers ?? DEFAULT_BURN_RATE_TIERS)
    for (const w of [t.long, t.short]) {
      const s = durationSeconds(w);
      if (s !== undefined) windows.push(s);
    }
  if (windows.includes(PREFERRED_WINDOW_SECONDS)) return formatDuration(PREFERRED_WINDOW_SECONDS);
  return formatDuration(Math.min(...windows));
}

function gaugeUnit(slo: GaugeSlo): ValueUnit {
  return slo.unit === 'seconds' ? 'seconds' : slo.unit === 'ratio' ? 'ratio' : 'number';
}

/**
 * How the pages show one SLO.
 *
 * @example sloView(DEFAULT_SLOS[0]!).indicator.expr // 'slo:error_ratio:rate5m{slo="relay-dial-latency"}'
 */
export function sloView(slo: Slo): SloView {
  const base = {
    name: slo.name,
    service: slo.service,
    description: slo.description,
    kind: slo.kind,
    target: slo.target,
    window: slo.window ?? DEFAULT_SLO_WINDOW,
    budget: `${RECORDED.budgetRemaining}{slo="${slo.name}"}`,
  };
  if (slo.kind === 'gauge')
    return {
      ...base,
      indicator: {
        expr: slo.expr,
        legend: '{{instance}}',
        unit: gaugeUnit(slo),
        threshold: slo.threshold,
        comparator: slo.comparator,
      },
    };
  const w = indicatorWindow(slo);
  return {
    ...base,
    indicator: {
      expr: `${RECORDED.errorRatio(w)}{slo="${slo.name}"}`,
      legend: `error ratio over ${w}`,
      unit: 'ratio',
      // The error ratio that spends the budget exactly over the window.
      threshold: Number((1 - slo.target).toPrecision(12)),
      comparator: '<',
    },
  };
}

/**
 * An SLO's own graph for its service's dashboard: the indicator with the threshold line.
 *
 * @example sloPanel(sloView(DEFAULT_SLOS[1]!)).thresholds[0]?.value // 0.01
 */
export function sloPanel(v: SloView): Panel {
  const what = v.kind === 'gauge' ? v.description : `${v.description} (target ${v.target * 100}%)`;
  return {
    id: `slo-${v.name}`,
    title: `SLO ${v.name}`,
    help: what,
    kind: 'slo',
    unit: v.indicator.unit,
    queries: [{ expr: v.indicator.expr, legend: v.indicator.legend }],
    thresholds: [
      {
        value: v.indicator.threshold,
        label: v.kind === 'gauge' ? `SLO: ${v.description}` : `budget rate (${v.target * 100}%)`,
        slo: v.name,
      },
    ],
  };
}

const PLAIN = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*$/;
const RATE = /^\s*rate\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*\[[^\]]+\]\s*\)\s*$/;

/**
 * Which metric panel an SLO's threshold belongs on, when the SLO reads one metric as drawn:
 * a latency SLO's histogram (its quantiles), a gauge SLO on a plain selector (the gauge), or
 * on `rate(counter[…])` (the counter's rate). Undefined for any other expression.
 *
 * @example thresholdTarget(DEFAULT_SLOS[2]!) // { metric: 'process_cpu_seconds_total', kind: 'counter', value: 0.7 }
 */
export function thresholdTarget(
  slo: Slo,
): { metric: string; kind: Panel['kind']; value: number } | undefined {
  if (slo.kind === 'latency')
    return { metric: slo.metric, kind: 'histogram', value: slo.threshold };
  if (slo.kind !== 'gauge') return undefined;
  const plain = PLAIN.exec(slo.expr);
  if (plain !== null) return { metric: plain[1]!, kind: 'gauge', value: slo.threshold };
  const rate = RATE.exec(slo.expr);
  if (rate !== null) return { metric: rate[1]!, kind: 'counter', value: slo.threshold };
  return undefined;
}

/**
 * The threshold line an SLO draws on a metric panel.
 *
 * @example thresholdOf(slo, 10).label // 'SLO replay: sync lag (head event age) < 10 s'
 */
export function thresholdOf(slo: Slo, value: number): Threshold {
  return { value, label: `SLO ${slo.service}: ${slo.description}`, slo: slo.name };
}
