/**
 * Durability against kill -9: a child process ingests in a loop and is SIGKILLed at a random
 * moment, several times over; after each kill the TSDB reopens with every committed sample
 * (bit-exact), nothing beyond the commit in flight, and every chunk decoding.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { KILL_SERIES, KILL_STEP, killValue } from './kill-child.js';
import { TSDB } from './tsdb.js';

const CHILD = fileURLToPath(new URL('./kill-child.js', import.meta.url));
const T0 = Date.UTC(2025, 0, 1);

/** Runs the child until it has printed `commits` lines, SIGKILLs it, returns all it printed. */
async function ingestAndKill(dir: string, start: number, commits: number): Promise<number[]> {
  const child = spawn(process.execPath, [CHILD, dir, String(start)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const committed: number[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const closed = new Promise<void>((resolve) => child.stdout.on('end', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.stdout.on('data', (b: Buffer) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      committed.push(Number(line.split(' ')[1]));
      // Signals only our own child, by its PID.
      if (committed.length === commits) child.kill('SIGKILL');
    }
  });
  const signal = await exited;
  await closed;
  clearTimeout(timer);
  assert.equal(signal, 'SIGKILL', `child died otherwise: ${stderr}`);
  return committed;
}

describe('kill -9 during ingest', () => {
  it('loses nothing committed and leaves no corrupt chunk', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canopy-kill-'));
    try {
      let start = T0;
      let merged = 0;
      for (let round = 0; round < 4; round++) {
        const commits = 150 + Math.floor(Math.random() * 600);
        const printed = await ingestAndKill(dir, start, commits);
        assert.ok(printed.length >= commits, `round ${round}: ${printed.length} commits`);
        const lastPrinted = printed[printed.length - 1]!;

        const db = TSDB.open({ dir });
        // Every chunk overlaps the full range, so this decodes all of them.
        const got = db.select([{ name: 'series', type: '=~', value: '.+' }], 0, 9e15);
        assert.equal(got.length, KILL_SERIES);
        let last = 0;
        for (const d of got) {
          const s = Number(d.labels.series);
          const n = d.t.length;
          last = d.t[n - 1]!;
          // Everything printed is there; at most the commit in flight beyond it.
          assert.ok(last === lastPrinted || last === lastPrinted + KILL_STEP, `series ${s}`);
          assert.equal(n, (last - T0) / KILL_STEP + 1, `series ${s}: no gaps`);
          const want = new Float64Array(n);
          for (let i = 0; i < n; i++) want[i] = killValue(s, T0 + i * KILL_STEP);
          assert.deepEqual(new Uint8Array(d.v.buffer), new Uint8Array(want.buffer), `series ${s}`);
        }
        // The newest sample of every series is in the head, which came back from the WAL.
        assert.equal(db.stats().headSeries, KILL_SERIES);
        db.close();
        const raw = new Database(join(dir, 'tsdb.sqlite'), { readonly: true });
        assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
        merged = raw.prepare('SELECT count(*) FROM chunks WHERE id > 0').pluck().get() as number;
        raw.close();
        start = last + KILL_STEP;
      }
      assert.ok(merged > 0, 'compactions ran (and could be interrupted)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
