/**
 * Relay telemetry overhead in instructions, not seconds: the relay runs under
 * `valgrind --tool=callgrind`, which counts the instructions it executes — repeatable on a
 * shared machine where CPU seconds are not. Four runs: telemetry on/off × idle/loaded, with
 * the same clients connected; (loaded − idle) / deliveries is the relay's cost per delivery,
 * and on/off − 1 is the share telemetry takes.
 *
 * Usage: `npm run bench -- --relay-instructions [--json]` (about 3–5 minutes).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './proc.js';
import { newIdentity, signEvent, connectPeer, type PeerConnection } from '@canopy/services';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/canopy.js', import.meta.url));
const VALGRIND = '/usr/bin/valgrind';
const PUBLISHERS = 4;
const SUBSCRIBERS = 20;
const EVENTS_PER_PUBLISHER = 250;
const PACE_PER_PUBLISHER = 25; // events/s: the relay under valgrind runs ~50× slower

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(
  mode: 'on' | 'off',
  loaded: boolean,
  events: readonly string[][],
): Promise<{ instructions: number; deliveries: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-cg-'));
  const out = join(dir, 'callgrind.out');
  const port = await freePort();
  const mport = await freePort();
  const child = spawn(
    VALGRIND,
    [
      '--tool=callgrind',
      `--callgrind-out-file=${out}`,
      process.execPath,
      // No concurrent compiler or GC threads: their share of the count varies run to run.
      '--single-threaded',
      BIN,
      'relay',
      '--listen',
      `127.0.0.1:${port}`,
      '--metrics',
      `127.0.0.1:${mport}`,
    ],
    { env: { ...process.env, CANOPY_TELEMETRY: mode, CANOPY_LOG_LEVEL: 'warn' }, stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    let healthy = false;
    for (let i = 0; i < 600 && !healthy; i++) {
      if (child.exitCode !== null) throw new Error('relay under valgrind exited during start-up');
      try {
        healthy = (
          await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })
        ).ok;
      } catch {
        await sleep(200);
      }
    }
    if (!healthy) throw new Error('relay under valgrind did not start within 2 minutes');
    const url = `ws://127.0.0.1:${port}`;
    let delivered = 0;
    const conns: PeerConnection[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const c = await connectPeer({
        url,
        identity: newIdentity(),
        timeoutMs: 30_000,
        onFrame: () => void delivered++,
      });
      c.subscribe(['bench']);
      conns.push(c);
    }
    const pubs: PeerConnection[] = [];
    for (let i = 0; i < PUBLISHERS; i++)
      pubs.push(await connectPeer({ url, identity: newIdentity(), timeoutMs: 30_000 }));
    conns.push(...pubs);
    const expected = loaded ? PUBLISHERS * EVENTS_PER_PUBLISHER * SUBSCRIBERS : 0;
    if (loaded) {
      for (let k = 0; k < EVENTS_PER_PUBLISHER; k += PACE_PER_PUBLISHER / 5) {
        for (let p = 0; p < PUBLISHERS; p++)
          for (let j = k; j < Math.min(k + PACE_PER_PUBLISHER / 5, EVENTS_PER_PUBLISHER); j++)
            pubs[p]!.ws.send(events[p]![j]!);
        await sleep(200);
      }
    }
    for (let i = 0; i < 1200 && delivered < expected; i++) await sleep(250);
    await sleep(1000);
    for (const c of conns) c.ws.close();
    await sleep(2000);
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(120_000)]);
    if (!existsSync(out)) throw new Error('callgrind wrote no output');
    const summary = /^(?:summary|totals): (\d+)/m.exec(readFileSync(out, 'utf8'));
    if (summary === null) throw new Error('no instruction total in the callgrind output');
    return { instructions: Number(summary[1]), deliveries: delivered };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the four callgrind runs and prints the per-delivery instructions and the overhead. */
export async function runRelayInstructions(json: boolean): Promise<void> {
  if (!existsSync(VALGRIND)) {
    process.stderr.write('relay instructions: valgrind is not installed\n');
    process.exitCode = 1;
    return;
  }
  const events = Array.from({ length: PUBLISHERS }, () => {
    const id = newIdentity();
    return Array.from({ length: EVENTS_PER_PUBLISHER }, (_, i) =>
      JSON.stringify({ t: 'pub', ev: signEvent(id, 'bench', i + 1, `payload ${i}`) }),
    );
  });
  const per: Record<'on' | 'off', number> = { on: 0, off: 0 };
  const detail: Record<string, { instructions: number; deliveries: number }> = {};
  for (const mode of ['on', 'off'] as const) {
    const idle = await run(mode, false, events);
    const loaded = await run(mode, true, events);
    detail[`${mode}-idle`] = idle;
    detail[`${mode}-loaded`] = loaded;
    per[mode] = (loaded.instructions - idle.instructions) / loaded.deliveries;
    if (!json)
      process.stderr.write(
        `telemetry ${mode}: idle ${idle.instructions.toLocaleString('en-US')} instr, loaded ${loaded.instructions.toLocaleString('en-US')} instr, ${loaded.deliveries} deliveries → ${per[mode].toFixed(0)} instr/delivery\n`,
      );
  }
  const overhead = per.on / per.off - 1;
  if (json) {
    process.stdout.write(
      JSON.stringify({
        name: 'relay fan-out instructions per delivery (telemetry on vs off)',
        instructions_per_delivery_on: Math.round(per.on),
        instructions_per_delivery_off: Math.round(per.off),
        throughput_loss: Number(overhead.toFixed(4)),
      }) + '\n',
    );
    return;
  }
  process.stdout.write(
    `relay under callgrind, ${PUBLISHERS}×${EVENTS_PER_PUBLISHER} events → ${SUBSCRIBERS} subscribers:\n` +
      `  telemetry on : ${per.on.toFixed(0)} instructions per delivery\n` +
      `  telemetry off: ${per.off.toFixed(0)} instructions per delivery\n` +
      `  telemetry share: ${(overhead * 100).toFixed(2)}% (target < 2%)\n`,
  );
}
