/**
 * `npm run bench -- --ui [--runs N] [--json]`: the web dashboard's first render of the
 * overview over 24 h of catalog-shaped history, in Debian's Chromium (see
 * packages/cli/src/testing/ui-render.ts). About 20 s.
 */
import { availableParallelism } from 'node:os';
import { measureFirstRender } from '@canopy/cli/testing/ui-render';

/** Runs the measurement and prints a table (or one JSON object). */
export async function runUiRender(json: boolean, runs: number): Promise<void> {
  const r = await measureFirstRender({ runs });
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const cached = r.warm.map((s) => s.firstRenderMs).sort((a, b) => a - b);
  const median = cached[Math.floor(cached.length / 2)] ?? NaN;
  if (json) {
    process.stdout.write(
      JSON.stringify({
        series: r.history.series,
        samples: r.history.samples,
        first_ms: r.first.firstRenderMs,
        cold_ms: r.cold.firstRenderMs,
        cached_ms: cached,
        cached_median_ms: median,
        api_requests: r.cold.requests,
        bundle_bytes: r.cold.bundleBytes,
      }) + '\n',
    );
    return;
  }
  process.stdout.write(
    [
      `overview over 24 h: ${r.history.series} series, ${r.history.samples.toLocaleString('en-US')} samples; ` +
        `${r.cold.requests} API requests; bundle ${(r.cold.bundleBytes / 1024).toFixed(1)} KiB transferred (gzip)`,
      `  hub just started (rules' first evaluations), empty cache  ${ms(r.first.firstRenderMs)}`,
      `  browser cache cleared                                      ${ms(r.cold.firstRenderMs)}`,
      `  cached bundle, median of ${cached.length}                              ${ms(median)}  (${cached.map(ms).join(', ')})`,
      `load average ${r.load[0].toFixed(2)} → ${r.load[1].toFixed(2)} on ${availableParallelism()} CPUs`,
    ].join('\n') + '\n',
  );
}
