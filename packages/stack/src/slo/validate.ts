/**
 * Validation of the SLO spec (`slos:` in canopy.yaml). Every problem is reported at once,
 * each naming its path (`slos[2].threshold`), what was expected and what to do.
 */
import {
  DEFAULT_BURN_RATE_TIERS,
  DEFAULT_SLO_WINDOW,
  SLO_KINDS,
  type BurnRateTier,
  type Slo,
} from '@canopy/catalog';
import { parseDuration, formatDuration } from './duration.js';
import { metricNames, parseSelector, type Selector } from './promql.js';
import { knownMetric, metricOfSeries, suggestSeries } from './metrics.js';
import { closest } from './suggest.js';

/** An SLO spec that cannot be used; `problems` has one line per mistake. */
export class SloSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid SLO spec:\n  ${problems.join('\n  ')}`);
    this.name = 'SloSpecError';
  }
}

const COMMON_KEYS = ['name', 'service', 'description', 'kind', 'target', 'window'] as const;

/** The keys each kind of SLO takes (exported for the JSON Schema test). */
export const SLO_KEYS: Readonly<Record<Slo['kind'], readonly string[]>> = {
  ratio: [...COMMON_KEYS, 'good', 'total', 'tiers'],
  latency: [...COMMON_KEYS, 'metric', 'threshold', 'tiers'],
  gauge: [
    ...COMMON_KEYS,
    'expr',
    'comparator',
    'threshold',
    'sustained',
    'severity',
    'unit',
    'example',
  ],
};

/** The keys of a burn-rate tier. */
export const TIER_KEYS = ['name', 'severity', 'long', 'short', 'burnRate', 'errorRatio'] as const;

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const SERVICE = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
const TIER_NAME = /^[a-z0-9]+$/;

type Obj = Record<string, unknown>;

class Problems {
  readonly lines: string[] = [];
  add(path: string, message: string): void {
    this.lines.push(`${path}: ${message}`);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(p: Problems, path: string, o: Obj, known: readonly string[], what: string) {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const hint = closest(k, known);
    p.add(
      path,
      `unknown key "${k}" for ${what}${hint !== undefined ? `; did you mean "${hint}"?` : ''} (known: ${known.join(', ')})`,
    );
  }
}

function str(p: Problems, path: string, v: unknown, expected: string): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  p.add(
    path,
    v === undefined ? `missing; expected ${expected}` : `expected ${expected}, got ${describe(v)}`,
  );
  return undefined;
}

function duration(p: Problems, path: string, v: unknown, example: string): number | undefined {
  if (typeof v !== 'string') {
    p.add(
      path,
      v === undefined
        ? `missing; expected a duration such as "${example}"`
        : `expected a duration such as "${example}", got ${describe(v)}${typeof v === 'number' ? ' (durations need a unit: s, m, h, d)' : ''}`,
    );
    return undefined;
  }
  const s = parseDuration(v);
  if (s === undefined)
    p.add(path, `"${v}" is not a duration: write e.g. "${example}" (units: s, m, h, d, w)`);
  return s;
}

function unitFraction(p: Problems, path: string, v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    p.add(
      path,
      v === undefined
        ? 'missing; expected the objective as a fraction in (0, 1), e.g. 0.99 for 99%'
        : `expected the objective as a fraction in (0, 1), e.g. 0.99 for 99%, got ${describe(v)}`,
    );
    return undefined;
  }
  if (v <= 0 || v >= 1) {
    const hint = v > 1 && v < 100 ? `; did you mean ${v / 100}?` : '';
    p.add(
      path,
      `${v} is outside (0, 1): write the objective as a fraction, e.g. 0.99 for 99%${hint}`,
    );
    return undefined;
  }
  return v;
}

function unknownMetric(name: string): string {
  const hint = suggestSeries(name);
  return `unknown metric "${name}": it is not in the catalog (relay, replay, storage, actors, process, host)${hint !== undefined ? `; did you mean ${hint}?` : ''}`;
}

/** Checks a selector's metric and its enum label values against the catalog. */
function checkSelector(p: Problems, path: string, sel: Selector, wantCounter: boolean): void {
  const m = metricOfSeries(sel.metric);
  if (m === undefined) {
    p.add(path, unknownMetric(sel.metric));
    return;
  }
  const isCounterSeries =
    m.type === 'counter' ||
    (m.type === 'histogram' && (sel.metric.endsWith('_bucket') || sel.metric.endsWith('_count')));
  if (wantCounter && !isCounterSeries)
    p.add(
      path,
      `${sel.metric} is a ${m.type === 'histogram' ? 'histogram sum' : m.type}, not a counter: a ratio SLO counts events, so good and total are counters (or a histogram's _bucket/_count)`,
    );
  for (const matcher of sel.matchers) {
    const values = m.labelValues[matcher.name];
    if (values === undefined || (matcher.op !== '=' && matcher.op !== '!=')) continue;
    if (!values.includes(matcher.value))
      p.add(
        path,
        `${matcher.name}="${matcher.value}" never matches: ${sel.metric}'s ${matcher.name} is one of ${values.join(', ')}`,
      );
  }
}

