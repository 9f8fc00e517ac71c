/** Literal syntax of PromQL 2.42: strings (Go quoting), numbers and durations. */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/**
 * Unquotes a PromQL string literal as Prometheus (Go `strconv.Unquote`, multi-character
 * single-quoted strings allowed) does. Returns undefined for invalid syntax.
 *
 * @example unquote('"a\\tb"') // 'a\tb'; unquote('`raw\\n`') // 'raw\\n'
 */
export function unquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0]!;
  if (s[s.length - 1] !== q) return undefined;
  const body = s.slice(1, -1);
  if (q === '`') return body.includes('`') || body.includes('\r') ? undefined : body;
  if (q !== '"' && q !== "'") return undefined;
  if (!body.includes('\\')) return body.includes(q) || body.includes('\n') ? undefined : body;
  let out = '';
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c === q || c === '\n') return undefined;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (e === q) {
      out += q;
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (e === 'x') out += String.fromCharCode(cp);
      else {
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return undefined;
        out += String.fromCodePoint(cp);
      }
      i += 2 + n;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      const cp = parseInt(oct, 8);
      if (cp > 255) return undefined;
      out += String.fromCharCode(cp);
      i += 4;
    } else return undefined;
  }
  return out;
}

const DURATION_RE =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/**
 * Parses a Prometheus duration (`1h30m`, `5m`, `250ms`; units y w d h m s ms, in that order)
 * into milliseconds. Returns undefined when the text is not a duration.
 *
 * @example parseDuration('1h30m') // 5400000
 */
export function parseDuration(s: string): number | undefined {
  if (s === '' || !/[a-z]/.test(s)) return undefined;
  const m = DURATION_RE.exec(s);
  if (m === null) return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * UNIT_MS[i]!;
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * Parses an unsigned PromQL number literal as Go's parser does: `strconv.ParseInt(s, 0, 64)`
 * first (so `0x1f` is hex and `010` is octal), then `ParseFloat`; `Inf` and `NaN` in any case.
 * Returns undefined for invalid syntax.
 */
export function parseNumber(s: string): number | undefined {
  const lower = s.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(lower)) return parseInt(lower.slice(2), 16);
  if (/^0[0-7]+$/.test(s)) return parseInt(s, 8);
  if (/^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/.test(lower)) return Number(lower);
  return undefined;
}

/**
 * Parses a float as Go's `strconv.ParseFloat(s, 64)` does for the forms that appear in label
 * values (`le="0.5"`, `+Inf`, `1e3`, `NaN`). Returns undefined when Go would fail.
 */
export function parseGoFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  let sign = 1;
  let body = lower;
  if (body[0] === '+' || body[0] === '-') {
    if (body[0] === '-') sign = -1;
    body = body.slice(1);
  }
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === 'nan') return NaN;
  if (/^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/.test(body)) return sign * Number(body);
  if (/^0x(?:[0-9a-f]+(?:\.[0-9a-f]*)?|\.[0-9a-f]+)p[+-]?\d+$/.test(body)) {
    const [mant, exp] = body.slice(2).split('p') as [string, string];
    const [ip, fp = ''] = mant.split('.') as [string, string?];
    const m =
      parseInt(ip === '' ? '0' : ip, 16) + (fp === '' ? 0 : parseInt(fp, 16) / 16 ** fp.length);
    return sign * m * 2 ** Number(exp);
  }
  return undefined;
}

/** The character after the first backslash that starts no valid escape, if any. */
export function unknownEscape(body: string): string | undefined {
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') continue;
    const e = body[++i];
    if (e !== undefined && !/[abfnrtv\\xuU0-7'"]/.test(e)) return e;
  }
  return undefined;
}
