/**
 * Loads and validates a Prometheus rule file. Every error names where it is:
 * `file:group:rule: message` (a rule is named by its `record`/`alert`, or `rules[i]`).
 *
 * @example
 * const groups = loadRuleFile(readFileSync(p, 'utf8'), p);
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Expr } from '../promql/index.js';
import { parseExpr, typeOf } from '../promql/index.js';
import { parsePromDuration } from '../api/params.js';
import { compileTemplate, TemplateError, type Template } from './template.js';

/** A rule file that can't be used; `message` starts with `file:group:rule:`. */
export class RuleFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleFileError';
  }
}

export interface RecordingRuleSpec {
  readonly kind: 'recording';
  readonly name: string;
  readonly expr: string;
  readonly ast: Expr;
  readonly labels: Readonly<Record<string, string>>;
}

export interface AlertingRuleSpec {
  readonly kind: 'alerting';
  readonly name: string;
  readonly expr: string;
  readonly ast: Expr;
  /** `for`, ms. */
  readonly forMs: number;
  /** `keep_firing_for`, ms: how long a firing alert stays firing after its condition clears. */
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labelTemplates: Readonly<Record<string, Template>>;
  readonly annotationTemplates: Readonly<Record<string, Template>>;
}

export type RuleSpec = RecordingRuleSpec | AlertingRuleSpec;

export interface GroupSpec {
  readonly name: string;
  readonly file: string;
  /** Evaluation interval, ms. */
  readonly intervalMs: number;
  /** Most series/alerts one rule may produce; 0 = no limit. */
  readonly limit: number;
  readonly rules: readonly RuleSpec[];
}

const GROUP_KEYS = new Set(['name', 'interval', 'limit', 'rules']);
const RULE_KEYS = new Set([
  'record',
  'alert',
  'expr',
  'for',
  'keep_firing_for',
  'labels',
  'annotations',
]);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const isMap = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

