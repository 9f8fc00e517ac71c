/**
 * `canopy migrate` against a real VictoriaMetrics: three hours of catalog-shaped history
 * shipped and verified; a run SIGKILLed half-way and resumed ships only the rest and ends
 * with the same counts on both sides; a batch that was in flight when a run died is not
 * stored twice.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSnapshot, labelsKey } from '@canopy/hub';
import {
  startVictoriaMetrics,
  toolSkipReason,
  VICTORIA_METRICS_BIN,
  type EngineProcess,
} from '@canopy/stack';
import { run } from '../cli.js';
import { writeHistory } from '../testing/ui-history.js';
import { readResume, resumePath, writeResume, type ResumeState } from './resume.js';
import { migrateSeries, samplesOf, seriesInWindow } from './migrate.js';
import { retentionMs, TargetError, VictoriaTarget } from './victoria-target.js';

const BIN = fileURLToPath(new URL('../../bin/canopy.js', import.meta.url));
const skip = toolSkipReason(VICTORIA_METRICS_BIN, 'victoria-metrics');
const root = mkdtempSync(join(tmpdir(), 'canopy-migrate-e2e-'));
const END = Date.now() - 20 * 60_000;
const DATA = join(root, 'data');
const history = writeHistory(DATA, { hours: 3, end: END });
const vms: EngineProcess[] = [];
after(async () => {
  for (const vm of vms) await vm.stop();
  rmSync(root, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['migrate', ...args], {
    out: (s: string) => (out += s),
    err: (s: string) => (err += s),
    progress: { write: (s: string) => (err += s), isTTY: false },
  } as never);
  return { code, out, err };
}

/** Samples the target holds over the history's window, counted by VictoriaMetrics itself. */
async function storedSamples(url: string): Promise<number> {
  const t = new VictoriaTarget(url);
  await t.flush();
  const w = `${4 * 3600}s`;
  const r = await t.query(`sum(count_over_time({__name__=~".+"}[${w}]))`, END + 1000);
  return [...r.values()][0] ?? 0;
}

async function newVm(): Promise<EngineProcess> {
  const vm = await startVictoriaMetrics({ flags: ['-retentionPeriod=1y'] });
  vms.push(vm);
  return vm;
}

test('migrate ships every sample and verifies counts and spot checks', { skip }, async () => {
  const vm = await newVm();
  const r = await cli(['--from', DATA, '--to', vm.url]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, new RegExp(`shipped ${history.samples} samples of \\d+ series`));
  assert.match(r.out, /every series has the same sample count on both sides/);
  assert.doesNotMatch(r.out, /DIFFERENT/);
  assert.match(r.err, /migrate: 100% /);
  assert.equal(await storedSamples(vm.url), history.samples);
  // Run again: everything was acknowledged, nothing is sent twice.
  const again = await cli(['--from', DATA, '--to', vm.url]);
  assert.equal(again.code, 0, again.err + again.out);
  assert.match(again.out, /shipped 0 samples/);
  assert.equal(await storedSamples(vm.url), history.samples);
});

