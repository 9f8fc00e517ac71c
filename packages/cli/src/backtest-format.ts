/**
 * How `canopy rules backtest` prints its result: a table sorted by time with a summary
 * line, or JSON for scripts.
 */
import type { BacktestAlert, BacktestResult, Labels } from '@canopy/hub';
import { formatDuration } from '@canopy/stack';

/** Labels shown first, in this order; the rest follow by name. */
const LEADING = ['service', 'slo', 'severity', 'tier'];

/**
 * A time as RFC 3339 in UTC, milliseconds only when there are some.
 *
 * @example rfc3339(Date.UTC(2025, 0, 1, 12)) // '2025-01-01T12:00:00Z'
 */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * The labels of an alert without `alertname`, leading ones first, as `k=v,k=v`.
 *
 * @example formatLabels({ alertname: 'RelayDown', instance: 'a:1', service: 'relay' }) // 'service=relay,instance=a:1'
 */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).filter((k) => k !== 'alertname');
  names.sort((a, b) => {
    const ia = LEADING.indexOf(a);
    const ib = LEADING.indexOf(b);
    if (ia !== ib) return (ia < 0 ? LEADING.length : ia) - (ib < 0 ? LEADING.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return names.map((k) => `${k}=${labels[k]}`).join(',');
}

/** Counts for the summary line. */
export interface BacktestSummary {
  /** Alerts that fired. */
  readonly fired: number;
  /** Of those, with `severity="page"`. */
  readonly pages: number;
  /** Alerts that went pending and cleared (or the range ended) before firing. */
  readonly pendingOnly: number;
  /** Group evaluations run. */
  readonly evaluations: number;
}

/** Counts fired alerts, pages and pending-only alerts. */
export function summarize(r: BacktestResult): BacktestSummary {
  let fired = 0;
  let pages = 0;
  for (const a of r.alerts)
    if (a.firedAt !== undefined) {
      fired++;
      if (a.labels['severity'] === 'page') pages++;
    }
  let evaluations = 0;
  for (const g of r.groups) evaluations += g.evaluations;
  return { fired, pages, pendingOnly: r.alerts.length - fired, evaluations };
}

/** How long it fired: to its resolution, or to the end of the range (marked `+`). */
function firingFor(a: BacktestAlert, to: number): string {
  if (a.firedAt === undefined) return '-';
  if (a.resolvedAt === undefined) return `${formatDuration((to - a.firedAt) / 1000)}+`;
  return formatDuration((a.resolvedAt - a.firedAt) / 1000);
}

const plural = (n: number, one: string, many: string): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * The result as a table (alertname, labels, pending-at, fired-at, resolved-at, how long it
 * fired), then the summary line.
 *
 * @example io.out(formatBacktestTable(backtest({ history, groups, from, to })))
 */
export function formatBacktestTable(r: BacktestResult): string {
  const head = ['ALERTNAME', 'LABELS', 'PENDING-AT', 'FIRED-AT', 'RESOLVED-AT', 'DURATION'];
  const rows: string[][] = r.alerts.map((a) => [
    a.alertname,
    formatLabels(a.labels),
    rfc3339(a.pendingAt) + (a.activeAtStart ? '*' : ''),
    a.firedAt === undefined ? 'never' : rfc3339(a.firedAt),
    a.resolvedAt !== undefined
      ? rfc3339(a.resolvedAt)
      : a.firedAt === undefined
        ? 'still pending'
        : 'still firing',
    firingFor(a, r.to),
  ]);
  let out = '';
  if (rows.length > 0) {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    for (const row of [head, ...rows])
      out += row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n';
    if (r.alerts.some((a) => a.activeAtStart))
      out += '* already active at the first evaluation: it may have begun before --from\n';
    out += '\n';
  }
  const s = summarize(r);
  const span = `from ${rfc3339(r.from)} to ${rfc3339(r.to)}`;
  const groups = `${plural(r.groups.length, 'group', 'groups')}, ${plural(s.evaluations, 'evaluation', 'evaluations')}`;
  if (r.alerts.length === 0) return `No alert went pending ${span} (${groups}).\n`;
  const pending = s.pendingOnly > 0 ? `; ${s.pendingOnly} more went pending without firing` : '';
  return (
    out +
    `${plural(s.fired, 'alert', 'alerts')} fired (${plural(s.pages, 'page', 'pages')})${pending}, ${span} (${groups}).\n`
  );
}

/** Where the replay's inputs came from, for the JSON output. */
export interface BacktestSource {
  /** The data folder read. */
  readonly data: string;
  /** The rule files, or a description of the generated rules. */
  readonly rules: string;
  /** `--step`, ms, if given. */
  readonly stepMs: number | undefined;
}

const time = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

/**
 * The result as JSON-ready data: times in RFC 3339, durations in seconds, `null` for what
 * did not happen.
 *
 * @example JSON.stringify(backtestJson(result, { data: '.canopy', rules: 'canopy.rules.yml', stepMs: undefined }))
 */
export function backtestJson(r: BacktestResult, src: BacktestSource): unknown {
  const s = summarize(r);
  return {
    from: time(r.from),
    to: time(r.to),
    data: src.data,
    rules: src.rules,
    stepSeconds: src.stepMs === undefined ? null : src.stepMs / 1000,
    summary: s,
    alerts: r.alerts.map((a) => ({
      alertname: a.alertname,
      labels: a.labels,
      group: a.group,
      pendingAt: time(a.pendingAt),
      firedAt: time(a.firedAt),
      resolvedAt: time(a.resolvedAt),
      firingSeconds: a.firedAt === undefined ? null : ((a.resolvedAt ?? r.to) - a.firedAt) / 1000,
      activeAtStart: a.activeAtStart,
      activeAtEnd: a.resolvedAt === undefined,
    })),
    ruleErrors: r.errors.map((e) => ({
      group: e.group,
      rule: e.rule,
      count: e.count,
      firstAt: time(e.firstAt),
      error: e.error,
    })),
    groups: r.groups.map((g) => ({
      name: g.name,
      file: g.file,
      intervalSeconds: g.intervalMs / 1000,
      evaluations: g.evaluations,
    })),
  };
}
