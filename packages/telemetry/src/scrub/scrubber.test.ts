import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createScrubber, mayContainIdentifier, looksLikeIdentifier, truncate } from './scrubber.js';
import { SCRUB_RULES } from './rules.js';
import { CANARY_KINDS, generateCanaries, leaks, mulberry32 } from './testing/canaries.js';

const scrub = createScrubber();

describe('scrubber: one canary of every kind, in every context', () => {
  const contexts: Array<(x: string) => string> = [
    (x) => x,
    (x) => `dial ${x} failed`,
    (x) => `peer=${x},reason=timeout`,
    (x) => `{"peer":"${x}"}`,
    (x) => `(${x})`,
    (x) => `at ${x}: connection reset`,
    (x) => `conn_${x}_closed`,
    (x) => `ws://${x}/sync`,
    (x) => `${x}\n${x}`,
  ];
  const r = mulberry32(11);
  for (const [kind, gen] of Object.entries(CANARY_KINDS)) {
    it(kind, () => {
      for (const ctx of contexts) {
        const c = gen(r);
        const out = scrub.string(ctx(c.text));
        assert.deepEqual(leaks(out, [c]), [], `${ctx(c.text)} -> ${out}`);
        assert.match(out, /<(peer|cid|hash|key|id|ip|host|email)>/, out);
      }
    });
  }
});

describe('scrubber: what each rule leaves', () => {
  const cases: Array<[string, string]> = [
    [
      '/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWA3kYECwNt8gn3uFTDrGMLdD9crgRyDNWAberdJfQM1dP',
      '/ip4/<ip>/tcp/4001/p2p/<peer>',
    ],
    ['/dns4/relay-7.example.net/tcp/443/wss', '/dns4/<host>/tcp/443/wss'],
    ['[2001:db8::7]:4001', '[<ip>]:4001'],
    ['fe80::1ff:fe23:4567:890a%eth0 up', '<ip> up'],
    ['from ::ffff:192.0.2.1', 'from <ip>'],
    ['mail ops.team@example.org now', 'mail <email> now'],
    ['QmRgHHkmzVNnG6MEuuMWN9WXoYgt9yNJ1vLYqQBpZUBxV7', '<cid>'],
    ['sha1 f6213cd26c7a2d79fbd3a25b15ab0e7d281e4837.', 'sha1 <hash>.'],
  ];
  for (const [input, want] of cases) it(input, () => assert.equal(scrub.string(input), want));
});

describe('scrubber: leaves trace context and ordinary text alone', () => {
  const keep = [
    'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7',
    'flushed 42 events in 12.5ms (queue depth 3) on canopy 1.2.3',
    'GET http://localhost:9090/api/v1/query_range?step=15 200 3ms',
    'at Object.<anonymous> (/work/main/packages/services/dist/relay/relay-connection-handler.js:52:13)',
    'metric replay_sync_queue_depth_histogram_bucket_seconds registered',
    'SynchronizationQueueOverflowExceptionHandler raised at 2026-12-03T19:35:00.123Z',
    'request 550e8400-e29b-41d4-a716-446655440000 done',
  ];
  for (const s of keep)
    it(s, () => {
      // Same object back: a clean string costs no allocation.
      assert.equal(scrub.string(s), s);
    });
});

describe('scrubber: value()', () => {
  it('scrubs nested fields and keys, keeps trace context keys', () => {
    const peer = '12D3KooWA3kYECwNt8gn3uFTDrGMLdD9crgRyDNWAberdJfQM1dP';
    const out = scrub.value({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      peers: [{ addr: `/ip4/10.0.0.1/tcp/1/p2p/${peer}` }],
      byPeer: { [peer]: 3 },
      n: 1,
      ok: true,
      big: 12n,
    });
    assert.deepEqual(out, {
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      peers: [{ addr: '/ip4/<ip>/tcp/1/p2p/<peer>' }],
      byPeer: { '<peer>': 3 },
      n: 1,
      ok: true,
      big: '12',
    });
  });

  it('turns cycles, binary, deep nesting, throwing getters and errors into safe values', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic['self'] = cyclic;
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const throwing = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const err = new Error('dial 10.9.8.7 failed');
    const out = scrub.value({
      cyclic,
      buf: Buffer.from('secret 10.9.8.7'),
      u8: new Uint8Array(7),
      deep,
      throwing,
      err,
    }) as Record<string, unknown>;
    assert.deepEqual(out['cyclic'], { name: 'a', self: '[Circular]' });
    assert.equal(out['buf'], '<15 bytes>');
    assert.equal(out['u8'], '<7 bytes>');
    assert.match(JSON.stringify(out['deep']), /"\[Object\]"/);
    assert.deepEqual(out['throwing'], { boom: '[Throws]' });
    const e = out['err'] as Record<string, string>;
    assert.equal(e['message'], 'dial <ip> failed');
    assert.match(e['stack'] ?? '', /^Error: dial <ip> failed\n/);
    assert.doesNotMatch(JSON.stringify(out), /10\.9\.8\.7/);
  });

  it('caps long arrays and wide objects', () => {
    const s = createScrubber({ maxEntries: 3 });
    assert.deepEqual(s.value([1, 2, 3, 4, 5]), [1, 2, 3, '[… 2 more]']);
    assert.deepEqual(s.value({ a: 1, b: 2, c: 3, d: 4 }), { a: 1, b: 2, c: 3, '…': '1 more keys' });
  });
});

