import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '@canopy/telemetry';
import { setupTracing, traceparentOf } from '@canopy/telemetry/tracing';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ActorSystem, type ActorContext, type TraceCarrier } from './actor.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function traced() {
  const exporter = new InMemorySpanExporter();
  const tracing = setupTracing({ service: 'test', exporter, batchDelayMs: 10 });
  const system = new ActorSystem(new Registry(), tracing.tracer);
  return { exporter, tracing, system };
}

test('a traced actor handles each message in a span: child of the carrier, attribute actor, its context passed on', async () => {
  const { exporter, tracing, system } = traced();
  const seen: ActorContext[] = [];
  const a = system.spawn<number, number>(
    'relay_fanout',
    () => (n, ctx) => {
      seen.push(ctx);
      ctx.span?.setAttribute('canopy.fanout.recipients', n);
      return n;
    },
    { span: 'relay fan-out' },
  );
  const tc: TraceCarrier = { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'k=v' };
  assert.equal(await a.ask(3, tc), 3);
  await a.ask(4); // no carrier: a new trace
  await tracing.forceFlush();
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 2);
  const [child, root] = spans as [(typeof spans)[0], (typeof spans)[0]];
  assert.equal(child.name, 'relay fan-out');
  assert.deepEqual(child.attributes, { actor: 'relay_fanout', 'canopy.fanout.recipients': 3 });
  assert.equal(child.spanContext().traceId, TRACE);
  assert.equal(child.parentSpanContext?.spanId, PARENT);
  assert.notEqual(root.spanContext().traceId, TRACE);
  assert.equal(root.parentSpanContext, undefined);
  // The handler passes on its own span's context (and the sender's tracestate).
  assert.equal(seen[0]!.trace?.traceparent, `00-${TRACE}-${child.spanContext().spanId}-01`);
  assert.equal(seen[0]!.trace?.tracestate, 'k=v');
  system.stop();
  await tracing.shutdown();
});

test('malformed carriers start a new trace and never reach the handler as an error', async () => {
  const { exporter, tracing, system } = traced();
  let handled = 0;
  const a = system.spawn<number>('replay_applier', () => () => void handled++, {
    span: 'replay apply',
  });
  const bad: unknown[] = [
    { traceparent: 'garbage' },
    { traceparent: `00-${TRACE.toUpperCase()}-${PARENT}-01` },
    { traceparent: 42 },
    'a string',
    null,
    [],
  ];
  for (const tc of bad) await a.ask(1, tc as TraceCarrier);
  assert.equal(handled, bad.length);
  await tracing.forceFlush();
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, bad.length);
  for (const s of spans) assert.equal(s.parentSpanContext, undefined, 'a new root');
  system.stop();
  await tracing.shutdown();
});

test('a panic marks the span ERROR with a fixed message; the asker still gets the error', async () => {
  const { exporter, tracing, system } = traced();
  const a = system.spawn<string>(
    'storage_writer',
    () => (msg) => {
      throw new Error(`failed for peer ${msg}`);
    },
    { span: 'storage write batch', backoffMs: 1 },
  );
  await assert.rejects(a.ask('12D3KooWsecret'), /failed for peer/);
  await tracing.forceFlush();
  const [s] = exporter.getFinishedSpans();
  assert.deepEqual(s?.status, { code: 2, message: 'panic' });
  assert.ok(!JSON.stringify(s?.attributes).includes('12D3KooW'));
  system.stop();
  await tracing.shutdown();
});

test('untraced: no span, the message carrier passes through as is', async () => {
  for (const [system, opts] of [
    [new ActorSystem(new Registry()), { span: 'relay fan-out' }],
    [traced().system, {}],
  ] as const) {
    const seen: ActorContext[] = [];
    const a = system.spawn<number>('relay_session', () => (_n, ctx) => void seen.push(ctx), opts);
    const tc = { traceparent: `00-${TRACE}-${PARENT}-00` };
    await a.ask(1, tc);
    await a.ask(2);
    assert.equal(seen[0]!.trace, tc);
    assert.equal(seen[0]!.span, undefined);
    assert.equal(seen[1]!.trace, undefined);
    system.stop();
  }
});

test('the traceparent a traced actor passes on is the one traceparentOf gives for its span', async () => {
  const { tracing, system } = traced();
  let tp = '';
  const a = system.spawn<number>(
    'replay_sync',
    () => (_n, ctx) => {
      tp = ctx.trace?.traceparent ?? '';
      assert.equal(tp, traceparentOf(ctx.span!));
    },
    { span: 'replay sync session' },
  );
  await a.ask(1);
  assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  system.stop();
  await tracing.shutdown();
});
