/**
 * The reachability check (`canopy check rules`): can each burn-rate tier fire at its SLO's
 * target, and how long after a full outage begins does it? Plus the bounds of the gauge and
 * target-down alerts.
 */
import type { Slo } from '@canopy/catalog';
import { formatDuration, formatSeconds, parseDuration } from '../slo/duration.js';
import { formatNumber } from '../slo/promql.js';
import { DEFAULT_SCRAPE_INTERVAL } from '../slo/load.js';
import { targetServices } from './generate.js';
import {
  ALERT_INTERVAL,
  TARGET_DOWN_INTERVAL,
  budgetOf,
  isBurnSlo,
  recordingInterval,
  tierThreshold,
  tiersOf,
  windowSeconds,
} from './tiers.js';

/** A full outage must page within this many seconds (issue 5's promise). */
export const FULL_OUTAGE_PAGE_WITHIN = 120;
/** A dead process must reach chat within this many seconds. */
export const TARGET_DOWN_CHAT_WITHIN = 30;

/** One tier of one ratio or latency SLO. */
export interface TierReport {
  /** Position in the spec (`slos[index]`). */
  readonly index: number;
  readonly slo: string;
  readonly target: number;
  readonly tier: string;
  readonly severity: 'page' | 'ticket';
  /** Long and short windows (seconds). */
  readonly long: number;
  readonly short: number;
  /** Burn rate and error ratio both windows must exceed. */
  readonly burn: number;
  readonly ratio: number;
  /** The highest burn rate possible at the target: 1 / (1 − target), every event failing. */
  readonly maxBurn: number;
  readonly reachable: boolean;
  /** Seconds from the start of a full outage until both windows pass the threshold. */
  readonly fireAfter: number;
  /**
   * The same, adding what the pipeline can: two scrape intervals (the failing sample lands
   * late; a failure counter born with the outage needs a second sample before rate() sees
   * it) and the recording and alerting groups' evaluation intervals.
   */
  readonly fireWithin: number;
  /** Share of the window's budget spent when a burn at the threshold fires the alert. */
  readonly budgetSpent: number;
}

/** One gauge SLO. */
export interface GaugeReport {
  readonly index: number;
  readonly slo: string;
  readonly severity: 'page' | 'ticket';
  readonly sustained: number;
  /** Sustained + one scrape interval + one evaluation interval (seconds). */
  readonly fireWithin: number;
}

/** The result of {@link checkRules}. */
export interface RulesCheck {
  readonly scrapeInterval: number;
  readonly tiers: readonly TierReport[];
  readonly gauges: readonly GaugeReport[];
  readonly targetDown: { readonly services: readonly string[]; readonly fireWithin: number };
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly ok: boolean;
}

/** Options of {@link checkRules}. */
export interface CheckRulesOptions {
  /** Scrape interval in seconds (default 15, the hub's). */
  readonly scrapeInterval?: number;
}

/**
 * Checks a (validated) SLO spec's alerts: every tier must be able to fire at its target
 * (its burn rate below 1 / (1 − target)), and a full outage of every ratio or latency SLO
 * must page within {@link FULL_OUTAGE_PAGE_WITHIN} seconds.
 *
 * @example checkRules(DEFAULT_SLOS).ok // true
 */
