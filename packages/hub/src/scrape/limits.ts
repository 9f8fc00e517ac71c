/**
 * Per-series label limits (`label_limit`, `label_name_length_limit`,
 * `label_value_length_limit`), checked as Prometheus checks them: the count includes
 * `__name__` and target labels, lengths are in UTF-8 bytes, the metric name counts as the
 * value of `__name__`, and 0 means no limit.
 */

/** Label limits; 0 or absent means no limit. */
export interface LabelLimits {
  /** Most labels per series, `__name__` and target labels included. */
  readonly labelLimit?: number;
  /** Longest label name, in bytes. */
  readonly labelNameLengthLimit?: number;
  /** Longest label value (and metric name), in bytes. */
  readonly labelValueLengthLimit?: number;
}

/** The UTF-8 length of `s` if it exceeds `limit`; skips encoding when it cannot. */
function exceeds(s: string, limit: number): number | undefined {
  if (s.length * 3 <= limit) return undefined;
  const n = Buffer.byteLength(s, 'utf8');
  return n > limit ? n : undefined;
}

function cut(s: string): string {
  return s.length > 50 ? s.slice(0, 50) : s;
}

/**
 * Checks one series against `limits`. `labels` may or may not hold `__name__`; `count` is
 * the number of labels the stored series has, `__name__` included. Returns Prometheus's
 * message for the first limit broken, or undefined.
 *
 * @example
 * checkLabelLimits('up', { a: 'x' }, 2, { labelLimit: 1 })
 * // 'label_limit exceeded (metric: up, number of labels: 2, limit: 1)'
 */
export function checkLabelLimits(
  name: string,
  labels: Readonly<Record<string, string>>,
  count: number,
  limits: LabelLimits,
): string | undefined {
  const labelLimit = limits.labelLimit ?? 0;
  const nameLimit = limits.labelNameLengthLimit ?? 0;
  const valueLimit = limits.labelValueLengthLimit ?? 0;
  if (labelLimit > 0 && count > labelLimit)
    return `label_limit exceeded (metric: ${cut(name)}, number of labels: ${count}, limit: ${labelLimit})`;
  if (valueLimit > 0) {
    const n = exceeds(name, valueLimit);
    if (n !== undefined) return valueMessage(name, '__name__', name, n, valueLimit);
  }
  if (nameLimit === 0 && valueLimit === 0) return undefined;
  for (const k in labels) {
    if (k === '__name__') continue;
    if (nameLimit > 0 && k.length > nameLimit)
      return `label_name_length_limit exceeded (metric: ${cut(name)}, label name: ${cut(k)}, length: ${k.length}, limit: ${nameLimit})`;
    if (valueLimit > 0) {
      const v = labels[k]!;
      const n = exceeds(v, valueLimit);
      if (n !== undefined) return valueMessage(name, k, v, n, valueLimit);
    }
  }
  return undefined;
}

function valueMessage(name: string, label: string, v: string, n: number, limit: number): string {
  return `label_value_length_limit exceeded (metric: ${cut(name)}, label name: ${cut(label)}, value: ${JSON.stringify(cut(v))}, length: ${n}, limit: ${limit})`;
}
