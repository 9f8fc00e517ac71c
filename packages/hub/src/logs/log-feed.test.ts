import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogFeed } from './log-feed.js';
import type { LogRecord } from './log-line.js';

function sink(): { lines: LogRecord[]; append(l: readonly LogRecord[]): void } {
  const lines: LogRecord[] = [];
  return { lines, append: (l) => void lines.push(...l) };
}

test('chunks split into lines across writes; \\r\\n, blank lines and an unterminated end', () => {
  const s = sink();
  const feed = new LogFeed(s, { flushMs: 60_000, now: () => 5 });
  const a = feed.source('relay-a');
  a.write('{"level":"warn","service":"relay","msg":"sl');
  a.write(Buffer.from('ow"}\r\n\nplain text\npart'));
  a.write('ial');
  feed.flush();
  assert.deepEqual(
    s.lines.map((l) => [l.service, l.level, l.msg]),
    [
      ['relay', 40, 'slow'],
      ['relay-a', 30, 'plain text'],
    ],
  );
  a.end();
  feed.close();
  assert.equal(s.lines[2]?.msg, 'partial');
  assert.equal(feed.stats.written, 3);
});

test('bounded: over-long lines are cut, a full queue drops and counts, a failing store too', () => {
  const s = sink();
  const feed = new LogFeed(s, { flushMs: 60_000, maxQueued: 100, maxLineLength: 50 });
  const src = feed.source('replay');
  src.write('x'.repeat(120) + '\nnext\n');
  feed.flush();
  assert.deepEqual(
    s.lines.map((l) => l.msg),
    ['x'.repeat(50), 'next'],
  );
  assert.equal(feed.stats.truncated, 1);
  src.write('spam\n'.repeat(250));
  feed.flush();
  assert.equal(s.lines.length, 2 + 100);
  assert.equal(feed.stats.dropped, 150);
  const broken = new LogFeed(
    {
      append() {
        throw new Error('disk full');
      },
    },
    { flushMs: 60_000 },
  );
  broken.source('relay').write('a\nb\n');
  assert.doesNotThrow(() => broken.close());
  assert.equal(broken.stats.dropped, 2);
  feed.close();
});

test('lines wait for a store attached later (bounded by maxQueued)', () => {
  const feed = new LogFeed(undefined, { flushMs: 60_000, maxQueued: 3 });
  feed.source('storage').write('one\ntwo\nthree\nfour\n');
  feed.flush();
  const s = sink();
  feed.attach(s);
  feed.close();
  assert.deepEqual(
    s.lines.map((l) => l.msg),
    ['one', 'two', 'three'],
  );
  assert.equal(feed.stats.dropped, 1);
});
