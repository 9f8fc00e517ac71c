/** Number formatting exactly as Prometheus 2.42 writes it. */

/**
 * Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest decimal that round-trips, never
 * in exponent form; `NaN`, `+Inf`, `-Inf`. Used for `count_values` label values.
 *
 * @example formatFloatF(1e21) // '1000000000000000000000'; formatFloatF(1e-7) // '0.0000001'
 */
export function formatFloatF(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const abs = Math.abs(v);
  if (abs >= 1e-6 && abs < 1e21) return String(v);
  // Shortest round-trip digits, then place the decimal point by hand.
  const [mant, expStr] = abs.toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  let s: string;
  if (exp >= digits.length - 1) s = digits + '0'.repeat(exp - digits.length + 1);
  else if (exp >= 0) s = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  else s = '0.' + '0'.repeat(-exp - 1) + digits;
  return v < 0 ? '-' + s : s;
}

/**
 * A sample value as the Prometheus HTTP API writes it (`jsonutil.MarshalValue`): 'f' format,
 * switching to Go's 'e' format below 1e-6 and from 1e21 (`1e+21`, `1.5e-07`).
 *
 * @example formatValue(0.1) // '0.1'; formatValue(NaN) // 'NaN'; formatValue(2e-7) // '2e-07'
 */
export function formatValue(v: number): string {
  // Fast path first: finite, non-zero values in plain notation.
  if ((v >= 1e-6 && v < 1e21) || (v <= -1e-6 && v > -1e21)) return '' + v;
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const sign = expStr[0] === '-' ? '-' : '+';
  const digits = expStr.replace(/^[-+]/, '');
  return mant + 'e' + sign + (digits.length < 2 ? '0' + digits : digits);
}
