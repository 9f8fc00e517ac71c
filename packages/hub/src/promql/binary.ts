import type { Labels } from '../model.js';
import { dropsMetricName, type BinaryOp, type VectorMatching } from './ast.js';
import { DUPLICATE_LABELSET, execError } from './errors.js';
import {
  deleteLabels,
  dropMetricName,
  keepLabels,
  keyOf,
  labelsString,
  METRIC_NAME,
  signatureIgnoring,
  signatureOn,
  withLabel,
} from './labels.js';
import { mergeByLabels } from './eval/merge.js';
import { emptySeries, type Series, type Steps } from './eval/types.js';

/** Go's `math.Pow` special cases that differ from `**`. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** Scalar arithmetic/comparison (comparisons give 1 or 0; they need `bool` in PromQL). */
export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    default:
      throw execError(`operator ${JSON.stringify(op)} not allowed for Scalar operations`);
  }
}

/** A comparison as a predicate, or undefined for arithmetic ops. */
function comparison(op: BinaryOp): ((l: number, r: number) => boolean) | undefined {
  switch (op) {
    case '==':
      return (l, r) => l === r;
    case '!=':
      return (l, r) => l !== r;
    case '>':
      return (l, r) => l > r;
    case '<':
      return (l, r) => l < r;
    case '>=':
      return (l, r) => l >= r;
    case '<=':
      return (l, r) => l <= r;
    default:
      return undefined;
  }
}

/** An arithmetic op as a function (comparisons map to their 1/0 form, unused for vectors). */
function arithmetic(op: BinaryOp): (l: number, r: number) => number {
  switch (op) {
    case '+':
      return (l, r) => l + r;
    case '-':
      return (l, r) => l - r;
    case '*':
      return (l, r) => l * r;
    case '/':
      return (l, r) => l / r;
    default:
      return (l, r) => scalarBinop(op, l, r);
  }
}

/** `vector op scalar` (or `scalar op vector` when `swap`). */
export function vectorScalarBinop(
  op: BinaryOp,
  vec: readonly Series[],
  scalar: Float64Array,
  swap: boolean,
  returnBool: boolean,
  steps: Steps,
): Series[] {
  const cmp = comparison(op);
  const f = arithmetic(op);
  const dropName = dropsMetricName(op) || returnBool;
  const out: Series[] = [];
  for (const s of vec) {
    const r = emptySeries(dropName ? dropMetricName(s.labels) : s.labels, steps.n);
    for (let i = 0; i < steps.n; i++) {
      if (s.ok[i] === 0) continue;
      const x = s.v[i]!;
      const y = scalar[i]!;
      let value: number;
      if (cmp !== undefined) {
        // A comparison keeps the vector's value even when the scalar is on the left.
        const keep = swap ? cmp(y, x) : cmp(x, y);
        if (returnBool) value = keep ? 1 : 0;
        else if (keep) value = x;
        else continue;
      } else value = swap ? f(y, x) : f(x, y);
      r.v[i] = value;
      r.ok[i] = 1;
    }
    out.push(r);
  }
  return dropName ? mergeByLabels(out, steps.n) : out.filter((s) => s.ok.indexOf(1) !== -1);
}

/** The signature function of a vector matching (`on` / `ignoring`, `__name__` always ignored by the latter). */
function signatureOf(m: VectorMatching): (l: Labels) => string {
  if (m.on) {
    const names = [...m.labels].sort();
    return (l) => signatureOn(l, names);
  }
  return (l) => signatureIgnoring(l, m.labels);
}

/** Interns signatures to small integers so per-step matching uses typed arrays, not maps. */
function internSignatures(lhs: readonly Series[], rhs: readonly Series[], m: VectorMatching) {
  const sig = signatureOf(m);
  const ids = new Map<string, number>();
  const idOf = (s: Series): number => {
    const k = sig(s.labels);
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    return id;
  };
  const l = Int32Array.from(lhs, idOf);
  const r = Int32Array.from(rhs, idOf);
  return { l, r, count: ids.size };
}

/** Per signature, which steps have a sample on the given side. */
function presence(
  series: readonly Series[],
  sigs: Int32Array,
  count: number,
  n: number,
): (Uint8Array | undefined)[] {
  const any: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(count);
  series.forEach((s, i) => {
    const g = sigs[i]!;
    const a = any[g];
    if (a === undefined) any[g] = s.ok.slice();
    else for (let k = 0; k < n; k++) a[k] = a[k]! | s.ok[k]!;
  });
  return any;
}

/** `and`, `or`, `unless` with many-to-many matching. */
export function setBinop(
  op: 'and' | 'or' | 'unless',
  lhs: readonly Series[],
  rhs: readonly Series[],
  m: VectorMatching,
  steps: Steps,
): Series[] {
  const n = steps.n;
  const sig = internSignatures(lhs, rhs, m);
  if (op === 'or') {
    const lhsAny = presence(lhs, sig.l, sig.count, n);
    const outR = rhs.map((s, ri) => {
      const other = lhsAny[sig.r[ri]!];
      if (other === undefined) return s;
      const ok = new Uint8Array(n);
      for (let i = 0; i < n; i++) ok[i] = s.ok[i]! & (other[i]! ^ 1);
      return { labels: s.labels, v: s.v, ok };
    });
    return mergeByLabels(
      [...lhs.map((s) => ({ labels: s.labels, v: s.v.slice(), ok: s.ok.slice() })), ...outR],
      n,
    );
  }
  const rhsAny = presence(rhs, sig.r, sig.count, n);
  const out = lhs.map((s, li) => {
    const other = rhsAny[sig.l[li]!];
    const ok = new Uint8Array(n);
    if (op === 'and') {
      if (other !== undefined) for (let i = 0; i < n; i++) ok[i] = s.ok[i]! & other[i]!;
    } else if (other === undefined) ok.set(s.ok);
    else for (let i = 0; i < n; i++) ok[i] = s.ok[i]! & (other[i]! ^ 1);
    return { labels: s.labels, v: s.v, ok };
  });
  return mergeByLabels(out, n);
}

