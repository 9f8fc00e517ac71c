import { Registry } from '@canopy/telemetry';
import * as prom from 'prom-client';
import type { Case } from '../harness.js';
import { DIRECTION_SEQ, MASK } from '../inputs.js';
import { otelMeter } from '../otel.js';

// Each subject writes its loop out by hand: a shared `loop(n, op)` helper would make the
// `op()` call site megamorphic and stop the optimiser inlining any library's hot path.

function canopyCounter() {
  return new Registry().counter({
    type: 'counter',
    name: 'bench_relay_bytes_total',
    help: 'Bytes relayed.',
    unit: 'bytes',
    labels: { direction: { kind: 'enum', values: ['in', 'out'] } },
  } as const);
}

function promCounter() {
  return new prom.Counter({
    name: 'bench_relay_bytes_total',
    help: 'Bytes relayed.',
    labelNames: ['direction'] as const,
    registers: [new prom.Registry()],
  });
}

function otelCounter() {
  return otelMeter('bench').meter.createCounter('bench_relay_bytes', { description: 'Bytes.' });
}

/** A counter incremented through a handle resolved once, outside the loop. */
export const counterBound: Case = {
  name: 'counter inc, bound',
  about:
    'handle resolved once; otel has no bound instruments, so it gets a pre-built attributes object',
  setup() {
    const h = canopyCounter().labels({ direction: 'in' });
    const child = promCounter().labels('in');
    const oc = otelCounter();
    const attrs = { direction: 'in' };
    return [
      {
        lib: 'canopy',
        call: "c.labels({direction:'in'}) once; h.inc()",
        run(n) {
          for (let i = 0; i < n; i++) h.inc();
          return h.get();
        },
      },
      {
        lib: 'prom-client',
        call: "c.labels('in') once; child.inc()",
        run(n) {
          for (let i = 0; i < n; i++) child.inc();
          return n;
        },
      },
      {
        lib: 'opentelemetry',
        call: 'c.add(1, attrs) with attrs built once',
        run(n) {
          for (let i = 0; i < n; i++) oc.add(1, attrs);
          return n;
        },
      },
    ];
  },
};

/** A counter whose series is looked up from a label object on every increment. */
export const counterLabelled: Case = {
  name: 'counter inc, label lookup',
  about: 'label object built inline per call, direction varying over {in, out}',
  setup() {
    const c = canopyCounter();
    const pc = promCounter();
    const oc = otelCounter();
    return [
      {
        lib: 'canopy',
        call: 'c.labels({direction}).inc()',
        run(n) {
          for (let i = 0; i < n; i++) c.labels({ direction: DIRECTION_SEQ[i & MASK]! }).inc();
          return c.values[0]!;
        },
      },
      {
        lib: 'prom-client',
        call: 'c.inc({direction})',
        run(n) {
          for (let i = 0; i < n; i++) pc.inc({ direction: DIRECTION_SEQ[i & MASK]! });
          return n;
        },
      },
      {
        lib: 'opentelemetry',
        call: 'c.add(1, {direction})',
        run(n) {
          for (let i = 0; i < n; i++) oc.add(1, { direction: DIRECTION_SEQ[i & MASK]! });
          return n;
        },
      },
    ];
  },
};

/** The same lookup against prom-client's positional form, which skips the label object. */
export const counterLabelledPositional: Case = {
  name: 'counter inc, label lookup (prom positional)',
  about: "prom-client's other idiom, labels(value).inc(); canopy as in the row above",
  setup() {
    const c = canopyCounter();
    const pc = promCounter();
    return [
      {
        lib: 'canopy',
        call: 'c.labels({direction}).inc()',
        run(n) {
          for (let i = 0; i < n; i++) c.labels({ direction: DIRECTION_SEQ[i & MASK]! }).inc();
          return c.values[0]!;
        },
      },
      {
        lib: 'prom-client',
        call: 'c.labels(direction).inc()',
        run(n) {
          for (let i = 0; i < n; i++) pc.labels(DIRECTION_SEQ[i & MASK]!).inc();
          return n;
        },
      },
    ];
  },
};
