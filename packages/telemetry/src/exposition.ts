import type { Registry, ExpositionFormat, AnyMetric } from './registry.js';
import { escapeHelpOpenMetrics, escapeHelpText, escapeLabelValue, formatValue } from './format.js';

/** Content type of the Prometheus text format 0.0.4. */
export const CONTENT_TYPE_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0. */
export const CONTENT_TYPE_OPENMETRICS =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * Picks the format from an `Accept` header: OpenMetrics when the client lists
 * `application/openmetrics-text` with a q-value at least that of any text/plain entry,
 * otherwise the text format.
 *
 * @example negotiate('application/openmetrics-text;version=1.0.0,text/plain;q=0.5') // 'openmetrics'
 */
export function negotiate(accept: string | undefined): ExpositionFormat {
  // Media types are case-insensitive (RFC 9110), so the quick check is too.
  if (accept === undefined || !/openmetrics/i.test(accept)) return 'text';
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number(v);
    }
    if (!(q >= 0)) q = 0;
    const t = type.trim().toLowerCase();
    if (t === 'application/openmetrics-text') om = Math.max(om, q);
    else if (t === 'text/plain' || t === '*/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}

/** Content type header value for a format. */
export function contentType(format: ExpositionFormat): string {
  return format === 'openmetrics' ? CONTENT_TYPE_OPENMETRICS : CONTENT_TYPE_TEXT;
}

function header(m: AnyMetric, om: boolean): string {
  const spec = m.spec;
  if (!om) {
    return `# HELP ${spec.name} ${escapeHelpText(spec.help)}\n# TYPE ${spec.name} ${spec.type}\n`;
  }
  const family = spec.type === 'counter' ? spec.name.slice(0, -'_total'.length) : spec.name;
  let s = `# TYPE ${family} ${spec.type}\n`;
  if (spec.unit !== undefined) s += `# UNIT ${family} ${spec.unit}\n`;
  return s + `# HELP ${family} ${escapeHelpOpenMetrics(spec.help)}\n`;
}

const headerCache = new WeakMap<AnyMetric, [string, string]>();

function cachedHeader(m: AnyMetric, om: boolean): string {
  let h = headerCache.get(m);
  if (h === undefined) {
    h = [header(m, false), header(m, true)];
    headerCache.set(m, h);
  }
  return om ? h[1] : h[0];
}

function selfMetrics(r: Registry, om: boolean): string {
  const st = r.stats;
  const created = formatValue(r.createdAt);
  let s = '';
  s += om
    ? '# TYPE canopy_telemetry_scrape_duration_seconds gauge\n# UNIT canopy_telemetry_scrape_duration_seconds seconds\n# HELP canopy_telemetry_scrape_duration_seconds Time the previous render of this registry took.\n'
    : '# HELP canopy_telemetry_scrape_duration_seconds Time the previous render of this registry took.\n# TYPE canopy_telemetry_scrape_duration_seconds gauge\n';
  s += `canopy_telemetry_scrape_duration_seconds ${formatValue(st.lastDurationSeconds)}\n`;
  s += om
    ? '# TYPE canopy_telemetry_scrapes counter\n# HELP canopy_telemetry_scrapes Renders of this registry.\n'
    : '# HELP canopy_telemetry_scrapes_total Renders of this registry.\n# TYPE canopy_telemetry_scrapes_total counter\n';
  s += `canopy_telemetry_scrapes_total ${st.scrapes}\n`;
  if (om) s += `canopy_telemetry_scrapes_created ${created}\n`;
  s += om
    ? '# TYPE canopy_telemetry_series gauge\n# HELP canopy_telemetry_series Active series per metric.\n'
    : '# HELP canopy_telemetry_series Active series per metric.\n# TYPE canopy_telemetry_series gauge\n';
  for (const m of r.metrics)
    s += `canopy_telemetry_series{metric="${escapeLabelValue(m.name)}"} ${m.activeSeries}\n`;
  s += om
    ? '# TYPE canopy_telemetry_label_overflow counter\n# HELP canopy_telemetry_label_overflow Label values outside the declared set, folded into \\"other\\".\n'
    : '# HELP canopy_telemetry_label_overflow_total Label values outside the declared set, folded into "other".\n# TYPE canopy_telemetry_label_overflow_total counter\n';
  for (const m of r.metrics) {
    for (const res of m.resolvers) {
      const lb = `{metric="${escapeLabelValue(m.name)}",label="${escapeLabelValue(res.name)}"}`;
      s += `canopy_telemetry_label_overflow_total${lb} ${res.overflow}\n`;
      if (om) s += `canopy_telemetry_label_overflow_created${lb} ${created}\n`;
    }
  }
  return s;
}

/**
 * Renders a registry as a sequence of parts (one per metric family), so a caller can write
 * or yield between them. Runs collect callbacks first and updates self-metric statistics.
 */
export function* renderParts(r: Registry, format: ExpositionFormat): Generator<string> {
  const om = format === 'openmetrics';
  const t0 = performance.now();
  r.runCollectors();
  for (const m of r.metrics) {
    if (m.activeSeries === 0) continue;
    yield cachedHeader(m, om) + m.renderSamples(om);
  }
  if (r.selfMetrics) {
    r.stats.scrapes++;
    yield selfMetrics(r, om);
    r.stats.lastDurationSeconds = (performance.now() - t0) / 1000;
  }
  if (om) yield '# EOF\n';
}

/**
 * Renders a registry without holding the event loop for more than `sliceMs` (default 2 ms)
 * at a time: families are joined into chunks and the loop is yielded between chunks.
 *
 * @example for await (const chunk of renderChunks(registry, 'openmetrics')) res.write(chunk);
 */
export async function* renderChunks(
  r: Registry,
  format: ExpositionFormat,
  sliceMs = 2,
): AsyncGenerator<string> {
  let buf = '';
  let start = performance.now();
  for (const part of renderParts(r, format)) {
    buf += part;
    if (performance.now() - start >= sliceMs) {
      yield buf;
      buf = '';
      await new Promise<void>((resolve) => setImmediate(resolve));
      start = performance.now();
    }
  }
  if (buf !== '') yield buf;
}
