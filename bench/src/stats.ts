/** Summary statistics shared by the benchmarks. */

/**
 * The median of `xs` (the mean of the middle two for an even count); `xs` is not changed.
 *
 * @example median([3, 1, 2, 10]) // 2.5
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