export function checkRules(slos: readonly Slo[], o: CheckRulesOptions = {}): RulesCheck {
  const scrape = o.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL;
  const tiers: TierReport[] = [];
  const gauges: GaugeReport[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  slos.forEach((slo, index) => {
    const at = `slos[${index}] (${slo.name})`;
    if (!isBurnSlo(slo)) {
      const sustained = parseDuration(slo.sustained)!;
      gauges.push({
        index,
        slo: slo.name,
        severity: slo.severity,
        sustained,
        fireWithin: sustained + scrape + ALERT_INTERVAL,
      });
      return;
    }
    const maxBurn = 1 / budgetOf(slo.target);
    let fastestPage = Infinity;
    for (const t of tiersOf(slo)) {
      const { burn, ratio } = tierThreshold(t, slo.target);
      const long = parseDuration(t.long)!;
      const short = parseDuration(t.short)!;
      // `>` in the rule: a threshold equal to the maximum is reached only by 100% errors and
      // still not exceeded.
      const reachable = ratio < 1;
      const fireAfter = reachable ? ratio * long : Infinity;
      const fireWithin = reachable
        ? Math.max(
            ratio * long + recordingInterval(long),
            ratio * short + recordingInterval(short),
          ) +
          2 * scrape +
          ALERT_INTERVAL
        : Infinity;
      tiers.push({
        index,
        slo: slo.name,
        target: slo.target,
        tier: t.name,
        severity: t.severity,
        long,
        short,
        burn,
        ratio,
        maxBurn,
        reachable,
        fireAfter,
        fireWithin,
        budgetSpent: (burn * long) / windowSeconds(slo),
      });
      if (!reachable) {
        const what = t.burnRate !== undefined ? 'burnRate' : 'errorRatio';
        const below = t.burnRate !== undefined ? formatNumber(maxBurn) : '1';
        const fix =
          slo.tiers === undefined
            ? `Give the SLO its own tiers: (the defaults with this one's ${what} below ${below}, or without it)`
            : `Lower its ${what} below ${below}`;
        errors.push(
          `${at}: tier ${t.name} can never fire: it needs a burn rate above ${formatNumber(burn)}×, but at target ${slo.target} the highest possible is ${formatNumber(maxBurn)}× (every event failing). ${fix}, or raise the target.`,
        );
      } else if (burn < 1)
        warnings.push(
          `${at}: tier ${t.name} fires at a burn rate of ${formatNumber(burn)}×, below the rate the budget allows: it alerts while the SLO is being met.`,
        );
      if (t.severity === 'page' && fireWithin < fastestPage) fastestPage = fireWithin;
    }
    if (fastestPage > FULL_OUTAGE_PAGE_WITHIN)
      errors.push(
        `${at}: a full outage would page after ${formatSeconds(fastestPage)} at best, not within ${formatSeconds(FULL_OUTAGE_PAGE_WITHIN)} (scrape interval ${scrape} s). Add a fast page tier, e.g. { name: fast, severity: page, long: 3m, short: 1m, errorRatio: 0.2 }.`,
      );
  });
  const down = scrape + TARGET_DOWN_INTERVAL;
  if (down >= TARGET_DOWN_CHAT_WITHIN)
    warnings.push(
      `target down: a dead process fires its alert up to ${down} s later (scrape interval ${scrape} s + ${TARGET_DOWN_INTERVAL} s evaluation), leaving nothing of the ${TARGET_DOWN_CHAT_WITHIN} s for the notifier; scrape every 15 s or less.`,
    );
  return {
    scrapeInterval: scrape,
    tiers,
    gauges,
    targetDown: { services: targetServices(slos), fireWithin: down },
    errors,
    warnings,
    ok: errors.length === 0,
  };
}

function pct(x: number): string {
  return `${formatNumber(Number((x * 100).toPrecision(3)))}%`;
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Prints a {@link RulesCheck} for people: per SLO a table of its tiers with the time a full
 * outage takes to fire each, then gauges, target-down, warnings and errors.
 */
export function formatRulesCheck(c: RulesCheck): string {
  const out: string[] = [
    `Alert tiers: thresholds, reachability and time to fire for a full outage (every event failing),`,
    `scrape interval ${c.scrapeInterval} s; "≤" adds two scrape and two evaluation intervals.`,
    '',
  ];
  let i = 0;
  while (i < c.tiers.length) {
    const first = c.tiers[i]!;
    const rows = [
      ['tier', 'severity', 'windows', 'fires above', 'full outage fires after', 'budget spent'],
    ];
    for (; i < c.tiers.length && c.tiers[i]!.index === first.index; i++) {
      const t = c.tiers[i]!;
      rows.push([
        t.tier,
        t.severity,
        `${formatDuration(t.long)}/${formatDuration(t.short)}`,
        `${formatNumber(t.burn)}× (${pct(t.ratio)} errors)`,
        t.reachable ? `${formatSeconds(t.fireAfter)} (≤ ${formatSeconds(t.fireWithin)})` : 'NEVER',
        pct(t.budgetSpent),
      ]);
    }
    out.push(
      `${first.slo} (slos[${first.index}]): target ${pct(first.target)}, highest possible burn rate ${formatNumber(first.maxBurn)}×`,
      ...table(rows).map((l) => `  ${l}`),
      '',
    );
  }
  if (c.gauges.length > 0) {
    out.push('Gauge SLOs: threshold alerts, firing once the violation has lasted "sustained":');
    const rows = [['slo', 'severity', 'for', 'fires within']];
    for (const g of c.gauges)
      rows.push([
        g.slo,
        g.severity,
        formatDuration(g.sustained),
        `≤ ${formatSeconds(g.fireWithin)}`,
      ]);
    out.push(...table(rows).map((l) => `  ${l}`), '');
  }
  out.push(
    `Target down (${c.targetDown.services.join(', ')}): fires ≤ ${c.targetDown.fireWithin} s after a process dies ` +
      `(scrape interval ${c.scrapeInterval} s + evaluation ${TARGET_DOWN_INTERVAL} s), ` +
      `${Math.max(0, TARGET_DOWN_CHAT_WITHIN - c.targetDown.fireWithin)} s left for the notifier.`,
    '',
  );
  for (const w of c.warnings) out.push(`warning: ${w}`);
  for (const e of c.errors) out.push(`error: ${e}`);
  out.push(
    c.ok
      ? `OK: every tier can fire and every full outage pages within ${formatSeconds(FULL_OUTAGE_PAGE_WITHIN)}.`
      : `FAILED: ${c.errors.length} problem${c.errors.length === 1 ? '' : 's'}.`,
  );
  return out.join('\n') + '\n';
}
