/**
 * Several queries in one request: each expression's series get a `canopy_q` label with its
 * index (`label_replace(…) or label_replace(…)`), and the answer is split back. The overview
 * asks ~20 small questions; one request per kind instead of one per question halves its
 * first render on a busy hub, which answers requests one at a time.
 */
import type { Metric } from './api.js';

/** The label that carries each series' query index. */
export const BATCH_LABEL = 'canopy_q';

/**
 * One expression for all: series of expression i carry `canopy_q="i"`.
 *
 * @example combineQueries(['up', 'sum(x)'])
 * // 'label_replace((up), "canopy_q", "0", "", "") or label_replace((sum(x)), "canopy_q", "1", "", "")'
 */
export function combineQueries(exprs: readonly string[]): string {
  return exprs
    .map((e, i) => `label_replace((${e}), "${BATCH_LABEL}", "${i}", "", "")`)
    .join(' or ');
}

/**
 * The answer of {@link combineQueries}, split per expression, the label removed.
 *
 * @example splitByQuery([{ metric: { canopy_q: '1' } }], 2) // [[], [{ metric: {} }]]
 */
export function splitByQuery<T extends { readonly metric: Metric }>(
  series: readonly T[],
  n: number,
): T[][] {
  const out: T[][] = Array.from({ length: n }, () => []);
  for (const s of series) {
    const i = Number(s.metric[BATCH_LABEL]);
    if (!Number.isInteger(i) || i < 0 || i >= n) continue;
    const metric: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.metric)) if (k !== BATCH_LABEL) metric[k] = v;
    out[i]!.push({ ...s, metric });
  }
  return out;
}
