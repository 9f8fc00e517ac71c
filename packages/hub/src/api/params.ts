import type { Matcher, MatchType } from '../model.js';

/** A bad request parameter; answered as HTTP 400 `bad_data`, as Prometheus does. */
export class BadData extends Error {}

const DURATION_RE =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86400e3, 7 * 86400e3, 86400e3, 3600e3, 60e3, 1e3, 1];

/** Parses a Prometheus duration (`1h30m`, `15s`, `500ms`) to ms; undefined if not one. */
export function parsePromDuration(s: string): number | undefined {
  if (s === '') return undefined;
  const m = DURATION_RE.exec(s);
  if (m === null) return undefined;
  let ms = 0;
  for (let i = 1; i <= 7; i++) if (m[i] !== undefined) ms += Number(m[i]) * UNIT_MS[i - 1]!;
  return ms;
}

/** Parses a time parameter: RFC 3339 or Unix seconds (float). Returns ms. */
export function parseTime(name: string, s: string | undefined, fallback: number): number {
  if (s === undefined || s === '') return fallback;
  const n = Number(s);
  if (Number.isFinite(n)) return Math.round(n * 1000);
  const d = Date.parse(s);
  if (!Number.isNaN(d) && /^\d{4}-\d{2}-\d{2}T/.test(s)) return d;
  throw new BadData(`invalid parameter "${name}": cannot parse "${s}" to a valid timestamp`);
}

/** Parses a step or timeout: float seconds or a Prometheus duration. Returns ms. */
export function parseDurationParam(name: string, s: string): number {
  const n = Number(s);
  if (s !== '' && Number.isFinite(n)) return Math.round(n * 1000);
  const d = parsePromDuration(s);
  if (d === undefined)
    throw new BadData(`invalid parameter "${name}": cannot parse "${s}" to a valid duration`);
  return d;
}

/**
 * Parses a series selector for `match[]`: `name`, `name{l="v",…}` or `{l=~"v",…}`, with
 * Go-style escapes in quoted values. Returns its matchers.
 */
export function parseSelector(input: string): Matcher[] {
  const s = input.trim();
  let i = 0;
  const fail = (why: string): never => {
    throw new BadData(`invalid parameter "match[]": 1:${i + 1}: parse error: ${why}`);
  };
  const out: Matcher[] = [];
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
  if (name !== null) {
    out.push({ name: '__name__', type: '=', value: name[0] });
    i = name[0].length;
  }
  if (i < s.length) {
    if (s[i] !== '{') fail(`unexpected character "${s[i]}"`);
    i++;
    for (;;) {
      while (s[i] === ' ') i++;
      if (s[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
      if (ln === null) fail('expected a label name');
      i += ln![0].length;
      while (s[i] === ' ') i++;
      const op = /^(=~|!~|!=|=)/.exec(s.slice(i));
      if (op === null) fail('expected a label matching operator');
      i += op![0].length;
      while (s[i] === ' ') i++;
      const q = s[i];
      if (q !== '"' && q !== "'" && q !== '`') fail('expected a quoted label value');
      i++;
      let v = '';
      while (i < s.length && s[i] !== q) {
        if (s[i] === '\\' && q !== '`') {
          const c = s[i + 1];
          v += c === 'n' ? '\n' : c === 't' ? '\t' : (c ?? '');
          i += 2;
        } else v += s[i++];
      }
      if (s[i] !== q) fail('unterminated quoted string');
      i++;
      out.push({ name: ln![0], type: op![0] as MatchType, value: v });
      while (s[i] === ' ') i++;
      if (s[i] === ',') i++;
      else if (s[i] !== '}') fail('expected "," or "}"');
    }
    if (i !== s.length) fail('unexpected characters after the selector');
  }
  for (const m of out)
    if (m.type === '=~' || m.type === '!~') {
      try {
        new RegExp(m.value);
      } catch (e) {
        fail(`invalid regular expression "${m.value}": ${(e as Error).message}`);
      }
    }
  if (out.every(matchesEmpty)) fail('vector selector must contain at least one non-empty matcher');
  return out;
}

/** Whether a matcher matches a missing label (the empty string). */
function matchesEmpty(m: Matcher): boolean {
  switch (m.type) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return new RegExp(`^(?:${m.value})$`, 's').test('');
    case '!~':
      return !new RegExp(`^(?:${m.value})$`, 's').test('');
  }
}
