import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { trace, context } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger } from './logger.js';
import { createScrubber } from '../scrub/scrubber.js';

const PEER = '12D3KooWA3kYECwNt8gn3uFTDrGMLdD9crgRyDNWAberdJfQM1dP';

/** A logger writing into an array of parsed lines. */
function capture(opts: { scrub?: false; level?: string } = {}) {
  const raw: string[] = [];
  const log = createLogger({
    service: 'relay',
    level: opts.level ?? 'info',
    ...(opts.scrub === false ? { scrub: false as const } : {}),
    destination: { write: (s: string) => void raw.push(s) },
  });
  const lines = (): Array<Record<string, unknown>> =>
    raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, raw, lines };
}

describe('logger: the line', () => {
  it('is one JSON object with service, level, time and msg', () => {
    const { log, raw, lines } = capture();
    log.info({ peers: 3 }, 'listening');
    assert.equal(raw.length, 1);
    assert.ok(raw[0]!.endsWith('\n'));
    const l = lines()[0]!;
    assert.equal(l['service'], 'relay');
    assert.equal(l['level'], 'info');
    assert.equal(l['msg'], 'listening');
    assert.equal(l['peers'], 3);
    assert.match(String(l['time']), /^\d{4}-\d\d-\d\dT/);
    assert.equal(l['trace_id'], undefined, 'no span, no trace_id');
  });

  it('scrubs the interpolated message, fields, nested fields, child bindings and errors', () => {
    const { log, raw } = capture();
    log.info(
      { peer: PEER, nested: { a: [{ addr: '/ip4/10.0.0.7/tcp/4001' }] } },
      'dial %s from %s',
      PEER,
      '10.2.2.2',
    );
    log.child({ remote: '[2001:db8::7]:4001' }).child({ who: 'ops@example.org' }).warn('child');
    log.error(new Error(`handshake with ${PEER} failed`));
    log.error({ err: new Error('reset by 10.4.4.4') }, 'write failed');
    const out = raw.join('');
    for (const secret of [
      PEER,
      '10.0.0.7',
      '10.2.2.2',
      '2001:db8::7',
      'ops@example.org',
      '10.4.4.4',
    ])
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.match(out, /"msg":"dial <peer> from <ip>"/);
    assert.match(out, /"addr":"\/ip4\/<ip>\/tcp\/4001"/);
    assert.match(out, /"remote":"\[<ip>\]:4001","who":"<email>"/);
    assert.match(
      out,
      /"err":\{"type":"Error","message":"handshake with <peer> failed","stack":"Error: handshake with <peer> failed\\n {4}at /,
    );
    assert.match(out, /"msg":"handshake with <peer> failed"/);
  });

  it('with scrub: false writes plain pino lines', () => {
    const { log, raw } = capture({ scrub: false });
    log.info({ ip: '10.9.9.9' }, 'raw');
    assert.match(raw.join(''), /"ip":"10\.9\.9\.9"/);
  });

  it('rejects a bad level with where it came from and what to do', () => {
    assert.throws(
      () => createLogger({ service: 'relay', level: 'loud' }),
      /log level 'loud' \(from createLogger options\) is not one of trace, debug, info, warn, error, fatal, silent; set CANOPY_LOG_LEVEL=info/,
    );
    assert.throws(() => createLogger({ service: '' }), /`service` must be a non-empty string/);
  });
});

describe('logger: trace correlation', () => {
  let provider: NodeTracerProvider;
  before(() => {
    provider = new NodeTracerProvider();
    provider.register();
  });
  after(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('adds the active span ids, untouched by the scrubber', () => {
    const { log, lines } = capture();
    const tracer = trace.getTracer('test');
    let ids = { traceId: '', spanId: '' };
    tracer.startActiveSpan('dial', (span) => {
      ids = span.spanContext();
      log.info('inside');
      span.end();
    });
    log.info('outside');
    const [inside, outside] = lines();
    assert.match(ids.traceId, /^[0-9a-f]{32}$/);
    assert.equal(inside!['trace_id'], ids.traceId);
    assert.equal(inside!['span_id'], ids.spanId);
    assert.equal(outside!['trace_id'], undefined);
  });
});

describe('logger: bad input never throws, stays bounded and is still scrubbed', () => {
  const time = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };

  it('cyclic objects become [Circular]', () => {
    const { log, lines } = capture();
    const a: Record<string, unknown> = { ip: '10.1.1.1' };
    a['self'] = a;
    a['list'] = [a];
    log.info({ a }, 'cyclic');
    assert.deepEqual(lines()[0]!['a'], { ip: '<ip>', self: '[Circular]', list: ['[Circular]'] });
  });

  it('huge strings are cut with a marker, fast, and the kept part is scrubbed', () => {
    const { log, lines } = capture();
    const huge = `peer ${PEER} ${'lorem ipsum '.repeat(500_000)}`; // 6 MB
    const ms = time(() => log.info({ body: huge }, huge));
    const l = lines()[0]!;
    for (const v of [l['body'], l['msg']]) {
      assert.match(String(v), /^peer <peer> lorem ipsum .*…\[truncated \d+ chars\]$/);
      assert.ok(String(v).length < 17_000, `${String(v).length} chars`);
    }
    assert.ok(ms < 500, `${ms} ms`);
  });

  it('binary buffers are never dumped: <N bytes>', () => {
    const { log, raw, lines } = capture();
    const buf = Buffer.from(`secret ${PEER}`);
    log.info({ buf, view: new DataView(new ArrayBuffer(9)), ab: new ArrayBuffer(3) }, 'bin');
    const l = lines()[0]!;
    assert.equal(l['buf'], `<${buf.length} bytes>`);
    assert.equal(l['view'], '<9 bytes>');
    assert.equal(l['ab'], '<3 bytes>');
    assert.ok(!raw.join('').includes('secret'));
  });

  it('deep nesting is capped at depth 8', () => {
    const { log, lines } = capture();
    let deep: Record<string, unknown> = { ip: '10.3.3.3' };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const ms = time(() => log.info({ deep }, 'deep'));
    let v = lines()[0]!['deep'];
    let depth = 0;
    while (typeof v === 'object' && v !== null) {
      v = (v as Record<string, unknown>)['d'];
      depth++;
    }
    assert.equal(v, '[Object]');
    assert.equal(depth, 7);
    assert.ok(ms < 200, `${ms} ms`);
  });

  it('wide objects and throwing getters are bounded and safe', () => {
    const { log, lines } = capture();
    const wide: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) wide[`k${i}`] = `10.0.${i % 256}.1`;
    const nasty = Object.defineProperty({}, 'x', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    const ms = time(() => log.info({ wide, nasty, n: 12n, f: () => 1 }, 'wide'));
    const l = lines()[0]!;
    assert.equal(Object.keys(l['wide'] as object).length, 201);
    assert.equal((l['wide'] as Record<string, string>)['k7'], '<ip>');
    assert.deepEqual(l['nasty'], { x: '[Throws]' });
    assert.equal(l['n'], '12');
    assert.ok(ms < 500, `${ms} ms`);
  });

  it('the same inputs through a custom scrubber budget drop the excess', () => {
    const raw: string[] = [];
    const log = createLogger({
      service: 'relay',
      scrub: createScrubber({ maxWork: 10 }),
      destination: { write: (s: string) => void raw.push(s) },
    });
    log.info({ list: Array.from({ length: 50 }, (_, i) => `10.0.0.${i}`) }, 'many');
    const list = (JSON.parse(raw[0]!) as { list: string[] }).list;
    assert.ok(list.includes('[Dropped]'));
    assert.ok(!raw[0]!.includes('10.0.0.'));
  });
});

describe('logger: any value at all (property)', () => {
  it('never throws and always writes one parseable JSON line', () => {
    const { log, raw } = capture();
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
        }),
        fc.string(),
        (v, msg) => {
          const before = raw.length;
          log.info({ v }, msg);
          log.info(v as object, msg);
          assert.equal(raw.length, before + 2);
          for (const l of raw.slice(before)) JSON.parse(l);
        },
      ),
      { numRuns: 500, seed: 9 },
    );
  });
});
