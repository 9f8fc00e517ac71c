/**
 * Bytes per sample on disk against the targets: ≤ 1.4 B/sample, and ≤ 1.5× VictoriaMetrics
 * fed the same samples. 392 catalog-like series × 12 h at 15 s (1.1 M samples): large enough
 * that fixed costs (empty pages, VictoriaMetrics' index files) don't dominate, small enough
 * for a test. The full-size numbers: `node packages/hub/dist/tsdb/bytes-per-sample.js`.
 *
 * Needs the `victoria-metrics` Debian package: skipped without it, unless CI is set (then
 * its absence is a failure).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measureBytesPerSample } from './bytes-per-sample.js';
import { VICTORIA_BIN, victoriaAvailable } from './victoria.js';

const ci = process.env.CI !== undefined && process.env.CI !== '';
const skip =
  !victoriaAvailable() && !ci
    ? `${VICTORIA_BIN} missing: apt-get install -y victoria-metrics (required when CI is set)`
    : false;

describe('bytes per sample', () => {
  it(
    'is ≤ 1.4 and ≤ 1.5× VictoriaMetrics on catalog-like data',
    { skip, timeout: 120_000 },
    async () => {
      assert.ok(victoriaAvailable(), `${VICTORIA_BIN} is required when CI is set`);
      const r = await measureBytesPerSample({
        targets: 2,
        durationMs: 12 * 3_600_000,
        victoria: true,
      });
      const msg = `canopy ${r.canopy.toFixed(3)} B/sample, victoria ${r.victoria?.toFixed(3)} B/sample`;
      assert.equal(r.samples, 392 * 2880);
      assert.ok(r.canopy <= 1.4, msg);
      assert.ok(r.victoria !== undefined && r.canopy <= 1.5 * r.victoria, msg);
    },
  );
});
