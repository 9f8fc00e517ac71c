import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';

/** Sample lines (no comments) of a render. */
function samples(r: Registry, format: 'text' | 'openmetrics' = 'text'): string[] {
  return r
    .render(format)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function depthGauge(r: Registry) {
  return r.gauge({
    type: 'gauge',
    name: 'actor_mailbox_depth',
    help: 'Messages waiting.',
    labels: { actor: { kind: 'enum', values: ['gossip', 'sync'] } },
  });
}

describe('gauge', () => {
  it('sets, increments and decrements', () => {
    const r = new Registry({ selfMetrics: false });
    const h = r.gauge({ type: 'gauge', name: 'relay_peers_connected', help: 'h' }).labels();
    assert.equal(h.get(), 0);
    h.set(10);
    h.inc();
    h.inc(4);
    h.dec();
    h.dec(2.5);
    assert.equal(h.get(), 11.5);
    h.set(-3);
    assert.equal(h.get(), -3);
    h.inc(-2);
    assert.equal(h.get(), -5, 'a gauge accepts negative steps');
    assert.deepEqual(samples(r), ['relay_peers_connected -5']);
  });

  it('returns the same bound handle for the same labels', () => {
    const g = depthGauge(new Registry());
    const a = g.labels({ actor: 'gossip' });
    assert.equal(g.labels({ actor: 'gossip' }), a);
    a.set(4);
    g.labels({ actor: 'sync' }).set(9);
    assert.equal(a.get(), 4);
    assert.equal(g.labels({ actor: 'sync' }).get(), 9);
  });

  it('renders labelled series in creation order, with unknown values in other', () => {
    const r = new Registry({ selfMetrics: false });
    const g = depthGauge(r);
    g.labels({ actor: 'sync' }).set(2);
    g.labels({ actor: 'crawler-12D3KooW' } as never).set(7);
    g.labels({ actor: 'gossip' }).set(1);
    assert.deepEqual(samples(r), [
      'actor_mailbox_depth{actor="sync"} 2',
      'actor_mailbox_depth{actor="other"} 7',
      'actor_mailbox_depth{actor="gossip"} 1',
    ]);
    assert.equal(g.overflow, 1);
  });

  it('renders special values as both formats expect', () => {
    const r = new Registry({ selfMetrics: false });
    const g = depthGauge(r);
    g.labels({ actor: 'gossip' }).set(NaN);
    g.labels({ actor: 'sync' }).set(Infinity);
    g.labels({ actor: 'other' }).set(-Infinity);
    const want = [
      'actor_mailbox_depth{actor="gossip"} NaN',
      'actor_mailbox_depth{actor="sync"} +Inf',
      'actor_mailbox_depth{actor="other"} -Inf',
    ];
    assert.deepEqual(samples(r, 'text'), want);
    assert.deepEqual(samples(r, 'openmetrics'), want, 'gauges have no _created');
  });

  it('renders small and large numbers in round-trip form', () => {
    const r = new Registry({ selfMetrics: false });
    const h = r.gauge({ type: 'gauge', name: 'relay_thing', help: 'h' }).labels();
    const cases: Array<[number, string]> = [
      [0.1, '0.1'],
      [1e-7, '1e-7'],
      [123456789012, '123456789012'],
      [2 ** 53, '9007199254740992'],
      [1e21, '1e+21'],
      [-0, '0'],
    ];
    for (const [v, want] of cases) {
      h.set(v);
      assert.deepEqual(samples(r), [`relay_thing ${want}`]);
    }
  });
});