function stringMap(x: unknown, what: string, fail: (m: string) => never): Record<string, string> {
  if (x === undefined || x === null) return {};
  if (!isMap(x)) fail(`${what} must be a map of names to strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) {
    if (!LABEL_NAME.test(k)) fail(`${what}: invalid name "${k}"`);
    if (k.startsWith('__')) fail(`${what}: names starting with "__" are reserved ("${k}")`);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      fail(`${what}.${k} must be a string`);
    out[k] = String(v);
  }
  return out;
}

function duration(x: unknown, what: string, fail: (m: string) => never): number {
  const s = typeof x === 'number' && x === 0 ? '0s' : x;
  const ms = typeof s === 'string' ? parsePromDuration(s) : undefined;
  if (ms === undefined)
    fail(`${what}: "${String(x)}" is not a duration: write e.g. "30s", "5m" or "1h30m"`);
  return ms;
}

function templates(
  m: Record<string, string>,
  what: string,
  fail: (m: string) => never,
): Record<string, Template> {
  const out: Record<string, Template> = {};
  for (const [k, v] of Object.entries(m)) {
    try {
      out[k] = compileTemplate(v);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      fail(`${what}.${k}: bad template: ${e.message}`);
    }
  }
  return out;
}

/**
 * Parses and validates rule-file text. `defaultIntervalMs` is the interval of groups that
 * set none (Prometheus's global `evaluation_interval`, 1 m by default).
 * Throws {@link RuleFileError}.
 */
export function loadRuleFile(text: string, file: string, defaultIntervalMs = 60_000): GroupSpec[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      const where = pos !== undefined ? `${file}:${pos.line}:${pos.col}` : file;
      throw new RuleFileError(`${where}: bad YAML: ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
  const top: (m: string) => never = (m) => {
    throw new RuleFileError(`${file}: ${m}`);
  };
  if (doc === null || doc === undefined) return [];
  if (!isMap(doc)) top('the file must be a map with a "groups" list');
  for (const k of Object.keys(doc))
    if (k !== 'groups') top(`unknown key "${k}" (expected "groups")`);
  const groupsRaw = doc.groups ?? [];
  if (!Array.isArray(groupsRaw)) top('"groups" must be a list');
  const names = new Set<string>();
  const groups: GroupSpec[] = [];
  for (const [gi, g] of groupsRaw.entries()) {
    const gname = isMap(g) && typeof g.name === 'string' ? g.name : `groups[${gi}]`;
    const gfail: (m: string) => never = (m) => {
      throw new RuleFileError(`${file}:${gname}: ${m}`);
    };
    if (!isMap(g)) gfail('a group must be a map');
    for (const k of Object.keys(g))
      if (!GROUP_KEYS.has(k))
        gfail(`unknown key "${k}" (expected one of ${[...GROUP_KEYS].join(', ')})`);
    if (typeof g.name !== 'string' || g.name === '') gfail('"name" is required');
    if (names.has(gname)) gfail('duplicate group name');
    names.add(gname);
    const intervalMs =
      g.interval === undefined ? defaultIntervalMs : duration(g.interval, 'interval', gfail);
    if (intervalMs <= 0) gfail('interval must be more than 0');
    const limit = g.limit ?? 0;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
      gfail('limit must be a whole number ≥ 0');
    if (!Array.isArray(g.rules)) gfail('"rules" must be a list');
    const rules: RuleSpec[] = [];
    for (const [ri, r] of (g.rules as unknown[]).entries()) {
      const rname =
        isMap(r) && typeof (r.record ?? r.alert) === 'string'
          ? String(r.record ?? r.alert)
          : `rules[${ri}]`;
      const fail: (m: string) => never = (m) => {
        throw new RuleFileError(`${file}:${gname}:${rname}: ${m}`);
      };
      if (!isMap(r)) fail('a rule must be a map');
      for (const k of Object.keys(r))
        if (!RULE_KEYS.has(k))
          fail(`unknown key "${k}" (expected one of ${[...RULE_KEYS].join(', ')})`);
      if ((r.record === undefined) === (r.alert === undefined))
        fail('a rule needs exactly one of "record" and "alert"');
      if (typeof r.expr !== 'string' && typeof r.expr !== 'number') fail('"expr" is required');
      const expr = String(r.expr);
      let ast: Expr;
      try {
        ast = parseExpr(expr);
      } catch (e) {
        return fail(`expr: ${(e as Error).message}`);
      }
      const type = typeOf(ast);
      if (type !== 'vector' && type !== 'scalar')
        fail(`expr must return an instant vector or a scalar, not a ${type}`);
      const labels = stringMap(r.labels, 'labels', fail);
      if (r.record !== undefined) {
        if (typeof r.record !== 'string' || !METRIC_NAME.test(r.record))
          fail(`"record" must be a valid metric name, got "${String(r.record)}"`);
        if (r.for !== undefined) fail('"for" is only for alerting rules');
        if (r.keep_firing_for !== undefined) fail('"keep_firing_for" is only for alerting rules');
        if (r.annotations !== undefined) fail('"annotations" are only for alerting rules');
        rules.push({ kind: 'recording', name: r.record, expr, ast, labels });
      } else {
        if (typeof r.alert !== 'string' || r.alert === '')
          fail('"alert" must be a non-empty string');
        const forMs = r.for === undefined ? 0 : duration(r.for, 'for', fail);
        const keepFiringForMs =
          r.keep_firing_for === undefined
            ? 0
            : duration(r.keep_firing_for, 'keep_firing_for', fail);
        const annotations = stringMap(r.annotations, 'annotations', fail);
        rules.push({
          kind: 'alerting',
          name: r.alert,
          expr,
          ast,
          forMs,
          keepFiringForMs,
          labels,
          annotations,
          labelTemplates: templates(labels, 'labels', fail),
          annotationTemplates: templates(annotations, 'annotations', fail),
        });
      }
    }
    groups.push({ name: gname, file, intervalMs, limit, rules });
  }
  return groups;
}
