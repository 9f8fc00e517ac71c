/** Text helpers shared by both exposition formats. Called when series are created, not per sample. */

/** Escapes a label value: backslash, double quote and newline (both formats). */
export function escapeLabelValue(v: string): string {
  if (!/[\\"\n]/.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text for the Prometheus text format: backslash and newline. */
export function escapeHelpText(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Escapes HELP text for OpenMetrics: backslash, newline and double quote. */
export function escapeHelpOpenMetrics(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * Formats a sample value as both formats expect: `NaN`, `+Inf`, `-Inf`, otherwise the
 * shortest round-trip decimal.
 */
export function formatValue(v: number): string {
  if (v === v && v !== Infinity && v !== -Infinity) return '' + v;
  return v !== v ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/** Renders `{a="x",b="y"}` (or `''` when empty) from ordered pairs. */
export function renderLabelBlock(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  let s = '{';
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i]!;
    if (i > 0) s += ',';
    s += p[0] + '="' + escapeLabelValue(p[1]) + '"';
  }
  return s + '}';
}