function checkExprMetrics(p: Problems, path: string, expr: string): void {
  for (const name of metricNames(expr))
    if (!name.includes(':') && metricOfSeries(name) === undefined) p.add(path, unknownMetric(name));
}

function checkCounterSide(p: Problems, path: string, v: unknown): void {
  const s = str(p, path, v, 'a counter selector such as relay_ws_upgrades_total{result="success"}');
  if (s === undefined) return;
  const sel = parseSelector(s);
  if (sel !== undefined) return checkSelector(p, path, sel, true);
  if (!s.includes('$window')) {
    p.add(
      path,
      `"${s}" is neither a selector nor an expression with $window: write a counter selector such as relay_ws_upgrades_total{result="success"}, or an expression with [$window] as its range`,
    );
    return;
  }
  checkExprMetrics(p, path, s.replaceAll('$window', '5m'));
}

function checkTiers(p: Problems, path: string, v: unknown): readonly BurnRateTier[] {
  if (!Array.isArray(v) || v.length === 0) {
    p.add(path, `expected a non-empty list of burn-rate tiers, got ${describe(v)}`);
    return DEFAULT_BURN_RATE_TIERS;
  }
  const seen = new Map<string, number>();
  v.forEach((t: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isObj(t)) {
      p.add(
        at,
        `expected a tier (name, severity, long, short, burnRate or errorRatio), got ${describe(t)}`,
      );
      return;
    }
    checkKeys(p, at, t, TIER_KEYS, 'a burn-rate tier');
    const name = str(p, `${at}.name`, t['name'], 'a short name such as "1h" or "fast"');
    if (name !== undefined) {
      if (!TIER_NAME.test(name))
        p.add(
          `${at}.name`,
          `"${name}" must be lower-case letters and digits (it is part of alert names)`,
        );
      const first = seen.get(name);
      if (first !== undefined)
        p.add(`${at}.name`, `"${name}" is already the name of ${path}[${first}]`);
      else seen.set(name, i);
    }
    if (t['severity'] !== 'page' && t['severity'] !== 'ticket')
      p.add(`${at}.severity`, `expected page or ticket, got ${describe(t['severity'])}`);
    const long = duration(p, `${at}.long`, t['long'], '1h');
    const short = duration(p, `${at}.short`, t['short'], '5m');
    if (long !== undefined && short !== undefined && short >= long)
      p.add(
        `${at}.short`,
        `${formatDuration(short)} is not shorter than the long window ${formatDuration(long)} (the workbook uses 1/12 of it)`,
      );
    const burn = t['burnRate'];
    const ratio = t['errorRatio'];
    if ((burn === undefined) === (ratio === undefined))
      p.add(
        at,
        'give exactly one of burnRate (a multiple of the budget rate) or errorRatio (a fraction of events)',
      );
    else if (
      burn !== undefined &&
      (typeof burn !== 'number' || !(burn > 0) || !Number.isFinite(burn))
    )
      p.add(`${at}.burnRate`, `expected a number above 0, e.g. 14.4, got ${describe(burn)}`);
    else if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio > 0 && ratio <= 1)))
      p.add(`${at}.errorRatio`, `expected a fraction in (0, 1], e.g. 0.15, got ${describe(ratio)}`);
  });
  return v as BurnRateTier[];
}

