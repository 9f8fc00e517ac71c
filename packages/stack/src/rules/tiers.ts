/**
 * Tier thresholds, windows and evaluation intervals: the numbers the rule file, its tests
 * and the reachability check share.
 */
import {
  DEFAULT_BURN_RATE_TIERS,
  DEFAULT_SLO_WINDOW,
  type BurnRateTier,
  type LatencySlo,
  type RatioSlo,
  type Slo,
} from '@canopy/catalog';
import { parseDuration } from '../slo/duration.js';
import { formatNumber } from '../slo/promql.js';

/** An SLO alerted on by burn rate. */
export type BurnSlo = RatioSlo | LatencySlo;

/** Evaluation interval of the alerting groups (seconds). */
export const ALERT_INTERVAL = 15;
/**
 * Evaluation interval of the target-down group (seconds). With `for: 0s` the alert fires at
 * the first evaluation after the first failed scrape: at most scrape interval + 5 s after the
 * process died.
 */
export const TARGET_DOWN_INTERVAL = 5;
/** Length of a gauge SLO's time slice: how often its good/bad bit is recorded (seconds). */
export const SLICE_INTERVAL = 60;
/** Evaluation interval of the budget-left rules: they read the whole window (seconds). */
export const BUDGET_INTERVAL = 300;

/**
 * Evaluation interval of the recording group for an error-ratio window: the short windows
 * feed the fast tier and are cheap, the long ones move slowly and read a lot.
 *
 * @example recordingInterval(300) // 15
 */
export function recordingInterval(windowSeconds: number): number {
  if (windowSeconds <= 300) return 15;
  if (windowSeconds <= 6 * 3600) return 30;
  if (windowSeconds <= 3 * 86400) return 60;
  return BUDGET_INTERVAL;
}

/** Whether an SLO gets burn-rate alerts (ratio and latency) rather than a threshold alert. */
export function isBurnSlo(slo: Slo): slo is BurnSlo {
  return slo.kind === 'ratio' || slo.kind === 'latency';
}

/** The SLO's tiers (its own, or the defaults). */
export function tiersOf(slo: BurnSlo): readonly BurnRateTier[] {
  return slo.tiers ?? DEFAULT_BURN_RATE_TIERS;
}

/** The SLO's compliance window in seconds. */
export function windowSeconds(slo: Slo): number {
  return parseDuration(slo.window ?? DEFAULT_SLO_WINDOW)!;
}

/**
 * The error budget as the rule file writes it: `1 - 0.99` prints as 0.01, and every
 * computation that must agree with the rules uses this rounded value.
 *
 * @example budgetOf(0.999) // 0.001
 */
export function budgetOf(target: number): number {
  return Number(formatNumber(1 - target));
}

/** What a tier compares both windows' burn rates against. */
export interface TierThreshold {
  /** Burn rate (multiple of the budget rate) the alert expression compares with. */
  readonly burn: number;
  /** The same threshold as an error ratio. */
  readonly ratio: number;
}

/**
 * A tier's threshold at a target: `burnRate` as is (error ratio `burnRate × budget`), or
 * `errorRatio` as the burn rate `errorRatio / budget`.
 *
 * @example tierThreshold({ name: 'fast', severity: 'page', long: '5m', short: '1m', errorRatio: 0.15 }, 0.99).burn // 15
 */
export function tierThreshold(tier: BurnRateTier, target: number): TierThreshold {
  const budget = budgetOf(target);
  if (tier.burnRate !== undefined)
    return { burn: tier.burnRate, ratio: Number(formatNumber(tier.burnRate * budget)) };
  return { burn: Number(formatNumber(tier.errorRatio / budget)), ratio: tier.errorRatio };
}

/**
 * Every error-ratio window the SLOs need, in seconds, ascending: each tier's long and short
 * windows and each SLO's compliance window.
 */
export function ratioWindows(slos: readonly Slo[]): number[] {
  const set = new Set<number>();
  for (const slo of slos) {
    if (!isBurnSlo(slo)) continue;
    for (const t of tiersOf(slo)) {
      set.add(parseDuration(t.long)!);
      set.add(parseDuration(t.short)!);
    }
    set.add(windowSeconds(slo));
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * PascalCase of a kebab-case name, for alert names.
 *
 * @example pascal('relay-ws-connect-errors') // 'RelayWsConnectErrors'
 */
export function pascal(name: string): string {
  return name
    .split(/[-_]/)
    .map((w) => (w === '' ? '' : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
}
