/**
 * Generated `promtool test rules` cases for the rule file. Per ratio or latency SLO: a full
 * outage (must page within two minutes), a slow burn (must ticket and never page) and a
 * short blip (must never page). Per gauge SLO with an example: below the threshold, a
 * violation shorter than "sustained" (no alert), a sustained one (alert exactly when `for`
 * has passed), and inputs for which the expression is silent. Per service: target down.
 * Expected alerts and annotation texts come from ./simulate.ts, which mirrors the rules.
 */
import { Document, isMap, isSeq } from 'yaml';
import type { GaugeSlo, Slo } from '@canopy/catalog';
import { formatDuration, parseDuration } from '../slo/duration.js';
import { DEFAULT_SCRAPE_INTERVAL } from '../slo/load.js';
import { formatSelector, matchesSelector, type Selector } from '../slo/promql.js';
import { metricOfSeries } from '../slo/metrics.js';
import { sloSelectors } from './expressions.js';
import {
  RULE_FILE,
  buildRules,
  burnAlertName,
  gaugeAlertName,
  targetDownAlertName,
  targetServices,
  type AlertingRule,
  type RulesOptions,
} from './generate.js';
import { goG, humanize, humanizeDuration, humanizePercentage, stableFormat } from './go-format.js';
import { assertClear, errorRatioAt, runGauge, type RatioCounters } from './simulate.js';
import { notation, seriesValues, type Phase, type TestSeries } from './timeline.js';
import {
  budgetOf,
  isBurnSlo,
  ratioWindows,
  tierThreshold,
  tiersOf,
  windowSeconds,
  type BurnSlo,
} from './tiers.js';

/** The external URL the tests give the rules (the hub's default address). */
export const TEST_EXTERNAL_URL = 'http://127.0.0.1:9400';
/** Events per scrape interval in the ratio tests. */
const EVENTS = 10_000;

interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
interface AlertCheck {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
interface TestGroup {
  /** Written as a YAML comment above the group. */
  about: string;
  interval: string;
  external_url: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: AlertCheck[];
  promql_expr_test?: { expr: string; eval_time: string; exp_samples: never[] }[];
}

/** Expands the templates the generator writes, as Prometheus would for these values. */
function expand(
  template: string,
  v: { value: number; budget?: number | undefined; labels: Record<string, string> },
  what: string,
): string {
  let s = template.replace(/\{\{ with query .*?\{\{ end \}\}/, () =>
    v.budget === undefined
      ? 'unknown'
      : stableFormat(humanizePercentage, v.budget, `${what} budget`),
  );
  s = s
    .replace('{{ $value | printf "%.4g" }}', () => stableFormat((x) => goG(x), v.value, what))
    .replace('{{ $value | humanizePercentage }}', () =>
      stableFormat(humanizePercentage, v.value, what),
    )
    .replace('{{ $value | humanizeDuration }}', () => stableFormat(humanizeDuration, v.value, what))
    .replace('{{ $value | humanize }}', () => stableFormat(humanize, v.value, what))
    .replace('{{ $value }}', () => String(v.value))
    .replaceAll('{{ $externalURL }}', TEST_EXTERNAL_URL)
    .replace(/\{\{ \$labels\.([a-zA-Z_]+) \}\}/g, (_, l: string) => v.labels[l] ?? '<no value>');
  if (s.includes('{{')) throw new Error(`${what}: the test generator cannot expand ${template}`);
  return s;
}

function expected(
  rule: AlertingRule,
  labels: Record<string, string>,
  value: number,
  budget: number | undefined,
  what: string,
): ExpAlert {
  const all = { ...labels, ...rule.labels };
  const exp_annotations: Record<string, string> = {};
  for (const [k, t] of Object.entries(rule.annotations))
    exp_annotations[k] = expand(t, { value, budget, labels: all }, `${what} ${k}`);
  return { exp_labels: all, exp_annotations };
}

const at = (k: number, step: number) => formatDuration(k * step);

// ---------------------------------------------------------------- ratio and latency SLOs

/** Labels of a synthetic series that must match `sel`: its `=` matchers plus `extra`, and for
 * other matchers the first catalog value of the label that satisfies them. */
function labelsFor(
  sel: Selector,
  extra: Record<string, string>,
): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...extra };
  for (const m of sel.matchers) if (m.op === '=') labels[m.name] = m.value;
  const values = metricOfSeries(sel.metric)?.labelValues ?? {};
  for (const m of sel.matchers) {
    if (m.op === '=' || matchesSelector(sel.metric, labels, { metric: sel.metric, matchers: [m] }))
      continue;
    const pick = [...(values[m.name] ?? []), 'error', 'other', 'x'].find((c) =>
      matchesSelector(
        sel.metric,
        { ...labels, [m.name]: c },
        { metric: sel.metric, matchers: [m] },
      ),
    );
    if (pick === undefined) return undefined;
    labels[m.name] = pick;
  }
  return matchesSelector(sel.metric, labels, sel) ? labels : undefined;
}

interface RatioSeries {
  readonly good: string;
  /** The bad events' series when total also selects good, else the total series. */
  readonly other: string;
  readonly otherIsBad: boolean;
}

/** Synthetic series for an SLO's good and total selectors, or why there can be none. */
function ratioSeries(slo: BurnSlo): RatioSeries | string {
  const sels = sloSelectors(slo);
  if (sels === undefined) return 'good and total are expressions, not selectors';
  const instance = { instance: `${slo.service}-1` };
  if (slo.kind === 'latency') {
    const le = sels.good.matchers.find((m) => m.name === 'le')!;
    const good = {
      ...instance,
      service: slo.service,
      le: le.op === '=' ? le.value : String(slo.threshold),
    };
    return {
      good: formatSeries(sels.good.metric, good),
      other: formatSeries(sels.total.metric, { ...instance, service: slo.service }),
      otherIsBad: false,
    };
  }
  const good = labelsFor(sels.good, instance);
  if (good === undefined) return `no series can match ${formatSelector(sels.good)}`;
  const goodInTotal =
    sels.good.metric === sels.total.metric && matchesSelector(sels.total.metric, good, sels.total);
  if (!goodInTotal) {
    const total = labelsFor(sels.total, instance);
    if (total === undefined || matchesSelector(sels.good.metric, total, sels.good))
      return `no series matches ${formatSelector(sels.total)} without matching good`;
    return {
      good: formatSeries(sels.good.metric, good),
      other: formatSeries(sels.total.metric, total),
      otherIsBad: false,
    };
  }
  // A bad series: like the good one, with one label of good's changed to a value total still
  // takes (e.g. result="success" → result="bad_hello").
  const values = metricOfSeries(sels.total.metric)?.labelValues ?? {};
  for (const m of sels.good.matchers)
    for (const c of [...(values[m.name] ?? []), 'error', 'other']) {
      const bad = { ...good, [m.name]: c };
      if (
        matchesSelector(sels.total.metric, bad, sels.total) &&
        !matchesSelector(sels.good.metric, bad, sels.good)
      )
        return {
          good: formatSeries(sels.good.metric, good),
          other: formatSeries(sels.total.metric, bad),
          otherIsBad: true,
        };
    }
  return `no series matches ${formatSelector(sels.total)} without matching good`;
}

function formatSeries(metric: string, labels: Record<string, string>): string {
  return formatSelector({
    metric,
    matchers: Object.entries(labels).map(([name, value]) => ({ name, op: '=', value })),
  });
}

/** A stretch of a ratio test: so many scrapes with these good and bad events per scrape. */
interface Stretch {
  readonly steps: number;
  readonly good: number;
  readonly bad: number;
}

type Verdict = 'yes' | 'no' | 'maybe';

class RatioRun {
  readonly counters: RatioCounters;
  readonly steps: number;
  constructor(
    readonly slo: BurnSlo,
    readonly series: RatioSeries,
    readonly stretches: readonly Stretch[],
    readonly step: number,
  ) {
    const good: Phase[] = stretches.map((s) => ({ steps: s.steps, value: s.good }));
    const other: Phase[] = stretches.map((s) => ({
      steps: s.steps,
      value: series.otherIsBad ? s.bad : s.good + s.bad,
    }));
    const g = seriesValues({ series: series.good, counter: true, phases: good });
    const o = seriesValues({ series: series.other, counter: true, phases: other });
    this.counters = series.otherIsBad ? { good: g, bad: o } : { good: g, total: o };
    this.steps = g.length - 1;
  }

