/**
 * VictoriaMetrics' JSON lines export format (`/api/v1/export`, also what its
 * `/api/v1/import` reads): one series per line,
 * `{"metric":{"__name__":"up","job":"a"},"values":[1,1],"timestamps":[1700000000000,1700000015000]}`.
 * Values may be numbers, the strings VictoriaMetrics writes for special values (`"NaN"`,
 * `"Inf"`, `"-Inf"`), or `null`, which is how its export writes a staleness marker (read
 * back as Prometheus's staleness marker).
 */
import { STALE_NAN } from '../model.js';
import type { ImportSink } from './text-lines.js';

/**
 * Parses JSON lines (a whole body or a piece ending at a line end); `firstLine` numbers the
 * first line of `text`. A bad line is reported to the sink and skipped.
 *
 * @example parseVmJsonLines('{"metric":{"__name__":"up"},"values":[1],"timestamps":[1000]}\n', 1, sink)
 */
export function parseVmJsonLines(text: string, firstLine: number, sink: ImportSink): void {
  let pos = 0;
  let line = firstLine - 1;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    line++;
    const src = text.slice(pos, end).trim();
    pos = end + 1;
    if (src === '') continue;
    const problem = parseLine(src, line, sink);
    if (problem !== undefined) sink.rejected(line, problem);
  }
}

function parseLine(src: string, line: number, sink: ImportSink): string | undefined {
  let o: unknown;
  try {
    o = JSON.parse(src);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    return 'expected an object {"metric":{…},"values":[…],"timestamps":[…]}';
  const { metric, values, timestamps } = o as Record<string, unknown>;
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric))
    return '"metric" must be an object of label names to string values';
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) {
    if (typeof v !== 'string') return `label ${JSON.stringify(k)} must be a string`;
    if (v !== '') labels[k] = v;
  }
  if (!Array.isArray(values) || !Array.isArray(timestamps))
    return '"values" and "timestamps" must be arrays';
  if (values.length !== timestamps.length)
    return `${values.length} values but ${timestamps.length} timestamps`;
  for (let i = 0; i < values.length; i++) {
    const t = timestamps[i] as unknown;
    if (typeof t !== 'number' || !Number.isSafeInteger(t))
      return `timestamps[${i}] must be an integer number of milliseconds, got ${JSON.stringify(t)}`;
    const v = value(values[i]);
    if (v === undefined) return `values[${i}] is not a number: ${JSON.stringify(values[i])}`;
  }
  for (let i = 0; i < values.length; i++) {
    sink.sample({ labels, t: timestamps[i] as number, v: value(values[i])!, line });
  }
  return undefined;
}

function value(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (x === null) return STALE_NAN;
  if (typeof x !== 'string') return undefined;
  switch (x.toLowerCase()) {
    case 'nan':
      return NaN;
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default: {
      const n = Number(x);
      return x.trim() !== '' && !Number.isNaN(n) ? n : undefined;
    }
  }
}
