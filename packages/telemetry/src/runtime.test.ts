import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Registry } from './registry.js';
import { collectRuntimeMetrics, runtimeSpecs } from './runtime.js';
import { validateSpec } from './validate.js';

const gc = (globalThis as { gc?: () => void }).gc;
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/** Series -> value of a text render. */
function scrape(r: Registry): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of r.render('text').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

function value(m: Map<string, number>, series: string): number {
  const v = m.get(series);
  assert.ok(v !== undefined, `no series ${series} in ${[...m.keys()].join(', ')}`);
  return v;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Holds the event loop for `ms` of wall time. */
function busy(ms: number): number {
  const end = Date.now() + ms;
  let spins = 0;
  while (Date.now() < end) spins++;
  return spins;
}

const GC_KINDS = ['minor', 'major', 'incremental', 'weakcb'];
const gcSeries = (kind: string): string => `nodejs_gc_duration_seconds_total{kind="${kind}"}`;

describe('runtime metrics', () => {
  it('have valid specs', () => {
    for (const spec of Object.values(runtimeSpecs)) validateSpec(spec);
  });

  it('use the conventional names and plausible values', () => {
    const r = new Registry();
    collectRuntimeMetrics(r);
    const m = scrape(r);
    assert.ok(value(m, 'process_cpu_seconds_total') > 0);
    assert.ok(value(m, 'process_resident_memory_bytes') > 1e6);
    const used = value(m, 'nodejs_heap_size_used_bytes');
    const total = value(m, 'nodejs_heap_size_total_bytes');
    assert.ok(used > 0 && used <= total, `${used} of ${total}`);
    assert.ok(value(m, 'nodejs_heap_size_limit_bytes') >= total);
    assert.ok(value(m, 'nodejs_external_memory_bytes') >= 0);
    const start = value(m, 'process_start_time_seconds');
    assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 60, String(start));
    if (process.platform === 'linux') assert.ok(value(m, 'process_open_fds') > 2);
    assert.equal(value(m, 'nodejs_eventloop_lag_seconds'), 0);
    assert.equal(value(m, 'nodejs_eventloop_lag_p99_seconds'), 0);
    assert.equal(value(m, 'nodejs_eventloop_lag_max_seconds'), 0);
    for (const kind of GC_KINDS) assert.ok(value(m, gcSeries(kind)) >= 0);
    assert.equal(value(m, 'canopy_telemetry_series{metric="nodejs_gc_duration_seconds_total"}'), 4);
  });

  it('report total CPU as user + system', () => {
    const r = new Registry();
    collectRuntimeMetrics(r);
    busy(5);
    const m = scrape(r);
    const user = value(m, 'process_cpu_user_seconds_total');
    const system = value(m, 'process_cpu_system_seconds_total');
    assert.ok(user > 0);
    assert.ok(Math.abs(value(m, 'process_cpu_seconds_total') - (user + system)) < 1e-9);
  });

  it('declare units and counter families in OpenMetrics', () => {
    const r = new Registry();
    collectRuntimeMetrics(r);
    const om = r.render('openmetrics');
    assert.ok(
      om.includes('# TYPE process_cpu_seconds counter\n# UNIT process_cpu_seconds seconds\n'),
    );
    assert.ok(om.includes('# TYPE nodejs_gc_duration_seconds counter\n'));
    assert.match(om, /^nodejs_gc_duration_seconds_created\{kind="major"\} \d/m);
    assert.ok(om.endsWith('# EOF\n'));
  });

  it('pass promtool check metrics', { skip: !hasPromtool && 'promtool not installed' }, () => {
    const r = new Registry();
    collectRuntimeMetrics(r);
    const res = spawnSync('promtool', ['check', 'metrics'], {
      input: r.render('text'),
      encoding: 'utf8',
    });
    assert.equal(res.status, 0, res.stdout + res.stderr);
  });
});

describe(
  'runtime metrics arm on the first scrape',
  { skip: gc === undefined && 'needs --expose-gc' },
  () => {
    it('measure nothing before it, then event-loop lag and GC after it', async () => {
      const r = new Registry();
      collectRuntimeMetrics(r, { idleMs: 60_000 });
      // Work the loop and the collector before anyone scrapes: nothing is listening yet.
      await sleep(20);
      busy(60);
      gc!();
      await sleep(30);
      const first = scrape(r);
      assert.equal(value(first, 'nodejs_eventloop_lag_seconds'), 0);
      assert.equal(value(first, 'nodejs_eventloop_lag_max_seconds'), 0);
      for (const kind of GC_KINDS) assert.equal(value(first, gcSeries(kind)), 0, kind);

      // Armed now: a blocked loop shows up in the next scrape.
      await sleep(20);
      busy(60);
      await sleep(30);
      const second = scrape(r);
      assert.ok(value(second, 'nodejs_eventloop_lag_seconds') > 0);
      assert.ok(value(second, 'nodejs_eventloop_lag_p99_seconds') > 0);
      assert.ok(value(second, 'nodejs_eventloop_lag_max_seconds') >= 0.05);

      // And a full GC is counted as major once the observer has delivered it.
      gc!();
      let major = 0;
      for (let i = 0; i < 50 && major === 0; i++) {
        await sleep(10);
        major = value(scrape(r), gcSeries('major'));
      }
      assert.ok(major > 0, 'a forced GC is counted as major');
    });

    it('stop measuring when scrapes are further apart than idleMs', async () => {
      const r = new Registry();
      collectRuntimeMetrics(r, { idleMs: 1 });
      for (let round = 0; round < 3; round++) {
        scrape(r); // arms for 1 ms
        await sleep(20); // disarmed by now
        busy(30);
        gc!();
        await sleep(20);
        const m = scrape(r);
        assert.equal(value(m, 'nodejs_eventloop_lag_max_seconds'), 0, `round ${round}`);
        assert.equal(value(m, gcSeries('major')), 0, `round ${round}`);
      }
    });
  },
);