  inputs(): { series: string; values: string }[] {
    const mk = (series: string, value: (s: Stretch) => number): TestSeries => ({
      series,
      counter: true,
      phases: this.stretches.map((s) => ({ steps: s.steps, value: value(s) })),
    });
    return [
      mk(this.series.good, (s) => s.good),
      mk(this.series.other, (s) => (this.series.otherIsBad ? s.bad : s.good + s.bad)),
    ].map((s) => ({ series: s.series, values: notation(s) }));
  }

  burn(k: number, windowSeconds: number): number | undefined {
    const r = errorRatioAt(this.counters, k, windowSeconds, this.step);
    return r === undefined ? undefined : r / budgetOf(this.slo.target);
  }

  /** Whether a tier's alert fires at step k ('maybe': too close to call). */
  fires(tierIndex: number, k: number): Verdict {
    const t = tiersOf(this.slo)[tierIndex]!;
    const thr = tierThreshold(t, this.slo.target).burn;
    let verdict: Verdict = 'yes';
    for (const w of [parseDuration(t.long)!, parseDuration(t.short)!]) {
      const b = this.burn(k, w);
      if (b === undefined || Number.isNaN(b)) return 'no';
      try {
        assertClear(b, thr, '');
      } catch {
        verdict = 'maybe';
        continue;
      }
      if (!(b > thr)) return 'no';
    }
    return verdict;
  }

  budgetLeft(k: number): number | undefined {
    const b = this.burn(k, windowSeconds(this.slo));
    return b === undefined ? undefined : 1 - b;
  }

  /** The checks of every tier of a severity at step k, expecting what the rules compute. */
  checks(
    k: number,
    severity: 'page' | 'ticket' | 'all',
    rules: Map<string, AlertingRule>,
  ): AlertCheck[] {
    const out: AlertCheck[] = [];
    tiersOf(this.slo).forEach((t, i) => {
      if (severity !== 'all' && t.severity !== severity) return;
      const name = burnAlertName(this.slo, t);
      const v = this.fires(i, k);
      if (v === 'maybe')
        throw new Error(
          `${this.slo.name}: tier ${t.name} at ${at(k, this.step)} is too close to its threshold to test`,
        );
      out.push({
        eval_time: at(k, this.step),
        alertname: name,
        exp_alerts:
          v === 'yes'
            ? [
                expected(
                  rules.get(name)!,
                  {},
                  this.burn(k, parseDuration(t.long)!)!,
                  this.budgetLeft(k),
                  `${this.slo.name} ${t.name} at ${at(k, this.step)}`,
                ),
              ]
            : [],
      });
    });
    return out;
  }

