import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createResolver, DEFAULT_TOPK_PATTERN, OTHER, type LabelResolver } from './labels.js';

/** Resolves `input` and returns the label value it lands on. */
const valueOf = (r: LabelResolver, input: unknown): string => r.valueAt(r.index(input));

describe('enum resolver', () => {
  it('maps declared values to their own slots and appends other', () => {
    const r = createResolver('direction', { kind: 'enum', values: ['in', 'out'] });
    assert.equal(r.name, 'direction');
    assert.equal(r.cardinality, 3);
    assert.deepEqual(
      [0, 1, 2].map((i) => r.valueAt(i)),
      ['in', 'out', OTHER],
    );
    assert.equal(r.index('in'), 0);
    assert.equal(r.index('out'), 1);
    assert.equal(r.overflow, 0);
  });

  it('folds unknown values into other and counts each one', () => {
    const r = createResolver('direction', { kind: 'enum', values: ['in', 'out'] });
    const cases: unknown[] = ['sideways', 'IN', ' in', '', 0, undefined, null, { in: 1 }];
    for (const input of cases) assert.equal(valueOf(r, input), OTHER, String(input));
    assert.equal(r.overflow, cases.length);
  });

  it('keeps a declared other in place and does not count it as overflow', () => {
    const r = createResolver('reason', { kind: 'enum', values: ['other', 'timeout'] });
    assert.equal(r.cardinality, 2);
    assert.equal(r.index('other'), 0);
    assert.equal(r.index('timeout'), 1);
    assert.equal(r.index('refused'), 0);
    assert.equal(r.overflow, 1);
  });
});

describe('buckets resolver', () => {
  const cases: Array<[unknown, string]> = [
    [-5, '1'],
    [0, '1'],
    [1, '1'], // le: v <= bound
    [1.0000001, '5'],
    [5, '5'],
    [9.99, '10'],
    [10, '10'],
    [10.5, '+Inf'],
    [Infinity, '+Inf'],
    [-Infinity, '1'],
  ];
  for (const [input, want] of cases) {
    it(`${String(input)} -> ${want}`, () => {
      const r = createResolver('size', { kind: 'buckets', bounds: [1, 5, 10] });
      assert.equal(valueOf(r, input), want);
      assert.equal(r.overflow, 0);
    });
  }

  it('has a slot per bound, +Inf and other', () => {
    const r = createResolver('size', { kind: 'buckets', bounds: [0.5, 2] });
    assert.equal(r.cardinality, 4);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => r.valueAt(i)),
      ['0.5', '2', '+Inf', OTHER],
    );
  });

  it('folds non-numbers and NaN into other', () => {
    const r = createResolver('size', { kind: 'buckets', bounds: [1, 5, 10] });
    for (const input of [NaN, '3', undefined, null, 3n]) assert.equal(valueOf(r, input), OTHER);
    assert.equal(r.overflow, 5);
  });
});

describe('topk resolver', () => {
  it('admits the first k matching values, then folds the rest', () => {
    const r = createResolver('ns', { kind: 'topk', k: 2 });
    assert.equal(r.cardinality, 3);
    assert.equal(r.index('chat'), 0);
    assert.equal(r.index('files'), 1);
    assert.equal(r.index('chat'), 0, 'an admitted value keeps its slot');
    assert.equal(r.overflow, 0);
    assert.equal(valueOf(r, 'photos'), OTHER, 'after k values everything is other');
    assert.equal(valueOf(r, 'notes'), OTHER);
    assert.equal(r.overflow, 2);
    assert.deepEqual(
      [0, 1, 2].map((i) => r.valueAt(i)),
      ['chat', 'files', OTHER],
    );
  });

  it('reports unadmitted slots as other', () => {
    const r = createResolver('ns', { kind: 'topk', k: 3 });
    assert.equal(r.valueAt(0), OTHER);
    assert.equal(r.valueAt(3), OTHER);
  });

  const refused: Array<[string, unknown]> = [
    ['uppercase', 'Chat'],
    ['leading digit', '1chat'],
    ['too long for the default pattern', 'a'.repeat(33)],
    ['libp2p peer ID', '12D3KooWGRYZDHBembyGJQqQ6WgLqJWYNjnECJrQ5Tt2ctr6jMc2'],
    ['CID', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'],
    ['IPv4 address', '192.168.1.10'],
    ['multiaddr', '/ip4/10.0.0.1/tcp/4001'],
    ['hex key matching the pattern', 'deadbeefcafe'],
    ['hex run inside a word', 'peer-0123456789abcdef'],
    ['other itself', OTHER],
    ['empty string', ''],
    ['number', 42],
    ['undefined', undefined],
  ];
  for (const [name, input] of refused) {
    it(`refuses ${name}`, () => {
      const r = createResolver('ns', { kind: 'topk', k: 4 });
      assert.equal(r.index(input), 4);
      assert.equal(r.overflow, 1);
      assert.equal(r.index('chat'), 0, 'a refused value does not use up a slot');
    });
  }

  it('admits short hex-free words and 11-digit hex runs', () => {
    const r = createResolver('ns', { kind: 'topk', k: 3 });
    assert.equal(valueOf(r, 'sync-v2'), 'sync-v2');
    assert.equal(valueOf(r, 'a_b'), 'a_b');
    assert.equal(valueOf(r, 'deadbeefcaf'), 'deadbeefcaf');
    assert.equal(r.overflow, 0);
  });

  it('refuses long hex runs even when a custom pattern would allow them', () => {
    const r = createResolver('ns', { kind: 'topk', k: 2, pattern: '[0-9a-fA-F]+' });
    assert.equal(valueOf(r, 'ABCDEF012345'), OTHER);
    assert.equal(valueOf(r, 'abc'), 'abc');
    assert.equal(r.overflow, 1);
  });

  it('matches the custom pattern in full', () => {
    const r = createResolver('ns', { kind: 'topk', k: 2, pattern: 'ns|alt' });
    assert.equal(valueOf(r, 'nsx'), OTHER);
    assert.equal(valueOf(r, 'xalt'), OTHER);
    assert.equal(valueOf(r, 'alt'), 'alt');
  });

  it('exports the default pattern', () => {
    assert.equal(DEFAULT_TOPK_PATTERN, '[a-z][a-z0-9_-]{0,31}');
  });
});
