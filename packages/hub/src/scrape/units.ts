/**
 * Durations and byte sizes as Prometheus writes them in its configuration: `15s`, `1m30s`,
 * `500ms`, `2h`; `10MiB`, `512KB`, `1GiB`.
 */

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['y', 365 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * Parses a Prometheus duration (`[0-9]+` then one of `ms s m h d w y`, repeated from the
 * largest unit to the smallest) into milliseconds. `"0"` is zero. Throws an Error saying
 * what is wrong and what to write instead.
 *
 * @example parseDuration('1m30s') // 90000
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '') throw new Error('empty duration: write e.g. "15s"');
  if (s === '0') return 0;
  if (/^[0-9]+$/.test(s))
    throw new Error(
      `duration "${s}" has no unit: write e.g. "${s}s" (units: ms, s, m, h, d, w, y)`,
    );
  if (/^[0-9]*\.[0-9]+[a-z]+$/.test(s))
    throw new Error(`duration "${s}" must use whole numbers: write e.g. "90s" rather than "1.5m"`);
  const re = /([0-9]+)(ms|s|m|h|d|w|y)/y;
  let ms = 0;
  let lastRank = -1;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null)
      throw new Error(
        `"${s}" is not a duration: write e.g. "15s", "1m30s" or "500ms" (units: ms, s, m, h, d, w, y)`,
      );
    const rank = DURATION_UNITS.findIndex(([u]) => u === m[2]);
    if (rank <= lastRank)
      throw new Error(`duration "${s}": units must go from the largest to the smallest, each once`);
    lastRank = rank;
    ms += Number(m[1]) * DURATION_UNITS[rank]![1];
    pos = re.lastIndex;
  }
  if (!Number.isSafeInteger(ms)) throw new Error(`duration "${s}" is too long`);
  return ms;
}

/**
 * Formats milliseconds as Prometheus does (`90000` → `"1m30s"`, `0` → `"0s"`).
 *
 * @example formatDuration(1500) // '1s500ms'
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of DURATION_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += n + unit;
      rest -= n * size;
    }
  }
  return out;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a byte size into bytes. Units are powers of 1024 whichever way they are written
 * (`KB` = `KiB` = 1024, as in Prometheus's `body_size_limit`), case-insensitive; a bare
 * number is bytes; `0` means no limit where a limit is meant. Throws an Error saying what
 * to write.
 *
 * @example parseBytes('10MiB') // 10485760
 */
export function parseBytes(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isSafeInteger(text) || text < 0)
      throw new Error(`byte size ${text} must be a whole number ≥ 0`);
    return text;
  }
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m === null ? undefined : BYTE_UNITS[(m[2] ?? '').toLowerCase() || 'b'];
  if (m === null || unit === undefined)
    throw new Error(`"${text}" is not a byte size: write e.g. "10MiB", "512KiB" or "1GiB"`);
  const n = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n)) throw new Error(`byte size "${text}" is too large`);
  return n;
}

/**
 * Formats bytes with the largest binary unit that divides them (`10485760` → `"10MiB"`).
 *
 * @example formatBytes(1536) // '1536B'; formatBytes(2048) // '2KiB'
 */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (i < units.length - 1 && n >= 1024 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${units[i]}`;
}
