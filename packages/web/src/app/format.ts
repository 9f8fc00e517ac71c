/** Numbers and times as people read them, by the model's value units. */
import type { ValueUnit } from '../model/types.js';

const BYTES = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SI = ['', 'k', 'M', 'G', 'T'];

function sig(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, '');
  if (a >= 1) return v.toFixed(2).replace(/\.?0+$/, '');
  return v
    .toPrecision(2)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

function scaled(v: number, base: number, names: readonly string[]): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < names.length - 1) {
    x /= base;
    i++;
  }
  return `${sig(x)}${names[i] === '' ? '' : ` ${names[i]}`}`;
}

/**
 * Seconds as `850 µs`, `12 ms`, `3.4 s`, `5.2 min`, `3.1 h`, `2.5 d`.
 *
 * @example formatSeconds(0.012) // '12 ms'
 */
export function formatSeconds(s: number): string {
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${sig(s * 1e6)} µs`;
  if (a < 1) return `${sig(s * 1e3)} ms`;
  if (a < 120) return `${sig(s)} s`;
  if (a < 7200) return `${sig(s / 60)} min`;
  if (a < 172800) return `${sig(s / 3600)} h`;
  return `${sig(s / 86400)} d`;
}

/**
 * A value in its unit.
 *
 * @example formatValue(1536, 'bytes') // '1.5 KiB'
 * @example formatValue(0.0042, 'ratio') // '0.42%'
 */
export function formatValue(v: number | null | undefined, unit: ValueUnit): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'seconds':
      return formatSeconds(v);
    case 'bytes':
      return scaled(v, 1024, BYTES);
    case 'bytes_per_second':
      return `${scaled(v, 1024, BYTES)}/s`;
    case 'ratio':
      return `${sig(v * 100)}%`;
    case 'per_second':
      return `${scaled(v, 1000, SI)}/s`;
    case 'cores':
      return `${sig(v)} cores`;
    case 'timestamp':
      return formatTime(v * 1000);
    default:
      return scaled(v, 1000, SI);
  }
}

/**
 * A time as `3 min ago` / `in 2 s`, for last-scrape and active-since columns.
 *
 * @example formatAgo(Date.now() - 180_000) // '3 min ago'
 */
export function formatAgo(ms: number, now: number = Date.now()): string {
  const d = (now - ms) / 1000;
  if (Math.abs(d) < 1) return 'just now';
  return d > 0 ? `${formatSeconds(d)} ago` : `in ${formatSeconds(-d)}`;
}

/**
 * A Unix time (ms) as local `YYYY-MM-DD HH:MM:SS`.
 *
 * @example formatTime(0) // '1970-01-01 00:00:00' (in UTC)
 */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