/** The label set of a vector/vector result, as Prometheus's `resultMetric`. */
function resultLabels(
  many: Labels,
  one: Labels,
  op: BinaryOp,
  m: VectorMatching,
  returnBool: boolean,
): Labels {
  let l = many;
  if (dropsMetricName(op)) l = dropMetricName(l);
  if (m.card === 'one-to-one') l = m.on ? keepLabels(l, m.labels) : deleteLabels(l, m.labels);
  for (const name of m.include) l = withLabel(l, name, one[name] ?? '');
  if (returnBool) l = dropMetricName(l);
  return l;
}

function matchLabels(l: Labels, m: VectorMatching): Labels {
  return m.on ? keepLabels(l, m.labels) : deleteLabels(l, [...m.labels, METRIC_NAME]);
}

/**
 * Arithmetic and comparison between two instant vectors with one-to-one, many-to-one
 * (`group_left`) or one-to-many (`group_right`) matching, with the errors of Prometheus's
 * `VectorBinop` for ambiguous matches. Works series-major: first, per signature and step,
 * which "one"-side series is there; then each "many"-side series walks its steps.
 */
export function vectorBinop(
  op: BinaryOp,
  lhsIn: readonly Series[],
  rhsIn: readonly Series[],
  m: VectorMatching,
  returnBool: boolean,
  steps: Steps,
): Series[] {
  const n = steps.n;
  const cmp = comparison(op);
  const f = arithmetic(op);
  // For group_right swap the sides: below, lhs is always the "many" side.
  const swapped = m.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn;
  const rhs = swapped ? lhsIn : rhsIn;
  const sig = internSignatures(lhs, rhs, m);
  const lhsCount = new Int32Array(sig.count);
  for (let li = 0; li < lhs.length; li++) lhsCount[sig.l[li]!] = lhsCount[sig.l[li]!]! + 1;

  // The "one" side at each step, per signature; two there at once is many-to-many.
  const owner: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(sig.count);
  for (let ri = 0; ri < rhs.length; ri++) {
    const g = sig.r[ri]!;
    if (lhsCount[g] === 0) continue;
    let o = owner[g];
    if (o === undefined) owner[g] = o = new Int32Array(n).fill(-1);
    const ok = rhs[ri]!.ok;
    for (let i = 0; i < n; i++) {
      if (ok[i] === 0) continue;
      if (o[i] !== -1) {
        const rs = rhs[ri]!;
        const dup = rhs[o[i]!]!;
        throw execError(
          `found duplicate series for the match group ${labelsString(matchLabels(rs.labels, m))} on the ${swapped ? 'left' : 'right'} hand-side of the operation: [${labelsString(rs.labels)}, ${labelsString(dup.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      o[i] = ri;
    }
  }

  const pairs = new Map<number, number>();
  const outs: Series[] = [];
  const outKeys = new Map<string, number>();
  // Per output series: the signature that wrote it, or -2 once several have.
  const outSig: number[] = [];
  // one-to-one: per signature with several "many" series, the steps already matched.
  const matched: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(sig.count);
  for (let li = 0; li < lhs.length; li++) {
    const ls = lhs[li]!;
    const g = sig.l[li]!;
    const o = owner[g];
    if (o === undefined) continue;
    let seen = matched[g];
    if (seen === undefined && m.card === 'one-to-one' && lhsCount[g]! > 1)
      matched[g] = seen = new Uint8Array(n);
    let lastR = -1;
    let out: Series | undefined;
    let oi = -1;
    for (let i = 0; i < n; i++) {
      if (ls.ok[i] === 0) continue;
      const ri = o[i]!;
      if (ri < 0) continue;
      const rs = rhs[ri]!;
      // Values in the query's order, whichever side is the "many" one.
      const vl = swapped ? rs.v[i]! : ls.v[i]!;
      const vr = swapped ? ls.v[i]! : rs.v[i]!;
      let value: number;
      if (cmp !== undefined) {
        const keep = cmp(vl, vr);
        if (returnBool) value = keep ? 1 : 0;
        else if (keep) value = vl;
        else continue;
      } else value = f(vl, vr);
      if (ri !== lastR) {
        lastR = ri;
        const pairKey = li * rhs.length + ri;
        let found = pairs.get(pairKey);
        if (found === undefined) {
          const labels = resultLabels(ls.labels, rs.labels, op, m, returnBool);
          const k = keyOf(labels);
          found = outKeys.get(k);
          if (found === undefined) {
            found = outs.length;
            outKeys.set(k, found);
            outs.push(emptySeries(labels, n));
            outSig.push(g);
          } else if (outSig[found] !== g) outSig[found] = -2;
          pairs.set(pairKey, found);
        }
        oi = found;
        out = outs[oi]!;
      }
      if (seen !== undefined) {
        if (seen[i] === 1) {
          throw execError(
            'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
          );
        }
        seen[i] = 1;
      }
      if (out!.ok[i] === 1) {
        if (m.card !== 'one-to-one' && outSig[oi] === g) {
          throw execError(
            'multiple matches for labels: grouping labels must ensure unique matches',
          );
        }
        throw execError(DUPLICATE_LABELSET);
      }
      out!.v[i] = value;
      out!.ok[i] = 1;
    }
  }
  return outs.filter((s) => s.ok.indexOf(1) !== -1);
}
