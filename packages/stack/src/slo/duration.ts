/** Prometheus durations (`15s`, `5m`, `1h30m`, `30d`) as whole seconds, and back. */

const UNITS: readonly (readonly [string, number])[] = [
  ['y', 365 * 86400],
  ['w', 7 * 86400],
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];
const UNIT_SECONDS = new Map(UNITS);
const DURATION = /^(?:\d+(?:y|w|d|h|ms|m|s))+$/;

/**
 * Parses a Prometheus duration into seconds; `undefined` when it is not one (or has
 * milliseconds, which rule windows and `for:` never need).
 *
 * @example parseDuration('1h30m') // 5400
 */
export function parseDuration(s: string): number | undefined {
  if (!DURATION.test(s) || s.includes('ms')) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+)([ywdhms])/g)) total += Number(m[1]) * UNIT_SECONDS.get(m[2]!)!;
  return total > 0 ? total : undefined;
}

/**
 * Formats seconds as a Prometheus duration, days being the largest unit.
 *
 * @example formatDuration(5400) // '1h30m'
 * @example formatDuration(0) // '0s'
 */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of UNITS) {
    // Days are the largest unit written: "30d" and "7d" read better than "4w2d" and "1w".
    if (unit === 'y' || unit === 'w') continue;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/**
 * Formats seconds for people: `45 s`, `1 min 45 s`, `43 min 12 s`, `3.6 h`, `2.5 d`.
 *
 * @example formatSeconds(105) // '1 min 45 s'
 */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'never';
  if (seconds < 60) return `${round(seconds)} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return s === 0 ? `${m} min` : s === 60 ? `${m + 1} min` : `${m} min ${s} s`;
  }
  if (seconds < 3 * 86400) return `${round(seconds / 3600)} h`;
  return `${round(seconds / 86400)} d`;
}

function round(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}