test(
  'a run killed half-way resumes where it stopped and ends with equal counts',
  { skip },
  async () => {
    const vm = await newVm();
    const child = spawn(
      process.execPath,
      // 1,000 samples a request and 720 a series: most requests end inside a series.
      [BIN, 'migrate', '--from', DATA, '--to', vm.url, '--batch-samples', '1000', '--no-verify'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    const killedAt = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no progress within 60 s:\n${err}`));
      }, 60_000);
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /migrate: +(\d+)% /.exec(err.split('\n').slice(-2).join('\n'));
        if (m !== null && Number(m[1]) >= 20 && Number(m[1]) < 100) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve(m[1]!);
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`migrate exited before it was killed:\n${err}`));
      });
    });
    await new Promise<void>((r) =>
      child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
    );
    const state = JSON.parse(readFileSync(resumePath(DATA, vm.url), 'utf8')) as {
      doneSamples: number;
      complete: boolean;
    };
    assert.equal(state.complete, false, `killed at ${killedAt}%`);
    assert.ok(state.doneSamples > 0 && state.doneSamples < history.samples);
    const r = await cli(['--from', DATA, '--to', vm.url, '--batch-samples', '1000']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.err, /migrate: resuming \(\d+ series, \d+ samples acknowledged earlier/);
    const sent = Number(/shipped (\d+) samples/.exec(r.out)?.[1]);
    assert.ok(sent < history.samples, `the resumed run sent ${sent} of ${history.samples}`);
    assert.ok(sent >= history.samples - state.doneSamples - 1000);
    assert.match(r.out, /verify: ok/);
    assert.equal(await storedSamples(vm.url), history.samples);
  },
);

test('the batch in flight when a run died is completed without duplicates', { skip }, async () => {
  const vm = await newVm();
  const target = new VictoriaTarget(vm.url);
  // A run that got the first 40 series' samples halfway to the target, then died.
  const snap = openSnapshot(join(DATA, 'tsdb'));
  const untilMs = Date.now();
  let partial = 0;
  const inFlight: string[] = [];
  try {
    const first = seriesInWindow(snap.db, untilMs).slice(0, 40);
    let body = '';
    for (const s of first) {
      inFlight.push(s.key);
      const d = samplesOf(snap.db, s.labels, s.key, untilMs);
      const half = Math.floor(d.t.length / 2);
      partial += half;
      body +=
        JSON.stringify({
          metric: s.labels,
          values: Array.from(d.v.subarray(0, half)),
          timestamps: Array.from(d.t.subarray(0, half)),
        }) + '\n';
      assert.equal(labelsKey(s.labels), s.key);
    }
    await target.import(body);
  } finally {
    snap.close();
  }
  writeResume(resumePath(DATA, vm.url), {
    version: 1,
    target: vm.url,
    untilMs,
    doneKey: undefined,
    doneSeries: 0,
    doneSamples: 0,
    inFlight,
    complete: false,
  });
  const r = await cli(['--from', DATA, '--to', vm.url]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, new RegExp(`shipped ${history.samples - partial} samples`));
  assert.match(r.out, new RegExp(`${partial} samples of the interrupted batch already there`));
  assert.equal(await storedSamples(vm.url), history.samples);
});

test(
  'a series cut across requests resumes after its last acknowledged sample',
  { skip },
  async () => {
    const vm = await newVm();
    // The third request fails as if the network went away: two were acknowledged.
    class Failing extends VictoriaTarget {
      calls = 0;
      override async import(lines: string): Promise<void> {
        if (++this.calls === 3) throw new TargetError('connection reset');
        return super.import(lines);
      }
    }
    const snap = openSnapshot(join(DATA, 'tsdb'));
    mkdirSync(join(root, 'partial'), { recursive: true });
    const file = resumePath(join(root, 'partial'), vm.url);
    const state: ResumeState = {
      version: 1,
      target: vm.url,
      untilMs: Date.now(),
      doneKey: undefined,
      doneSeries: 0,
      doneSamples: 0,
      inFlight: [],
      complete: false,
    };
    try {
      await assert.rejects(
        migrateSeries({
          db: snap.db,
          target: new Failing(vm.url),
          state,
          resumeFile: file,
          batchSamples: 500,
        }),
        /connection reset/,
      );
      // 1,000 samples acknowledged: the first series (720) and 280 of the second.
      const saved = readResume(file)!;
      assert.equal(saved.doneSamples, 1000);
      assert.equal(saved.doneSeries, 1);
      assert.equal(typeof saved.doneT, 'number');
      // In flight: the rest of the second series and the start of the third.
      assert.equal(saved.inFlight.length, 2);
      const again = await migrateSeries({
        db: snap.db,
        target: new VictoriaTarget(vm.url),
        state: saved,
        resumeFile: file,
        batchSamples: 500,
      });
      assert.equal(again.samplesSent, history.samples - 1000);
    } finally {
      snap.close();
    }
    assert.equal(await storedSamples(vm.url), history.samples);
  },
);

test(
  'history older than the target keeps is refused before anything is sent',
  { skip },
  async () => {
    const vm = await startVictoriaMetrics(); // default -retentionPeriod=1 (a month)
    vms.push(vm);
    const old = join(root, 'old');
    writeHistory(old, { hours: 0.1, end: Date.now() - 40 * 86_400_000 });
    const r = await cli(['--from', old, '--to', vm.url]);
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      /keeps samples for -retentionPeriod=1, but the hub's history starts \S+ \(40 days ago\): it would silently drop the older samples\. Restart VictoriaMetrics with a longer -retentionPeriod/,
    );
    assert.equal(await storedSamples(vm.url), 0);
  },
);

test('retentionPeriod values', () => {
  assert.equal(retentionMs('1'), 31 * 86_400_000);
  assert.equal(retentionMs('100y'), 100 * 365 * 86_400_000);
  assert.equal(retentionMs('2w'), 14 * 86_400_000);
  assert.equal(retentionMs('12h'), 12 * 3_600_000);
  assert.equal(retentionMs('forever'), undefined);
});
