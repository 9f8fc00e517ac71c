/**
 * The shape of a PII rule as the generators need it. It mirrors `ScrubRule` of
 * `@canopy/telemetry` structurally (stack may not import telemetry): the CLI passes
 * `SCRUB_RULES` straight in.
 * @module
 */

/** One rule: RE2- and JS-compatible `source` (and optional kept `prefix`), and its token. */
export interface PiiRule {
  readonly name: string;
  readonly description?: string;
  /** Kept context before the sensitive text (e.g. `/p2p/`), non-capturing RE2. */
  readonly prefix?: string;
  /** The sensitive text, non-capturing RE2. */
  readonly source: string;
  /** What the sensitive text becomes, e.g. `<peer>`. */
  readonly replacement: string;
}

/** Thrown when a rule cannot be emitted for Go's RE2 engine. */
export class PiiRuleError extends Error {
  override readonly name = 'PiiRuleError';
}

// Constructs Go's RE2 rejects or reads differently, with what to use instead.
const UNSUPPORTED: ReadonlyArray<[RegExp, string]> = [
  [/\(\?<?[=!]/, 'lookaround (?= (?! (?<= (?<! — RE2 has none; widen the class instead'],
  [/\\[1-9]/, 'a backreference \\1 — RE2 has none'],
  [/\(\?<[A-Za-z]/, 'a JS named group (?<name> — use (?: )'],
  [/\\[pPu]\{?/, 'a Unicode escape — keep rules ASCII'],
  [/\((?!\?)/, 'a capturing group — use (?: ) so generators can number their own groups'],
];

/**
 * Checks that `rule` can be emitted: no lookaround, backreferences, capturing or named
 * groups, Unicode escapes, and a replacement without `$` (relabel would expand it).
 *
 * @example assertEmittable({ name: 'ipv4', source: '\\d+(?:\\.\\d+){3}', replacement: '<ip>' });
 */
export function assertEmittable(rule: PiiRule): void {
  for (const [field, text] of [
    ['prefix', rule.prefix ?? ''],
    ['source', rule.source],
  ] as const) {
    // Escaped parentheses are literal; drop them before looking for groups.
    const bare = text
      .replace(/\\\\/g, '')
      .replace(/\\[()]/g, '')
      .replace(/\[[^\]]*\]/g, '[]');
    for (const [re, what] of UNSUPPORTED)
      if (re.test(bare))
        throw new PiiRuleError(
          `PII rule '${rule.name}': ${field} uses ${what} (${field}: ${JSON.stringify(text)})`,
        );
  }
  if (rule.replacement.includes('$'))
    throw new PiiRuleError(
      `PII rule '${rule.name}': replacement ${JSON.stringify(rule.replacement)} contains '$', which relabel would expand; use a plain token like <peer>`,
    );
}
