/**
 * The rule file: one Prometheus rule file (YAML) from the SLO spec, read alike by the hub,
 * vmalert and Prometheus. Recording groups (one per error-ratio window, the time slices, the
 * budget) come first, then the alerting groups.
 */
import { Document } from 'yaml';
import { SERVICES, type BurnRateTier, type GaugeSlo, type Slo } from '@canopy/catalog';
import { formatDuration, parseDuration, formatSeconds } from '../slo/duration.js';
import { formatNumber } from '../slo/promql.js';
import { DEFAULT_SCRAPE_INTERVAL } from '../slo/load.js';
import {
  RECORD,
  budgetRemainingExpr,
  burnRateExpr,
  errorRatioExpr,
  gaugeViolationExpr,
  sliceBadExpr,
  violation,
} from './expressions.js';
import {
  ALERT_INTERVAL,
  BUDGET_INTERVAL,
  SLICE_INTERVAL,
  TARGET_DOWN_INTERVAL,
  isBurnSlo,
  pascal,
  ratioWindows,
  recordingInterval,
  tierThreshold,
  tiersOf,
  windowSeconds,
  type BurnSlo,
} from './tiers.js';

/** A recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** An alerting rule. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A rule group with its own evaluation interval. */
export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** A Prometheus rule file. */
export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}

/** Options of the rule generator. */
export interface RulesOptions {
  /** Scrape interval the rules are designed for, in seconds (default 15: the hub's). */
  readonly scrapeInterval?: number;
  /**
   * Start of the dashboard link in annotations; `/d/<service>` is appended. Default
   * `{{ $externalURL }}`: the hub's UI when the hub evaluates the rules; give the hub's URL
   * (e.g. `http://127.0.0.1:9400`) when vmalert or Prometheus does.
   */
  readonly dashboardUrl?: string;
}

/** File names `canopy gen rules` writes. */
export const RULE_FILE = 'canopy.rules.yml';
/** The promtool test file beside {@link RULE_FILE}. */
export const RULE_TEST_FILE = 'canopy.rules.test.yml';

/** Group names, in file order. */
export const GROUPS = {
  errorRatio: (windowSeconds: number) => `slo-error-ratio-${formatDuration(windowSeconds)}`,
  slices: 'slo-time-slices',
  budget: 'slo-error-budget',
  burnAlerts: 'slo-burn-rate-alerts',
  gaugeAlerts: 'slo-threshold-alerts',
  targetDown: 'target-down-alerts',
} as const;

/** Alert name of a burn-rate tier: `RelayWsConnectErrorsBudgetBurnFast`. */
export function burnAlertName(slo: BurnSlo, tier: BurnRateTier): string {
  return `${pascal(slo.name)}BudgetBurn${pascal(tier.name)}`;
}

/** Alert name of a gauge SLO: `ReplaySyncLagHigh`, `StorageDiskFreeLow`. */
export function gaugeAlertName(slo: GaugeSlo): string {
  const v = violation(slo.comparator);
  return `${pascal(slo.name)}${v === '>' || v === '>=' ? 'High' : 'Low'}`;
}

/** Alert name of a service's target-down alert: `RelayDown`. */
export function targetDownAlertName(service: string): string {
  return `${pascal(service)}Down`;
}

/** Services that get a target-down alert: the catalog's, then those the SLOs name. */
export function targetServices(slos: readonly Slo[]): string[] {
  const out: string[] = [...SERVICES];
  for (const s of slos) if (!out.includes(s.service)) out.push(s.service);
  return out;
}

/** How a gauge SLO's value reads in its alert. */
export function valueTemplate(slo: GaugeSlo): string {
  const f =
    slo.unit === 'seconds'
      ? 'humanizeDuration'
      : slo.unit === 'ratio'
        ? 'humanizePercentage'
        : 'humanize';
  return `{{ $value | ${f} }}`;
}

function budgetLeft(slo: Slo): string {
  const q = `${RECORD.budgetRemaining}{slo=\\"${slo.name}\\"}`;
  return (
    `{{ with query "${q}" }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}` +
    ` of the ${formatDuration(windowSeconds(slo))} error budget left`
  );
}

function dashboard(service: string, o: RulesOptions): string {
  return `${o.dashboardUrl ?? '{{ $externalURL }}'}/d/${service}`;
}

function burnAlert(slo: BurnSlo, tier: BurnRateTier, o: RulesOptions): AlertingRule {
  const long = parseDuration(tier.long)!;
  const short = parseDuration(tier.short)!;
  const burn = formatNumber(tierThreshold(tier, slo.target).burn);
  return {
    alert: burnAlertName(slo, tier),
    expr: `${burnRateExpr(slo, long)} > ${burn}\nand ${burnRateExpr(slo, short)} > ${burn}`,
    labels: { service: slo.service, slo: slo.name, severity: tier.severity, tier: tier.name },
    annotations: {
      summary: `${slo.service}: ${slo.description} — error budget burning at over ${burn}× the sustainable rate (${tier.long} and ${tier.short} windows)`,
      value: `{{ $value | printf "%.4g" }}× the sustainable error rate over ${tier.long}`,
      budget_left: budgetLeft(slo),
      dashboard: dashboard(slo.service, o),
    },
  };
}

function gaugeAlert(slo: GaugeSlo, o: RulesOptions): AlertingRule {
  return {
    alert: gaugeAlertName(slo),
    expr: gaugeViolationExpr(slo),
    for: formatDuration(parseDuration(slo.sustained)!),
    labels: { service: slo.service, slo: slo.name, severity: slo.severity },
    annotations: {
      summary: `${slo.service}: ${slo.description} — violated for ${slo.sustained}`,
      value: valueTemplate(slo),
      budget_left: budgetLeft(slo),
      dashboard: dashboard(slo.service, o),
    },
  };
}

