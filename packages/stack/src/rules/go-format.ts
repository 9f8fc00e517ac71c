/**
 * Go's `%.4g` and the Prometheus template functions built on it (`humanize`,
 * `humanizePercentage`, `humanizeDuration`), so generated promtool tests can state the exact
 * annotation text an alert will carry. Only ties differ from Go (JavaScript rounds half up,
 * Go half to even); {@link stableFormat} refuses values that close to a rounding boundary.
 */

/**
 * Go's `fmt.Sprintf("%.<p>g", x)`.
 *
 * @example goG(99.99999999999991, 4) // '100'
 * @example goG(1e6, 4) // '1e+06'
 */
export function goG(x: number, p = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x)
    .toExponential(p - 1)
    .split('e') as [string, string];
  const e = Number(expText);
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  const nd = digits.length;
  const dp = e + 1;
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (e < -4 || e >= eprec) {
    const m = digits[0]! + (nd > 1 ? `.${digits.slice(1)}` : '');
    const ee = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
    return `${sign}${m}e${ee}`;
  }
  const decimals = p > dp ? Math.max(nd - dp, 0) : 0;
  let int: string;
  let frac = '';
  if (dp <= 0) {
    int = '0';
    frac = '0'.repeat(-dp) + digits;
  } else {
    int = digits.slice(0, dp).padEnd(dp, '0');
    frac = digits.slice(dp);
  }
  frac = frac.padEnd(decimals, '0').slice(0, decimals);
  return `${sign}${int}${decimals > 0 ? `.${frac}` : ''}`;
}

/**
 * Prometheus's `humanize`: SI prefixes, 4 significant digits.
 *
 * @example humanize(5000) // '5k'
 */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goG(v);
  let x = v;
  if (Math.abs(x) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(x) < 1000) break;
      prefix = p;
      x /= 1000;
    }
    return goG(x) + prefix;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(x) >= 1) break;
    prefix = p;
    x *= 1000;
  }
  return goG(x) + prefix;
}

/**
 * Prometheus's `humanizePercentage`.
 *
 * @example humanizePercentage(0.0625) // '6.25%'
 */
export function humanizePercentage(v: number): string {
  return `${goG(v * 100)}%`;
}

/**
 * Prometheus's `humanizeDuration` (seconds in).
 *
 * @example humanizeDuration(30) // '30s'
 * @example humanizeDuration(3725) // '1h 2m 5s'
 */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return goG(v);
  if (v === 0) return `${goG(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const d = Math.trunc(Math.abs(v));
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG(Math.abs(v))}s`;
  }
  let x = v;
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(x) >= 1) break;
    prefix = p;
    x *= 1000;
  }
  return `${goG(x)}${prefix}s`;
}

/**
 * Formats a value computed here that promtool computes on its own: refuses (throws) when a
 * relative error of 1e-9 could change the text, since the two float computations may differ
 * in their last bits.
 */
export function stableFormat(format: (v: number) => string, v: number, what: string): string {
  const s = format(v);
  if (format(v * (1 + 1e-9)) !== s || format(v * (1 - 1e-9)) !== s)
    throw new Error(
      `${what}: ${v} is too close to a rounding boundary of its annotation (${s}); change the generated test's timing`,
    );
  return s;
}
