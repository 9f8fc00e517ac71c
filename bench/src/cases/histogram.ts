import { Registry } from '@canopy/telemetry';
import * as prom from 'prom-client';
import type { Case } from '../harness.js';
import { BUCKETS, DIRECTION_SEQ, MASK, OBSERVATIONS } from '../inputs.js';
import { otelMeter } from '../otel.js';

// Loops are written out per subject; see counter.ts for why.

function canopyHistogram() {
  return new Registry().histogram({
    type: 'histogram',
    name: 'bench_sync_duration_seconds',
    help: 'Sync round duration.',
    unit: 'seconds',
    buckets: BUCKETS,
    labels: { direction: { kind: 'enum', values: ['in', 'out'] } },
  } as const);
}

function promHistogram() {
  return new prom.Histogram({
    name: 'bench_sync_duration_seconds',
    help: 'Sync round duration.',
    labelNames: ['direction'] as const,
    buckets: [...BUCKETS],
    registers: [new prom.Registry()],
  });
}

function otelHistogram() {
  return otelMeter('bench').meter.createHistogram('bench_sync_duration_seconds', {
    description: 'Sync round duration.',
    advice: { explicitBucketBoundaries: [...BUCKETS] },
  });
}

/** A histogram observed through a handle resolved once, outside the loop. */
export const histogramBound: Case = {
  name: 'histogram observe, bound',
  about: `${BUCKETS.length} buckets, values log-uniform over 1 ms..20 s; otel gets a pre-built attributes object`,
  setup() {
    const h = canopyHistogram();
    const hh = h.labels({ direction: 'in' });
    const child = promHistogram().labels('in');
    const oh = otelHistogram();
    const attrs = { direction: 'in' };
    return [
      {
        lib: 'canopy',
        call: "h.labels({direction:'in'}) once; hh.observe(v)",
        run(n) {
          for (let i = 0; i < n; i++) hh.observe(OBSERVATIONS[i & MASK]!);
          return h.data[h.stride - 1]!;
        },
      },
      {
        lib: 'prom-client',
        call: "h.labels('in') once; child.observe(v)",
        run(n) {
          for (let i = 0; i < n; i++) child.observe(OBSERVATIONS[i & MASK]!);
          return n;
        },
      },
      {
        lib: 'opentelemetry',
        call: 'h.record(v, attrs) with attrs built once',
        run(n) {
          for (let i = 0; i < n; i++) oh.record(OBSERVATIONS[i & MASK]!, attrs);
          return n;
        },
      },
    ];
  },
};

/** A histogram whose series is looked up from a label object on every observation. */
export const histogramLabelled: Case = {
  name: 'histogram observe, label lookup',
  about: 'label object built inline per call, direction varying over {in, out}',
  setup() {
    const h = canopyHistogram();
    const ph = promHistogram();
    const oh = otelHistogram();
    return [
      {
        lib: 'canopy',
        call: 'h.labels({direction}).observe(v)',
        run(n) {
          for (let i = 0; i < n; i++)
            h.labels({ direction: DIRECTION_SEQ[i & MASK]! }).observe(OBSERVATIONS[i & MASK]!);
          return h.data[h.stride - 1]!;
        },
      },
      {
        lib: 'prom-client',
        call: 'h.observe({direction}, v)',
        run(n) {
          for (let i = 0; i < n; i++)
            ph.observe({ direction: DIRECTION_SEQ[i & MASK]! }, OBSERVATIONS[i & MASK]!);
          return n;
        },
      },
      {
        lib: 'opentelemetry',
        call: 'h.record(v, {direction})',
        run(n) {
          for (let i = 0; i < n; i++)
            oh.record(OBSERVATIONS[i & MASK]!, { direction: DIRECTION_SEQ[i & MASK]! });
          return n;
        },
      },
    ];
  },
};
