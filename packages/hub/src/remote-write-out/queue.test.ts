import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableQueue } from './queue.js';

const root = mkdtempSync(join(tmpdir(), 'canopy-rw-queue-'));
after(() => rmSync(root, { recursive: true, force: true }));

const body = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test('rows survive a reopen, in order, with their counts', () => {
  const dir = join(root, 'reopen');
  const q = new DurableQueue(dir, 1 << 20);
  q.push(body(100, 1), 10);
  q.push(body(200, 2), 20);
  q.close();
  const q2 = new DurableQueue(dir, 1 << 20);
  assert.equal(q2.pendingSamples, 30);
  assert.equal(q2.bytes, 300);
  const rows = q2.peek(15);
  // At least 15 samples: both rows (10 is not enough).
  assert.deepEqual(
    rows.map((r) => [r.samples, r.body[0]]),
    [
      [10, 1],
      [20, 2],
    ],
  );
  assert.equal(q2.ack(rows[0]!.id), 10);
  assert.equal(q2.pendingSamples, 20);
  q2.close();
  const q3 = new DurableQueue(dir, 1 << 20);
  assert.equal(q3.pendingSamples, 20);
  assert.equal(q3.peek(1)[0]!.body[0], 2);
  q3.close();
});

test('over its bound the queue drops the oldest rows and counts their samples', () => {
  const q = new DurableQueue(join(root, 'bound'), 1000);
  for (let i = 0; i < 10; i++) q.push(body(300, i), 7);
  // 10 × 300 bytes into 1000: only the newest three fit.
  assert.ok(q.bytes <= 1000, `queue holds ${q.bytes} bytes`);
  assert.equal(q.pendingSamples, 21);
  assert.equal(q.droppedSamples, 49);
  assert.deepEqual(
    q.peek(1000).map((r) => r.body[0]),
    [7, 8, 9],
  );
  q.close();
});
