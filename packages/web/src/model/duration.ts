/** Prometheus durations (`1m`, `1h30m`) as seconds and back, for choosing SLO windows. */

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];
const SIZE: Readonly<Record<string, number>> = {
  y: 365 * 86400,
  w: 7 * 86400,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
};

/**
 * Seconds in a Prometheus duration; `undefined` when the text is not one.
 *
 * @example durationSeconds('1h30m') // 5400
 */
export function durationSeconds(s: string): number | undefined {
  if (!/^(?:\d+[ywdhms])+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+)([ywdhms])/g)) total += Number(m[1]) * SIZE[m[2]!]!;
  return total > 0 ? total : undefined;
}

/**
 * Seconds as a Prometheus duration, days the largest unit (as the rule generator writes
 * recording-rule names: `slo:error_ratio:rate5m`).
 *
 * @example formatDuration(300) // '5m'
 */
export function formatDuration(seconds: number): string {
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of UNITS)
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  return out === '' ? '0s' : out;
}