  /** Whether any tier of a severity fires (or may) at any step. */
  anyFires(severity: 'page' | 'ticket'): boolean {
    const tiers = tiersOf(this.slo);
    for (let k = 0; k <= this.steps; k++)
      for (let i = 0; i < tiers.length; i++)
        if (tiers[i]!.severity === severity && this.fires(i, k) !== 'no') return true;
    return false;
  }
}

const MIN = 60;

function ratioTests(
  slo: BurnSlo,
  index: number,
  rules: Map<string, AlertingRule>,
  step: number,
): { groups: TestGroup[]; notes: string[] } {
  const series = ratioSeries(slo);
  const name = `${slo.name} (slos[${index}])`;
  if (typeof series === 'string') return { groups: [], notes: [`${name}: no tests: ${series}`] };
  const steps = (seconds: number) => seconds / step;
  const group = (about: string, run: RatioRun, checks: AlertCheck[]): TestGroup => ({
    about,
    interval: formatDuration(step),
    external_url: TEST_EXTERNAL_URL,
    input_series: run.inputs(),
    alert_rule_test: checks,
  });
  const groups: TestGroup[] = [];
  const tiers = tiersOf(slo);
  const thresholds = tiers.map((t) => tierThreshold(t, slo.target).ratio);

  // Outage: an hour of clean traffic, then every event fails; by 2 minutes in, it pages.
  const healthy = steps(60 * MIN);
  const outage = new RatioRun(
    slo,
    series,
    [
      { steps: healthy, good: EVENTS, bad: 0 },
      { steps: steps(2 * MIN), good: 0, bad: EVENTS },
    ],
    step,
  );
  const end = outage.steps;
  const pageChecks = outage.checks(end, 'page', rules);
  if (!pageChecks.some((c) => c.exp_alerts.length > 0))
    throw new Error(
      `${name}: no page tier fires within 2 minutes of a full outage (run canopy check rules)`,
    );
  groups.push(
    group(
      `${name}: a full outage (every event failing) pages within 2 minutes`,
      outage,
      pageChecks,
    ),
  );

  // Slow burn: between the highest ticket threshold and the lowest page threshold.
  const page = Math.min(...thresholds.filter((_, i) => tiers[i]!.severity === 'page'));
  const ticketBelow = thresholds.filter((r, i) => tiers[i]!.severity === 'ticket' && r < page);
  const notes: string[] = [];
  if (ticketBelow.length === 0)
    notes.push(`${name}: no slow-burn test: no ticket tier fires below the page tiers`);
  else {
    const ratio = Math.round(((Math.max(...ticketBelow) + page) / 2) * EVENTS) / EVENTS;
    const bad = Math.round(ratio * EVENTS);
    let made = false;
    for (const hours of [1, 2, 3, 4, 6, 12, 24]) {
      const run = new RatioRun(
        slo,
        series,
        [
          { steps: steps(30 * MIN), good: EVENTS, bad: 0 },
          { steps: steps(hours * 60 * MIN), good: EVENTS - bad, bad },
        ],
        step,
      );
      if (run.anyFires('page')) break;
      let checks: AlertCheck[];
      try {
        checks = [...run.checks(run.steps, 'all', rules)];
      } catch {
        continue;
      }
      if (!checks.some((c) => c.exp_alerts.length > 0)) continue;
      const mid = steps(30 * MIN) + Math.floor(steps(hours * 60 * MIN) / 2);
      groups.push(
        group(
          `${name}: a slow burn (${formatPct(ratio)} of events failing for ${hours}h) opens a ticket and never pages`,
          run,
          [...run.checks(mid, 'page', rules), ...checks],
        ),
      );
      made = true;
      break;
    }
    if (!made)
      notes.push(`${name}: no slow-burn test: no burn tickets without paging within a day`);
  }

  // Blip: every event fails for two scrapes after enough clean history; nothing pages.
  const blip = 2;
  let blipMade = false;
  for (const minutes of [5, 10, 15, 20, 30, 60, 120, 180, 360]) {
    const run = new RatioRun(
      slo,
      series,
      [
        { steps: steps(minutes * MIN), good: EVENTS, bad: 0 },
        { steps: blip, good: 0, bad: EVENTS },
        { steps: steps(10 * MIN), good: EVENTS, bad: 0 },
      ],
      step,
    );
    if (run.anyFires('page')) continue;
    const after = steps(minutes * MIN) + blip;
    groups.push(
      group(
        `${name}: a ${formatDuration(blip * step)} blip of failures after ${minutes}m of clean traffic does not page`,
        run,
        [after, after + steps(MIN), after + steps(5 * MIN), run.steps].flatMap((k) =>
          run.checks(k, 'page', rules),
        ),
      ),
    );
    blipMade = true;
    break;
  }
  if (!blipMade)
    notes.push(
      `${name}: no blip test: a ${formatDuration(blip * step)} blip pages even after 6h of clean traffic`,
    );
  return { groups, notes };
}

function formatPct(x: number): string {
  return `${Number((x * 100).toPrecision(4))}%`;
}

// ---------------------------------------------------------------- gauge SLOs

function gaugeTests(
  slo: GaugeSlo,
  index: number,
  rules: Map<string, AlertingRule>,
  step: number,
): { groups: TestGroup[]; notes: string[] } {
  const name = `${slo.name} (slos[${index}])`;
  const ex = slo.example;
  if (ex === undefined) return { groups: [], notes: [`${name}: no tests: the SLO has no example`] };
  const steps = (seconds: number) => Math.ceil(seconds / step);
  const sustained = parseDuration(slo.sustained)!;
  const range = ex.range === undefined ? 0 : parseDuration(ex.range)!;
  // good · short violation · good · sustained violation
  const phases: { steps: number; bad: boolean }[] = [
    { steps: steps(10 * MIN), bad: false },
    { steps: Math.max(1, steps(sustained / 2)), bad: true },
    { steps: steps(Math.max(range, sustained) + 5 * MIN), bad: false },
    { steps: steps(range + sustained + 5 * MIN), bad: true },
  ];
  const badAt: boolean[] = [false];
  for (const p of phases) for (let i = 0; i < p.steps; i++) badAt.push(p.bad);
  const run = runGauge(slo, badAt, step);
  const [g1, short, g2] = phases as [(typeof phases)[0], (typeof phases)[0], (typeof phases)[0]];
  const endG1 = g1.steps;
  const endShort = endG1 + short.steps;
  const endG2 = endShort + g2.steps;
  for (let k = 0; k <= endG2; k++)
    if (run.firing[k]!)
      throw new Error(
        `${name}: the example's short violation fires at ${at(k, step)}; lengthen "sustained" or change the example`,
      );
  const first = run.firing.indexOf(true);
  if (first < 0) throw new Error(`${name}: the example's sustained violation never fires`);
  const rule = rules.get(gaugeAlertName(slo))!;
  const check = (k: number): AlertCheck => ({
    eval_time: at(k, step),
    alertname: rule.alert,
    exp_alerts: run.firing[k]!
      ? [
          expected(
            rule,
            { ...ex.labels },
            run.values[k]!,
            run.budget[k],
            `${slo.name} at ${at(k, step)}`,
          ),
        ]
      : [],
  });
  const input = ex.series.map((s) => {
    const ts: TestSeries = {
      series: s.series,
      counter: s.counter === true,
      phases: phases.map((p) => {
        const v = p.bad ? s.bad : s.good;
        return { steps: p.steps, value: s.counter === true ? v * step : v };
      }),
    };
    return { series: ts.series, values: notation(ts) };
  });
  const groups: TestGroup[] = [
    {
      about:
        `${name}: below the threshold no alert; a ${formatDuration(short.steps * step)} violation ` +
        `(shorter than ${slo.sustained}) no alert; a sustained one fires once it has lasted ${slo.sustained}`,
      interval: formatDuration(step),
      external_url: TEST_EXTERNAL_URL,
      input_series: input,
      alert_rule_test: [endG1, endShort, endG2, first - 1, first, badAt.length - 1].map(check),
    },
  ];
  if (ex.silent !== undefined) {
    const n = steps(20 * MIN);
    groups.push({
      about: `${name}: inputs for which the expression is silent raise nothing`,
      interval: formatDuration(step),
      external_url: TEST_EXTERNAL_URL,
      input_series: ex.silent.map((s) => ({
        series: s.series,
        values: notation({
          series: s.series,
          counter: false,
          phases: [{ steps: n, value: s.value }],
        }),
      })),
      alert_rule_test: [{ eval_time: at(n, step), alertname: rule.alert, exp_alerts: [] }],
      promql_expr_test: [{ expr: slo.expr, eval_time: at(n, step), exp_samples: [] }],
    });
  }
  return { groups, notes: [] };
}

// ---------------------------------------------------------------- target down

function targetDownTests(
  slos: readonly Slo[],
  rules: Map<string, AlertingRule>,
  step: number,
): TestGroup {
  const upSteps = Math.ceil((5 * MIN) / step);
  const services = targetServices(slos);
  const checks: AlertCheck[] = [];
  for (const s of services) {
    const rule = rules.get(targetDownAlertName(s))!;
    const labels = { instance: `${s}-1` };
    checks.push(
      { eval_time: at(upSteps, step), alertname: rule.alert, exp_alerts: [] },
      {
        eval_time: at(upSteps + 1, step),
        alertname: rule.alert,
        exp_alerts: [expected(rule, labels, 0, undefined, `${rule.alert}`)],
      },
    );
  }
  return {
    about: 'target down: the first failed scrape of a service fires its alert at once (for: 0s)',
    interval: formatDuration(step),
    external_url: TEST_EXTERNAL_URL,
    input_series: services.map((s) => {
      const series = `up{service="${s}",instance="${s}-1"}`;
      const phases = [
        { steps: upSteps, value: 1 },
        { steps: 4, value: 0 },
      ];
      return { series, values: notation({ series, counter: false, phases }) };
    }),
    alert_rule_test: checks,
  };
}

// ---------------------------------------------------------------- the file

/** A promtool test file and what could not be tested. */
export interface RuleTests {
  readonly groups: readonly TestGroup[];
  readonly groupOrder: readonly string[];
  readonly step: number;
  /** SLOs (or cases) without tests, and why. */
  readonly notes: readonly string[];
}

/**
 * Builds the promtool tests of the rule file {@link buildRules} makes for the same spec and
 * options. Test inputs are scraped every `scrapeInterval` seconds (default 15).
 */
export function buildRuleTests(slos: readonly Slo[], o: RulesOptions = {}): RuleTests {
  const step = o.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL;
  const file = buildRules(slos, o);
  const rules = new Map<string, AlertingRule>();
  for (const g of file.groups) for (const r of g.rules) if ('alert' in r) rules.set(r.alert, r);
  const groups: TestGroup[] = [];
  const notes: string[] = [];
  const aligned = Number.isInteger(step) && ratioWindows(slos).every((w) => w % step === 0);
  slos.forEach((slo, i) => {
    if (isBurnSlo(slo)) {
      if (!aligned) {
        notes.push(
          `${slo.name} (slos[${i}]): no tests: its windows are not whole scrape intervals of ${step} s`,
        );
        return;
      }
      const r = ratioTests(slo, i, rules, step);
      groups.push(...r.groups);
      notes.push(...r.notes);
    } else {
      const r = gaugeTests(slo, i, rules, step);
      groups.push(...r.groups);
      notes.push(...r.notes);
    }
  });
  groups.push(targetDownTests(slos, rules, step));
  return { groups, groupOrder: file.groups.map((g) => g.name), step, notes };
}

/**
 * Renders the promtool test file for a rule file named {@link RULE_FILE} in the same folder.
 *
 * @example writeFileSync('canopy.rules.test.yml', renderRuleTests(DEFAULT_SLOS))
 */
export function renderRuleTests(slos: readonly Slo[], o: RulesOptions = {}): string {
  const t = buildRuleTests(slos, o);
  const doc = new Document({
    rule_files: [RULE_FILE],
    evaluation_interval: formatDuration(t.step),
    group_eval_order: t.groupOrder,
    tests: t.groups.map(({ about: _about, ...g }) => g),
  });
  doc.commentBefore = [
    ' Generated by `canopy gen rules` with the rule file beside it. Do not edit: change the SLO',
    ' spec and run `npm run gen:rules`. Run with `promtool test rules canopy.rules.test.yml`.',
    ` Every group is evaluated at every ${t.step} s step, in group_eval_order, so these cases`,
    ' check thresholds and windows; the evaluation intervals of the real groups add their own',
    ' delay (see `canopy check rules`).',
    ...(t.notes.length > 0 ? ['', ...t.notes.map((n) => ` ${n}`)] : []),
  ].join('\n');
  const tests = doc.get('tests');
  if (isSeq(tests))
    tests.items.forEach((item, i) => {
      if (isMap(item)) item.commentBefore = ` ${t.groups[i]!.about}`;
    });
  return doc.toString({ lineWidth: 0 });
}
