/**
 * Translates the RE2 syntax Prometheus accepts into an equivalent JavaScript pattern, for the
 * constructs JavaScript (without the `u` flag) lacks or reads differently:
 * `(?P<name>…)`, inline flags `(?i)` / `(?i:…)` / `(?s)` / `(?-i)`, `\z`, `\Q…\E` and POSIX
 * classes like `[[:alpha:]]`. Case-insensitivity is expanded into character classes
 * (`(?i)ab` → `[aA][bB]`), so the result needs no flags.
 *
 * @example toJsRegex('(?i)prod.*') // '[pP][rR][oO][dD].*'
 */
export function toJsRegex(src: string): string {
  if (!/\(\?[imsU-]|\(\?P<|\\[zQpPx]|\[:/.test(src)) return src;
  let out = '';
  // Case-insensitivity per open group; the last entry is the current scope.
  const scopes: boolean[] = [false];
  let i = 0;
  const icase = (): boolean => scopes[scopes.length - 1]!;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const e = src[i + 1];
      if (e === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = src.slice(i + 2, end < 0 ? src.length : end);
        for (const ch of lit) out += literal(ch, icase(), true);
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      if (e === 'z') {
        out += '$';
        i += 2;
        continue;
      }
      const esc = unicodeEscape(src, i);
      if (esc !== undefined) {
        out += esc[1] ? `[^${esc[0]}]` : `[${esc[0]}]`;
        i = esc[2];
        continue;
      }
      out += c + (e ?? '');
      i += 2;
      continue;
    }
    if (c === '[') {
      const [cls, next] = charClass(src, i, icase());
      out += cls;
      i = next;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?([imsU]*)(?:-([imsU]*))?(\)|:)/.exec(src.slice(i));
      if (flags !== null && (flags[1] !== '' || flags[2] !== undefined)) {
        let ci = icase();
        if (flags[1]!.includes('i')) ci = true;
        if (flags[2]?.includes('i') === true) ci = false;
        if (flags[3] === ')') {
          // (?i) changes the rest of the current group.
          scopes[scopes.length - 1] = ci;
        } else {
          scopes.push(ci);
          out += '(?:';
        }
        i += flags[0].length;
        continue;
      }
      const opener = /^\(\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|:)/.exec(src.slice(i));
      if (opener !== null) {
        out += opener[1] === undefined ? '(?:' : `(?<${opener[1]}>`;
        i += opener[0].length;
      } else {
        out += c;
        i++;
      }
      scopes.push(icase());
      continue;
    }
    if (c === ')') {
      if (scopes.length > 1) scopes.pop();
      out += c;
      i++;
      continue;
    }
    out += literal(c, icase());
    i++;
  }
  return out;
}

/** One pattern character; letters become `[xX]` under (?i), quoted metacharacters are escaped. */
function literal(ch: string, icase: boolean, quoted = false): string {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (icase && lower !== upper) return `[${lower}${upper}]`;
  return quoted && /[\\^$.|?*+()[\]{}]/.test(ch) ? '\\' + ch : ch;
}

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Translates the character class starting at `start`; returns it and the index after it. */
function charClass(src: string, start: number, icase: boolean): [string, number] {
  let i = start + 1;
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  // A `]` right after `[` or `[^` is a literal.
  if (src[i] === ']') {
    out += '\\]';
    i++;
  }
  const extra: string[] = [];
  while (i < src.length && src[i] !== ']') {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
    if (posix !== null && POSIX[posix[2]!] !== undefined) {
      // Negated POSIX classes inside a class have no JS equivalent; keep them positive.
      const name = posix[2]!;
      out += icase && (name === 'upper' || name === 'lower') ? 'A-Za-z' : POSIX[name];
      i += posix[0].length;
      continue;
    }
    if (src[i] === '\\') {
      const esc = unicodeEscape(src, i);
      // A negated Unicode class inside a class has no BMP-range form; keep it positive.
      out += esc !== undefined ? esc[0] : src.slice(i, i + 2);
      i = esc !== undefined ? esc[2] : i + 2;
      continue;
    }
    const ch = src[i]!;
    if (src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']') {
      const to = src[i + 2]!;
      out += `${ch}-${to}`;
      if (icase) {
        if (/[a-z]/.test(ch) && /[a-z]/.test(to))
          extra.push(`${ch.toUpperCase()}-${to.toUpperCase()}`);
        else if (/[A-Z]/.test(ch) && /[A-Z]/.test(to))
          extra.push(`${ch.toLowerCase()}-${to.toLowerCase()}`);
      }
      i += 3;
      continue;
    }
    out += ch === '[' ? '\\[' : ch;
    if (icase && ch.toLowerCase() !== ch.toUpperCase()) {
      extra.push(ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase());
    }
    i++;
  }
  return [out + extra.join('') + ']', i + 1];
}

const unicodeClasses = new Map<string, string>();

/**
 * The BMP ranges of a Unicode class (`L`, `Greek`, …) as the body of a character class,
 * worked out once per class with JavaScript's own Unicode tables.
 */
function unicodeClassRanges(name: string): string | undefined {
  let ranges = unicodeClasses.get(name);
  if (ranges !== undefined) return ranges;
  let re: RegExp;
  try {
    re = new RegExp(`^\\p{${name}}$`, 'u');
  } catch {
    try {
      re = new RegExp(`^\\p{Script=${name}}$`, 'u');
    } catch {
      return undefined;
    }
  }
  const hex = (c: number): string => '\\u' + c.toString(16).padStart(4, '0');
  ranges = '';
  for (let c = 0; c <= 0xffff; c++) {
    if (c >= 0xd800 && c < 0xe000) continue;
    if (!re.test(String.fromCharCode(c))) continue;
    let end = c;
    while (
      end + 1 <= 0xffff &&
      !(end + 1 >= 0xd800 && end + 1 < 0xe000) &&
      re.test(String.fromCharCode(end + 1))
    )
      end++;
    ranges += end === c ? hex(c) : `${hex(c)}-${hex(end)}`;
    c = end;
  }
  unicodeClasses.set(name, ranges);
  return ranges;
}

/**
 * `\pL`, `\p{Greek}`, `\PL` and `\x{263a}` at `i`: the class body (or the escaped character),
 * whether it is negated, and the index after it; undefined for other escapes.
 */
function unicodeEscape(src: string, i: number): [string, boolean, number] | undefined {
  const m = /^\\(?:([pP])(?:\{\^?([A-Za-z_]+)\}|([A-Za-z]))|x\{([0-9a-fA-F]{1,6})\})/.exec(
    src.slice(i),
  );
  if (m === null) return undefined;
  if (m[4] !== undefined) {
    const cp = parseInt(m[4], 16);
    const s = cp <= 0xffff ? '\\u' + cp.toString(16).padStart(4, '0') : String.fromCodePoint(cp);
    return [s, false, i + m[0].length];
  }
  const ranges = unicodeClassRanges(m[2] ?? m[3]!);
  if (ranges === undefined) return undefined;
  const negated = (m[1] === 'P') !== m[0].includes('{^');
  return [ranges, negated, i + m[0].length];
}
