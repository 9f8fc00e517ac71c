import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ScrubSpanProcessor } from './scrub-processor.js';
import { createScrubber } from '../scrub/scrubber.js';

const PEER = '12D3KooWA3kYECwNt8gn3uFTDrGMLdD9crgRyDNWAberdJfQM1dP';
const CID = 'QmRgHHkmzVNnG6MEuuMWN9WXoYgt9yNJ1vLYqQBpZUBxV7';

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new ScrubSpanProcessor(new SimpleSpanProcessor(exporter), createScrubber())],
  });
  return { exporter, provider, tracer: provider.getTracer('test') };
}

describe('ScrubSpanProcessor', () => {
  it('scrubs name, attributes, arrays, events, exceptions, links and status; keeps ids', async () => {
    const { exporter, provider, tracer } = setup();
    const other = tracer.startSpan('other');
    const span = tracer.startSpan(`dial ${PEER}`, {
      links: [{ context: other.spanContext(), attributes: { 'peer.addr': '10.7.7.7' } }],
    });
    span.setAttributes({
      'net.peer.ip': '10.1.2.3',
      'p2p.peers': [PEER, 'self'],
      'content.cid': CID,
      [`by.${PEER}`]: 1,
      count: 3,
      ok: true,
      trace_id: 'kept-as-is',
    });
    span.addEvent(`got block ${CID}`, { from: '/ip4/10.0.0.1/tcp/4001' });
    span.recordException(new Error(`handshake with ${PEER} at 10.9.9.9 failed`));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `peer ${PEER} gone` });
    const ctx = span.spanContext();
    span.end();
    other.end();
    await provider.forceFlush();
    const [a, b] = exporter.getFinishedSpans();
    const s = a!.name === 'other' ? b! : a!;
    assert.equal(s.name, 'dial <peer>');
    assert.deepEqual(s.attributes, {
      'net.peer.ip': '<ip>',
      'p2p.peers': ['<peer>', 'self'],
      'content.cid': '<cid>',
      'by.<peer>': 1,
      count: 3,
      ok: true,
      trace_id: 'kept-as-is',
    });
    assert.equal(s.events[0]!.name, 'got block <cid>');
    assert.deepEqual(s.events[0]!.attributes, { from: '/ip4/<ip>/tcp/4001' });
    const ex = s.events[1]!.attributes!;
    assert.equal(ex['exception.message'], 'handshake with <peer> at <ip> failed');
    assert.match(
      String(ex['exception.stacktrace']),
      /^Error: handshake with <peer> at <ip> failed\n/,
    );
    assert.deepEqual(s.links[0]!.attributes, { 'peer.addr': '<ip>' });
    assert.equal(s.status.message, 'peer <peer> gone');
    assert.deepEqual(s.spanContext(), ctx);
    assert.ok(!JSON.stringify(s.attributes).includes(PEER));
    await provider.shutdown();
  });

  it('hands a clean span through with its own attribute object', async () => {
    const { exporter, provider, tracer } = setup();
    const span = tracer.startSpan('flush');
    span.setAttribute('batch.size', 12);
    span.end();
    await provider.forceFlush();
    const s = exporter.getFinishedSpans()[0]!;
    assert.equal(s.attributes, (span as unknown as { attributes: object }).attributes);
    await provider.shutdown();
  });
});
