import type { Labels } from '../model.js';

/** Label-set helpers with Prometheus's semantics: an empty value is the same as no label. */

export const METRIC_NAME = '__name__';

/** Sorted names of the non-empty labels. */
export function sortedNames(l: Labels): string[] {
  const names: string[] = [];
  for (const k in l) if (l[k] !== '') names.push(k);
  return names.sort(compareStrings);
}

/** Go's byte-wise string order (UTF-8), which differs from `<` only past the BMP. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x < 0xe000;
      const ys = y >= 0xd800 && y < 0xe000;
      // Surrogates (astral code points) sort after every BMP character in UTF-8.
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * Prometheus's `labels.Compare`: label by label in name order, name then value; a prefix
 * sorts first. The order of matrix results.
 */
export function compareLabels(a: Labels, b: Labels): number {
  const an = sortedNames(a);
  const bn = sortedNames(b);
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const x = an[i]!;
    const y = bn[i]!;
    if (x !== y) return compareStrings(x, y);
    const c = compareStrings(a[x]!, b[y]!);
    if (c !== 0) return c;
  }
  return an.length - bn.length;
}

/** A map key for a label set (empty values ignored). */
export function keyOf(l: Labels): string {
  let s = '';
  for (const n of sortedNames(l)) s += n + '\xff' + l[n] + '\xff';
  return s;
}

/** The label set without `__name__` (the same object when there is none). */
export function dropMetricName(l: Labels): Labels {
  if (l[METRIC_NAME] === undefined) return l;
  const out: Record<string, string> = {};
  for (const k in l) if (k !== METRIC_NAME) out[k] = l[k]!;
  return out;
}

/** Only the named labels (Prometheus `Builder.Keep`). */
export function keepLabels(l: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = l[n];
    if (v !== undefined && v !== '') out[n] = v;
  }
  return out;
}

/** All labels except the named ones (Prometheus `Builder.Del`). */
export function deleteLabels(l: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const k in l) if (!names.includes(k) && l[k] !== '') out[k] = l[k]!;
  return out;
}

/** The label set with one label set (or removed when `value` is empty). */
export function withLabel(l: Labels, name: string, value: string): Labels {
  const out: Record<string, string> = { ...l };
  if (value === '') delete out[name];
  else out[name] = value;
  return out;
}

/** Matching key over the named labels only (`on(...)`, `by (...)`). */
export function signatureOn(l: Labels, names: readonly string[]): string {
  let s = '';
  for (const n of names) {
    const v = l[n];
    if (v !== undefined && v !== '') s += n + '\xff' + v + '\xff';
  }
  return s;
}

/** Matching key over all labels but the named ones and `__name__` (`ignoring(...)`, `without (...)`). */
export function signatureIgnoring(l: Labels, names: readonly string[]): string {
  let s = '';
  for (const n of sortedNames(l)) {
    if (n === METRIC_NAME || names.includes(n)) continue;
    s += n + '\xff' + l[n] + '\xff';
  }
  return s;
}

/** Go `strconv.Quote`-like quoting for messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Prometheus's `Labels.String()`: `{a="1", b="2"}`. */
export function labelsString(l: Labels): string {
  return (
    '{' +
    sortedNames(l)
      .map((n) => `${n}=${goQuote(l[n]!)}`)
      .join(', ') +
    '}'
  );
}
