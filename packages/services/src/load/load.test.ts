import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from './load.js';
import { parseFault } from './schedule.js';

test('a load without a duration runs until its signal aborts', async () => {
  const ac = new AbortController();
  const t0 = performance.now();
  setTimeout(() => ac.abort(), 400);
  const p = await runLoad({
    relays: ['ws://127.0.0.1:1'],
    peers: 1,
    rate: 0,
    churn: 0,
    durationS: Infinity,
    signal: ac.signal,
  });
  assert.ok(performance.now() - t0 >= 350, 'ended before the signal');
  assert.equal(p.published, 0);
});

test('fault offsets beyond what a timer can hold are refused', () => {
  assert.throws(() => parseFault('slow-disk@3000000'), /times must be at most 2000000 s/);
  assert.deepEqual(parseFault('slow-disk=200@5-15'), {
    fault: 'slow-disk',
    at: 5,
    until: 15,
    value: 200,
  });
});