function targetDownAlert(service: string, o: RulesOptions): AlertingRule {
  return {
    alert: targetDownAlertName(service),
    expr: `up{service="${service}"} == 0`,
    // Any `for` shorter than a scrape interval filters nothing (a failed scrape's up=0 stays
    // for a whole interval) and one that spans two scrapes breaks the 30 s bound: see header.
    for: '0s',
    labels: { service, slo: 'target-up', severity: 'page' },
    annotations: {
      summary: `${service} target {{ $labels.instance }} is down: its last scrape failed`,
      value: 'up = {{ $value }}',
      dashboard: dashboard(service, o),
    },
  };
}

/**
 * Builds the rule file of an SLO spec (already validated).
 *
 * @example buildRules(DEFAULT_SLOS).groups.map((g) => g.name) // ['slo-error-ratio-1m', …, 'target-down-alerts']
 */
export function buildRules(slos: readonly Slo[], o: RulesOptions = {}): RuleFile {
  const burn = slos.filter(isBurnSlo);
  const gauges = slos.filter((s): s is GaugeSlo => s.kind === 'gauge');
  const groups: RuleGroup[] = [];
  for (const w of ratioWindows(slos)) {
    const rules: RecordingRule[] = [];
    for (const slo of burn) {
      const used =
        windowSeconds(slo) === w ||
        tiersOf(slo).some((t) => parseDuration(t.long) === w || parseDuration(t.short) === w);
      if (used)
        rules.push({
          record: RECORD.errorRatio(w),
          expr: errorRatioExpr(slo, w),
          labels: { service: slo.service, slo: slo.name },
        });
    }
    groups.push({
      name: GROUPS.errorRatio(w),
      interval: formatDuration(recordingInterval(w)),
      rules,
    });
  }
  if (gauges.length > 0)
    groups.push({
      name: GROUPS.slices,
      interval: formatDuration(SLICE_INTERVAL),
      rules: gauges.map((slo) => ({
        record: RECORD.sliceBad,
        expr: sliceBadExpr(slo),
        labels: { service: slo.service, slo: slo.name },
      })),
    });
  if (slos.length > 0)
    groups.push({
      name: GROUPS.budget,
      interval: formatDuration(BUDGET_INTERVAL),
      rules: slos.map((slo) => ({
        record: RECORD.budgetRemaining,
        expr: budgetRemainingExpr(slo as BurnSlo | GaugeSlo, windowSeconds(slo)),
        labels: { service: slo.service, slo: slo.name },
      })),
    });
  if (burn.length > 0)
    groups.push({
      name: GROUPS.burnAlerts,
      interval: formatDuration(ALERT_INTERVAL),
      rules: burn.flatMap((slo) => tiersOf(slo).map((t) => burnAlert(slo, t, o))),
    });
  if (gauges.length > 0)
    groups.push({
      name: GROUPS.gaugeAlerts,
      interval: formatDuration(ALERT_INTERVAL),
      rules: gauges.map((slo) => gaugeAlert(slo, o)),
    });
  groups.push({
    name: GROUPS.targetDown,
    interval: formatDuration(TARGET_DOWN_INTERVAL),
    rules: targetServices(slos).map((s) => targetDownAlert(s, o)),
  });
  return { groups };
}

/** The header of the rule file: where it comes from and the numbers behind its design. */
function header(o: RulesOptions): string {
  const scrape = o.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL;
  const down = scrape + TARGET_DOWN_INTERVAL;
  return [
    ' Generated by `canopy gen rules` from the SLO spec. Do not edit: change the spec and run',
    ' `npm run gen:rules` (the golden copy lives in packages/stack/generated/rules/).',
    '',
    ' Ratio and latency SLOs: slo:error_ratio:rate<W> is the share of bad events over W, one',
    ' group per window. A tier alerts when the error ratio over its long AND its short window is',
    ' above its threshold (burnRate × (1 − target), or errorRatio for the fast tier); the',
    ' expressions compare burn rates, i.e. ratio / (1 − target). A full outage takes the ratio',
    ' over W to ρ after ρ × W, so the default fast tier (20% over 3m and 1m) fires 36 s into it',
    ` at any target, plus at most two scrape intervals and two evaluation intervals:`,
    ` ${formatSeconds(36 + 2 * scrape + 2 * ALERT_INTERVAL)} with a ${scrape} s scrape interval. \`canopy check rules\` prints the`,
    ' time of every tier.',
    '',
    ' Gauge SLOs: threshold alerts whose `for:` is the SLO\'s "sustained"; slo:time_slice_bad:max',
    ` records one good/bad bit per ${SLICE_INTERVAL} s slice for the budget left.`,
    '',
    ` Target down: up == 0 with for: 0s in a group evaluated every ${TARGET_DOWN_INTERVAL} s fires at most one scrape`,
    ` interval + ${TARGET_DOWN_INTERVAL} s after a process dies: ≤ ${down} s with a ${scrape} s scrape interval, leaving`,
    ` ${Math.max(0, 30 - down)} s of the 30 s budget for the notifier (route pages with group_wait ≤ ${Math.max(0, 30 - down - 5)} s).`,
  ].join('\n');
}

/**
 * Renders the rule file as YAML with an explanatory header.
 *
 * @example writeFileSync('canopy.rules.yml', renderRules(DEFAULT_SLOS))
 */
export function renderRules(slos: readonly Slo[], o: RulesOptions = {}): string {
  const doc = new Document(buildRules(slos, o));
  doc.commentBefore = header(o);
  return doc.toString({ lineWidth: 0 });
}