describe('scrubber: truncation', () => {
  it('cuts huge strings with a marker and never leaves half an identifier', () => {
    const ip = '203.0.113.77';
    const s = `${'x '.repeat(10)}${ip} ${'y'.repeat(100)}`;
    const cut = truncate(s, 25); // the cut falls inside the address
    assert.equal(cut, `${'x '.repeat(10)}…[truncated ${s.length - 20} chars]`);
    const out = createScrubber({ maxStringLength: 25 }).string(s);
    assert.equal(out, cut);
  });
});

describe('scrubber: pseudonym mode', () => {
  it('gives one keyed tag per identifier and rotates the key', () => {
    let now = 0;
    const s = createScrubber({ mode: 'pseudonym', rotateMs: 1000, now: () => now });
    const a = s.string('from 10.1.1.1 and 10.1.1.2 and 10.1.1.1');
    const m = /^from <ip:([0-9a-f]{8})> and <ip:([0-9a-f]{8})> and <ip:([0-9a-f]{8})>$/.exec(a);
    assert.ok(m, a);
    assert.equal(m[1], m[3]);
    assert.notEqual(m[1], m[2]);
    now = 1000;
    const b = s.string('from 10.1.1.1');
    assert.notEqual(b, `from <ip:${m[1]}>`, 'a rotated key gives a new tag');
  });

  it('is keyed: two scrubbers give different tags for the same peer', () => {
    const t = (): string => createScrubber({ mode: 'pseudonym' }).string('10.1.1.1');
    assert.notEqual(t(), t());
  });
});

describe('scrubber: bad options', () => {
  it('names the bad mode', () => {
    assert.throws(
      () => createScrubber({ mode: 'hash' as never }),
      /scrubber mode must be 'redact' or 'pseudonym', got 'hash'/,
    );
  });
  it('names the bad rotation', () => {
    assert.throws(
      () => createScrubber({ mode: 'pseudonym', rotateMs: 0 }),
      /pseudonym rotateMs must be > 0 ms, got 0/,
    );
  });
});

describe('scrubber: the pre-check is a superset of the rules', () => {
  // A scrubber with a copy of the pack uses the combined regex as its pre-check.
  const exact = createScrubber({ rules: [...SCRUB_RULES] });
  it('passes every canary', () => {
    for (const c of generateCanaries(5000, 3))
      assert.ok(mayContainIdentifier(`x ${c.text} y`), c.text);
  });
  it('skips only rules that cannot match: the fast path equals the slow one (property)', () => {
    const frag = fc.constantFrom(
      ' ',
      ':',
      '::',
      '.',
      '/',
      '@',
      '-',
      '_',
      '+',
      '=',
      '%',
      '[',
      ']',
      '1',
      '255',
      '0',
      '127',
      'a',
      'f',
      'Z',
      'p2p',
      'dns4',
      'ab12',
      'ffff',
      '12D3KooW',
      'Qm',
      'baf',
      'x'.repeat(20),
      '0:',
      'ffff:',
      '10.1.2.3',
      '.com',
      'k51',
      'dead',
      'BEEF',
    );
    fc.assert(
      fc.property(fc.array(frag, { maxLength: 40 }), (parts) => {
        const s = parts.join('');
        assert.equal(scrub.string(s), exact.string(s));
        if (!mayContainIdentifier(s)) assert.equal(exact.string(s), s);
      }),
      { numRuns: 5000, seed: 5 },
    );
  });
});

describe('looksLikeIdentifier', () => {
  it('keeps names and paths, not key material', () => {
    assert.ok(looksLikeIdentifier('/work/main/packages/services/dist/relay/relay'));
    assert.ok(looksLikeIdentifier('replay_sync_queue_depth_histogram_bucket_seconds'));
    assert.ok(looksLikeIdentifier('SynchronizationQueueOverflowExceptionHandler'));
    assert.ok(!looksLikeIdentifier('pu7GeJlSyi6m5TBwhF9zzPdPyCMZeYV5f1l4wIDOmME'));
    assert.ok(
      !looksLikeIdentifier('k51qzi5uqu5dkvf3wfvi6tmn3u7dwaiih9zcfxnof4phkck520f1h4h637rpqd'),
    );
  });
});
