/**
 * Comparison of query outcomes (Prometheus's HTTP API answer vs the engine's return value):
 * same resultType, identical label sets, timestamps equal to the millisecond, values equal
 * within 1e-9 relative (NaN equals NaN, ±Inf exactly); errors compare by type only.
 */
import type { Labels } from '../model.js';
import { labelsKey } from '../model.js';

/** [unix seconds, value as string], as in the Prometheus HTTP API. */
export type ScalarValue = [number, string];

/** The `data` of a Prometheus query response (the engine returns the same shape). */
export type QueryData =
  | { resultType: 'vector'; result: { metric: Labels; value: ScalarValue }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: ScalarValue[] }[] }
  | { resultType: 'scalar'; result: ScalarValue }
  | { resultType: 'string'; result: ScalarValue };

/** What one side answered: data, or an error with its Prometheus error type. */
export type Outcome =
  { ok: true; data: QueryData } | { ok: false; errorType: string; message: string };

/** Relative tolerance for values. */
export const REL_TOL = 1e-9;

/** Parses a value string of the Prometheus API ("NaN", "+Inf", "-Inf", decimals). */
export function parseValue(s: string): number {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    default:
      return s.trim() === '' ? NaN : Number(s);
  }
}

/** Equality of two sample values: NaN = NaN, infinities exact, finite within {@link REL_TOL}. */
export function valuesEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
}

/** A value string cut to a readable length (Go writes 1e300 with 301 digits). */
function short(v: string): string {
  return v.length > 40 ? `${v.slice(0, 24)}…(${v.length} chars)` : v;
}

function ms(t: number): number {
  return Math.round(t * 1000);
}

