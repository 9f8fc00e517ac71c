/** Spelling suggestions for names people type: metric names, keys. */

/**
 * Levenshtein distance between two words, giving up (returning `limit`) once it reaches
 * `limit`.
 *
 * @example editDistance('treshold', 'threshold', 3) // 1
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The option closest to a misspelt word (at most two edits away), if any.
 *
 * @example closest('treshold', ['threshold', 'target']) // 'threshold'
 */
export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase(), bestD);
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best;
}