function checkExample(p: Problems, path: string, v: unknown): void {
  if (!isObj(v)) {
    p.add(path, `expected a mapping with series, value and labels, got ${describe(v)}`);
    return;
  }
  checkKeys(p, path, v, ['series', 'value', 'labels', 'range', 'silent'], 'an example');
  const series = v['series'];
  if (!Array.isArray(series) || series.length === 0)
    p.add(`${path}.series`, `expected a list of {series, good, bad}, got ${describe(series)}`);
  else
    series.forEach((s: unknown, i) => {
      const at = `${path}.series[${i}]`;
      if (!isObj(s)) return p.add(at, `expected {series, good, bad}, got ${describe(s)}`);
      checkKeys(p, at, s, ['series', 'good', 'bad', 'counter'], 'an example series');
      if (typeof s['series'] !== 'string' || parseSelector(s['series']) === undefined)
        p.add(
          `${at}.series`,
          `expected a series such as up{service="relay"}, got ${describe(s['series'])}`,
        );
      for (const k of ['good', 'bad'])
        if (typeof s[k] !== 'number' || !Number.isFinite(s[k]))
          p.add(`${at}.${k}`, `expected a number, got ${describe(s[k])}`);
      if (s['counter'] !== undefined && typeof s['counter'] !== 'boolean')
        p.add(`${at}.counter`, `expected true or false, got ${describe(s['counter'])}`);
    });
  const value = v['value'];
  if (!isObj(value) || typeof value['good'] !== 'number' || typeof value['bad'] !== 'number')
    p.add(`${path}.value`, `expected {good: number, bad: number}, got ${describe(value)}`);
  const labels = v['labels'];
  if (!isObj(labels) || Object.values(labels).some((l) => typeof l !== 'string'))
    p.add(
      `${path}.labels`,
      `expected a mapping of label names to strings, got ${describe(labels)}`,
    );
  if (v['range'] !== undefined) duration(p, `${path}.range`, v['range'], '5m');
  if (v['silent'] !== undefined && !Array.isArray(v['silent']))
    p.add(`${path}.silent`, `expected a list of {series, value}, got ${describe(v['silent'])}`);
}