/** `{a="b", …}` in PromQL notation, for messages. */
export function fmtLabels(l: Labels): string {
  const name = l['__name__'] ?? '';
  const rest = Object.keys(l)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(l[k])}`)
    .join(', ');
  return `${name}{${rest}}`;
}

function fmtPoint(p: ScalarValue): string {
  return `${p[1]} @${p[0]}`;
}

/** A one-line-per-series rendering of an outcome, cut at `maxChars`. */
export function formatOutcome(o: Outcome, maxChars = 1500): string {
  let s: string;
  if (!o.ok) s = `error ${o.errorType}: ${o.message}`;
  else {
    const d = o.data;
    switch (d.resultType) {
      case 'scalar':
      case 'string':
        s = `${d.resultType} ${fmtPoint(d.result)}`;
        break;
      case 'vector':
        s =
          `vector (${d.result.length})` +
          d.result.map((e) => `\n  ${fmtLabels(e.metric)} ${fmtPoint(e.value)}`).join('');
        break;
      case 'matrix':
        s =
          `matrix (${d.result.length})` +
          d.result
            .map(
              (e) =>
                `\n  ${fmtLabels(e.metric)} [${e.values.length}] ` +
                e.values
                  .slice(0, 6)
                  .map((p) => fmtPoint(p))
                  .join(', ') +
                (e.values.length > 6 ? ', …' : ''),
            )
            .join('');
        break;
    }
  }
  return s.length > maxChars
    ? s.slice(0, maxChars) + `\n  … (${s.length - maxChars} more chars)`
    : s;
}

/** Result of a comparison: the differences (empty = equal) and value-formatting notes. */
export interface Comparison {
  readonly diffs: string[];
  /** Values numerically identical but written differently (e.g. "1e+21" vs "1000000000000000000000"). */
  readonly formatNotes: string[];
}

export interface CompareOptions {
  /**
   * The vector's order is part of the result (sort, sort_desc, topk/bottomk without
   * grouping): values must appear in the same order. Ties may be in any order, so label
   * sets are still compared as a set.
   */
  readonly ordered?: boolean;
}

const MAX_DIFFS = 6;

class Collector {
  readonly diffs: string[] = [];
  readonly formatNotes: string[] = [];
  add(d: string): void {
    if (this.diffs.length < MAX_DIFFS) this.diffs.push(d);
    else if (this.diffs.length === MAX_DIFFS) this.diffs.push('…');
  }
  value(where: string, exp: ScalarValue, act: ScalarValue): void {
    if (ms(exp[0]) !== ms(act[0])) {
      this.add(`${where}: timestamp prometheus=${exp[0]} engine=${act[0]}`);
      return;
    }
    const a = parseValue(exp[1]);
    const b = parseValue(act[1]);
    if (!valuesEqual(a, b)) this.add(`${where} @${exp[0]}: prometheus=${exp[1]} engine=${act[1]}`);
    else if (exp[1] !== act[1] && (a === b || Number.isNaN(a)) && this.formatNotes.length < 3) {
      this.formatNotes.push(
        `${where}: prometheus writes ${short(exp[1])}, engine ${short(act[1])}`,
      );
    }
  }
}

function byLabels<T extends { metric: Labels }>(xs: readonly T[]): { key: string; x: T }[] {
  return xs
    .map((x) => ({ key: labelsKey(x.metric), x }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Pairs two label-sorted lists; reports series present on one side only. */
function pair<T extends { metric: Labels }>(
  c: Collector,
  exp: readonly T[],
  act: readonly T[],
  each: (e: T, a: T) => void,
): void {
  const es = byLabels(exp);
  const as = byLabels(act);
  let i = 0;
  let j = 0;
  while (i < es.length || j < as.length) {
    const e = es[i];
    const a = as[j];
    if (e !== undefined && a !== undefined && e.key === a.key) {
      each(e.x, a.x);
      i++;
      j++;
    } else if (a === undefined || (e !== undefined && e.key < a.key)) {
      c.add(`only in prometheus: ${fmtLabels(e!.x.metric)}`);
      i++;
    } else {
      c.add(`only in engine: ${fmtLabels(a.x.metric)}`);
      j++;
    }
  }
  for (const [name, xs] of [
    ['prometheus', es],
    ['engine', as],
  ] as const) {
    for (let k = 1; k < xs.length; k++) {
      if (xs[k]!.key === xs[k - 1]!.key)
        c.add(`duplicate series from ${name}: ${fmtLabels(xs[k]!.x.metric)}`);
    }
  }
}

/** Compares Prometheus's outcome (`exp`) with the engine's (`act`). */
export function compareOutcomes(exp: Outcome, act: Outcome, o: CompareOptions = {}): Comparison {
  const c = new Collector();
  if (!exp.ok || !act.ok) {
    if (exp.ok) c.add(`engine failed (${act.ok ? '' : act.errorType}), prometheus did not`);
    else if (act.ok) c.add(`prometheus failed (${exp.errorType}), engine did not`);
    else if (exp.errorType !== act.errorType) {
      c.add(`error type: prometheus=${exp.errorType} engine=${act.errorType}`);
    }
    return c;
  }
  const e = exp.data;
  const a = act.data;
  if (e.resultType !== a.resultType) {
    c.add(`resultType: prometheus=${e.resultType} engine=${a.resultType}`);
    return c;
  }
  switch (e.resultType) {
    case 'scalar':
      c.value('scalar', e.result, (a as typeof e).result);
      break;
    case 'string': {
      const ar = (a as typeof e).result;
      if (ms(e.result[0]) !== ms(ar[0]) || e.result[1] !== ar[1]) {
        c.add(`string: prometheus=${fmtPoint(e.result)} engine=${fmtPoint(ar)}`);
      }
      break;
    }
    case 'vector': {
      const ar = (a as typeof e).result;
      if (o.ordered === true) {
        const n = Math.max(e.result.length, ar.length);
        for (let k = 0; k < n; k++) {
          const ev = e.result[k];
          const av = ar[k];
          if (ev === undefined || av === undefined) break;
          if (!valuesEqual(parseValue(ev.value[1]), parseValue(av.value[1]))) {
            c.add(
              `order: position ${k} prometheus=${fmtLabels(ev.metric)} ${ev.value[1]}, ` +
                `engine=${fmtLabels(av.metric)} ${av.value[1]}`,
            );
            break;
          }
        }
      }
      pair(c, e.result, ar, (x, y) => c.value(fmtLabels(x.metric), x.value, y.value));
      break;
    }
    case 'matrix': {
      const ar = (a as typeof e).result;
      pair(c, e.result, ar, (x, y) => {
        const where = fmtLabels(x.metric);
        const ets = new Map(x.values.map((p) => [ms(p[0]), p] as const));
        const ats = new Map(y.values.map((p) => [ms(p[0]), p] as const));
        for (const [t, p] of ets) {
          const q = ats.get(t);
          if (q === undefined) c.add(`${where}: point ${fmtPoint(p)} only in prometheus`);
          else c.value(where, p, q);
        }
        for (const [t, q] of ats) {
          if (!ets.has(t)) c.add(`${where}: point ${fmtPoint(q)} only in engine`);
        }
        const sorted = y.values.every((p, k) => k === 0 || ms(p[0]) > ms(y.values[k - 1]![0]));
        if (!sorted) c.add(`${where}: engine's points are not in increasing time order`);
      });
      break;
    }
  }
  return c;
}
