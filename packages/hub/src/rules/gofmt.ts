/**
 * Go's number formatting as Prometheus's templates print numbers: `%v`, `%g`/`%.Ng`,
 * `%.Nf`, `%e`, `%d`, `%s` — and Prometheus's `humanize*` template functions.
 */

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

function expPart(e: number): string {
  const a = Math.abs(e);
  return (e < 0 ? 'e-' : 'e+') + (a < 10 ? '0' + a : String(a));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Go's `%v` (and `%g`) of a float64: shortest digits, exponent when exp < -4 or ≥ 21. */
export function goV(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 21) return mant + expPart(exp);
  return String(v);
}

/** Go's `%.<prec>g`. */
export function goG(v: number, prec: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const p = prec === 0 ? 1 : prec;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, e] = v.toExponential(p - 1).split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= p) return trimZeros(mant) + expPart(exp);
  return trimZeros(v.toFixed(Math.max(0, p - 1 - exp)));
}

/** Go's `%.<prec>e`. */
export function goE(v: number, prec: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const [mant, e] = v.toExponential(prec).split('e') as [string, string];
  return mant + expPart(Number(e));
}

/** Go's `%.<prec>f`. */
export function goF(v: number, prec: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (Math.abs(v) >= 1e21) {
    // toFixed switches to exponent notation from 1e21 on; Go doesn't.
    const whole = BigInt(Math.trunc(v)).toString();
    return prec > 0 ? whole + '.' + '0'.repeat(prec) : whole;
  }
  return v.toFixed(prec);
}

/** Go's `%v` of any template value. */
export function goPrint(x: unknown): string {
  if (x === undefined || x === null) return '<no value>';
  if (typeof x === 'number') return goV(x);
  if (typeof x === 'string') return x;
  if (typeof x === 'boolean') return String(x);
  if (Array.isArray(x)) return '[' + x.map(goPrint).join(' ') + ']';
  if (typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return (
      'map[' +
      Object.keys(o)
        .sort()
        .map((k) => `${k}:${goPrint(o[k])}`)
        .join(' ') +
      ']'
    );
  }
  return String(x);
}

/**
 * Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %f %e %g %%` with an optional
 * precision (`%.2f`, `%.4g`). Throws on anything else.
 */
export function sprintf(format: string, args: readonly unknown[]): string {
  let i = 0;
  return format.replace(/%(\.(\d+))?([a-zA-Z%])/g, (whole, _p, precStr, verb: string) => {
    if (verb === '%') return '%';
    const prec = precStr === undefined ? undefined : Number(precStr);
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    const num = typeof a === 'number' ? a : undefined;
    switch (verb) {
      case 'v':
      case 's':
        return num !== undefined && prec !== undefined && verb === 'v'
          ? goG(num, prec)
          : goPrint(a);
      case 'd':
        return num !== undefined && Number.isInteger(num) ? String(num) : `%!d(${goPrint(a)})`;
      case 'f':
      case 'F':
        return num !== undefined ? goF(num, prec ?? 6) : `%!${verb}(${goPrint(a)})`;
      case 'e':
        return num !== undefined ? goE(num, prec ?? 6) : `%!e(${goPrint(a)})`;
      case 'g':
        return num !== undefined
          ? prec === undefined
            ? goV(num)
            : goG(num, prec)
          : `%!g(${goPrint(a)})`;
      default:
        throw new Error(`printf: unsupported verb ${whole}`);
    }
  });
}

function toFloat(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    const v = Number(x.trim());
    if (x.trim() === '' || Number.isNaN(v)) {
      if (/^[+-]?(inf|nan)$/i.test(x.trim())) return x.includes('-') ? -Infinity : Number(x);
      throw new Error(`cannot convert "${x}" to a number`);
    }
    return v;
  }
  throw new Error(`cannot convert ${goPrint(x)} to a number`);
}

/** Prometheus's `humanize`: SI prefixes, 4 significant digits. */
export function humanize(x: unknown): string {
  let v = toFloat(x);
  if (v === 0 || !Number.isFinite(v)) return goG(v, 4);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return goG(v, 4) + prefix;
  }
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return goG(v, 4) + prefix;
}

/** Prometheus's `humanize1024`: binary prefixes. */
export function humanize1024(x: unknown): string {
  let v = toFloat(x);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return goG(v, 4);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return goG(v, 4) + prefix;
}

/** Prometheus's `humanizePercentage`: `0.1234` → `12.34%`. */
export function humanizePercentage(x: unknown): string {
  return goG(toFloat(x) * 100, 4) + '%';
}

/** Prometheus's `humanizeDuration`: seconds → `1d 2h 3m 4s`, `1.5s`, `250ms`. */
export function humanizeDuration(x: unknown): string {
  let v = toFloat(x);
  if (!Number.isFinite(v)) return goG(v, 4);
  if (v === 0) return goG(v, 4) + 's';
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    const d = Math.trunc(v);
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG(v, 4)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return goG(v, 4) + prefix + 's';
}

export { toFloat };