function checkSlo(p: Problems, at: string, o: Obj): void {
  const kind = o['kind'];
  if (typeof kind !== 'string' || !(SLO_KINDS as readonly string[]).includes(kind)) {
    p.add(
      `${at}.kind`,
      `expected one of ${SLO_KINDS.join(', ')}, got ${describe(kind)} (ratio: good/total counters; latency: a histogram under a threshold; gauge: an expression over a threshold)`,
    );
    return;
  }
  const k = kind as Slo['kind'];
  checkKeys(p, at, o, SLO_KEYS[k], `a ${k} SLO`);
  const name = str(
    p,
    `${at}.name`,
    o['name'],
    'a kebab-case name such as "relay-ws-connect-errors"',
  );
  if (name !== undefined && !NAME.test(name))
    p.add(
      `${at}.name`,
      `"${name}" is not kebab-case: use lower-case letters, digits and "-", e.g. "relay-ws-connect-errors" (it becomes the slo label)`,
    );
  const service = str(p, `${at}.service`, o['service'], 'the service label, e.g. "relay"');
  if (service !== undefined && !SERVICE.test(service))
    p.add(
      `${at}.service`,
      `"${service}" is not a valid label value for service (letters, digits, _ and -)`,
    );
  str(
    p,
    `${at}.description`,
    o['description'],
    'the objective in words, e.g. "write p99 < 100 ms"',
  );
  unitFraction(p, `${at}.target`, o['target']);
  const window =
    o['window'] === undefined
      ? parseDuration(DEFAULT_SLO_WINDOW)
      : duration(p, `${at}.window`, o['window'], DEFAULT_SLO_WINDOW);

  if (k === 'gauge') {
    const expr = str(p, `${at}.expr`, o['expr'], 'a PromQL expression');
    if (expr !== undefined) checkExprMetrics(p, `${at}.expr`, expr);
    const c = o['comparator'];
    if (c !== '<' && c !== '<=' && c !== '>' && c !== '>=')
      p.add(
        `${at}.comparator`,
        `expected one of <, <=, >, >= (the side of the threshold that is good), got ${describe(c)}`,
      );
    if (typeof o['threshold'] !== 'number' || !Number.isFinite(o['threshold']))
      p.add(`${at}.threshold`, `expected a number, got ${describe(o['threshold'])}`);
    duration(p, `${at}.sustained`, o['sustained'], '5m');
    if (o['severity'] !== 'page' && o['severity'] !== 'ticket')
      p.add(`${at}.severity`, `expected page or ticket, got ${describe(o['severity'])}`);
    const unit = o['unit'];
    if (unit !== undefined && unit !== 'seconds' && unit !== 'ratio' && unit !== 'number')
      p.add(`${at}.unit`, `expected seconds, ratio or number, got ${describe(unit)}`);
    if (o['example'] !== undefined) checkExample(p, `${at}.example`, o['example']);
    return;
  }

  if (k === 'ratio') {
    checkCounterSide(p, `${at}.good`, o['good']);
    checkCounterSide(p, `${at}.total`, o['total']);
  } else {
    const metric = str(
      p,
      `${at}.metric`,
      o['metric'],
      'a histogram name such as relay_dial_duration_seconds',
    );
    const threshold = o['threshold'];
    if (typeof threshold !== 'number' || !Number.isFinite(threshold))
      p.add(
        `${at}.threshold`,
        `expected a number (a bucket bound of the histogram), got ${describe(threshold)}`,
      );
    if (metric !== undefined) {
      const base = metric.replace(/_(bucket|count|sum)$/, '');
      const m = knownMetric(metric) ?? (base !== metric ? knownMetric(base) : undefined);
      if (m === undefined) p.add(`${at}.metric`, unknownMetric(metric));
      else if (m.type !== 'histogram')
        p.add(
          `${at}.metric`,
          `${metric} is a ${m.type}, not a histogram: a latency SLO needs a histogram's buckets`,
        );
      else if (m.name !== metric)
        p.add(
          `${at}.metric`,
          `give the histogram's name ${m.name}, without ${metric.slice(m.name.length)}`,
        );
      else if (typeof threshold === 'number' && !m.buckets!.includes(threshold))
        p.add(
          `${at}.threshold`,
          `${threshold} is not a bucket bound of ${m.name} (bounds: ${m.buckets!.join(', ')}): the share of requests under it can only be guessed between bounds; pick a bound or add one to the catalog's buckets`,
        );
    }
  }
  const tiers =
    o['tiers'] === undefined ? DEFAULT_BURN_RATE_TIERS : checkTiers(p, `${at}.tiers`, o['tiers']);
  if (window !== undefined)
    for (const t of tiers) {
      const long = typeof t.long === 'string' ? parseDuration(t.long) : undefined;
      if (long !== undefined && long > window)
        p.add(
          `${at}.window`,
          `${formatDuration(window)} is shorter than the long window ${formatDuration(long)} of tier ${t.name}: the window must hold every tier's history`,
        );
    }
}

/**
 * Validates an SLO spec read from YAML (the value of `slos:`) and returns it typed. Throws
 * an {@link SloSpecError} listing every problem, each line `<where>[i].<key>: <what is wrong>`.
 *
 * @param where - the path of the list in messages (default `slos`; a caller may prefix the
 *   file, e.g. `canopy.yaml: slos`).
 * @example parseSlos([{ name: 'x', service: 'storage', description: 'p99 < 100 ms', kind: 'latency', metric: 'storage_write_duration_seconds', threshold: 0.15, target: 0.99 }])
 *   // throws: slos[0].threshold: 0.15 is not a bucket bound of storage_write_duration_seconds (bounds: 0.0005, …)
 */
export function parseSlos(raw: unknown, where = 'slos'): readonly Slo[] {
  const p = new Problems();
  if (!Array.isArray(raw)) {
    p.add(where, `expected a list of SLOs, got ${describe(raw)}`);
    throw new SloSpecError(p.lines);
  }
  const names = new Map<string, number>();
  raw.forEach((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(item)) {
      p.add(
        at,
        `expected an SLO (a mapping with name, service, description, kind, target, …), got ${describe(item)}`,
      );
      return;
    }
    checkSlo(p, at, item);
    const name = item['name'];
    if (typeof name === 'string') {
      const first = names.get(name);
      if (first !== undefined)
        p.add(
          `${at}.name`,
          `"${name}" is already the name of ${where}[${first}]; names must be unique (they are the slo label)`,
        );
      else names.set(name, i);
    }
  });
  if (p.lines.length > 0) throw new SloSpecError(p.lines);
  return raw as Slo[];
}
