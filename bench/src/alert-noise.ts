/**
 * Alert noise and fault-to-page times through the embedded hub, with the default intervals.
 *
 * `npm run bench -- --alert-noise [--minutes 20]`: the reference deployment under normal
 * load with churn for N minutes; counts every alert that went pending or firing (from the
 * hub's `ALERTS` history) and every notification at the Discord stand-in. Target: none.
 *
 * `npm run bench -- --alert-hub [--warmup 300]`: after a warm-up of normal load, the four
 * fault scenarios of the alerting issue, timed from the fault to the message at the stand-in:
 * kill a relay (≤ 30 s), ws upgrades failing 100%, `slow-disk`, `stall-replay` (≤ 2 min).
 */
import { loadavg } from 'node:os';
import { startAlertRun } from '@canopy/cli/testing/alert-run';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i === -1 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

async function query(
  hub: string,
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${hub}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const j = (await r.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return j.data.result;
}

/** Runs normal load for `--minutes` and reports every alert and notification. */
export async function runAlertNoise(json: boolean): Promise<void> {
  const minutes = arg('--minutes', 20);
  const load0 = loadavg()[0]!;
  const run = await startAlertRun({ peers: 100, rate: 200, churn: 30 });
  try {
    const end = Date.now() + minutes * 60_000;
    while (Date.now() < end) {
      await sleep(Math.min(60_000, end - Date.now()));
      if (!json)
        process.stderr.write(
          `${Math.round((minutes * 60_000 - (end - Date.now())) / 60_000)} min: ${run.notifications().length} notifications\n`,
        );
    }
    const ever = await query(run.hubUrl, `max_over_time(ALERTS[${minutes + 1}m])`);
    const up = await query(run.hubUrl, `min_over_time(up[${minutes}m])`);
    const result = {
      minutes,
      alerts_pending_or_firing: ever.map(
        (s) => `${s.metric['alertname']}(${s.metric['alertstate']})`,
      ),
      notifications: run.notifications().map((n) => `${n.status} ${n.alertname}`),
      targets: up.length,
      targets_ever_down: up.filter((s) => s.value[1] !== '1').map((s) => s.metric['instance']),
      load1_start: load0,
      load1_end: loadavg()[0],
    };
    if (json) process.stdout.write(JSON.stringify(result) + '\n');
    else
      process.stdout.write(
        `Alert noise: ${minutes} min of normal load (100 peers, 200 ev/s, churn 30/min), default intervals\n` +
          `  alerts pending or firing: ${result.alerts_pending_or_firing.length === 0 ? 'none' : result.alerts_pending_or_firing.join(', ')}\n` +
          `  notifications at the stand-in: ${result.notifications.length === 0 ? 'none' : result.notifications.join(', ')}\n` +
          `  targets: ${result.targets}, ever down: ${result.targets_ever_down.length === 0 ? 'none' : result.targets_ever_down.join(', ')}\n` +
          `  load1 ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}\n`,
      );
  } finally {
    await run.stop();
  }
}

/** The four fault scenarios through the hub, timed fault → notification. */
export async function runAlertHub(json: boolean): Promise<void> {
  const warmup = arg('--warmup', 300);
  const load0 = loadavg()[0]!;
  const run = await startAlertRun({ peers: 100, rate: 200, churn: 30 });
  const rows: { scenario: string; alert: string; seconds: number | null; target: number }[] = [];
  const measure = async (scenario: string, alert: string, since: number, target: number) => {
    const at = await run.waitFiring(alert, since, (target + 60) * 1000);
    rows.push({ scenario, alert, seconds: at === undefined ? null : (at - since) / 1000, target });
  };
  try {
    if (!json) process.stderr.write(`warm-up: ${warmup} s of normal load\n`);
    await sleep(warmup * 1000);
    const steady = async () => {
      if (!json) process.stderr.write('recovering: 3 min of normal load\n');
      await sleep(180_000);
    };

    let t = Date.now();
    await run.fault('relay-a', 'ws-reject', true);
    await run.fault('relay-b', 'ws-reject', true);
    await measure('ws upgrades failing 100%', 'RelayWsConnectErrorsBudgetBurnFast', t, 120);
    await run.fault('relay-a', 'ws-reject', false);
    await run.fault('relay-b', 'ws-reject', false);
    await steady();

    t = await run.fault('storage', 'slow-disk', true, 200);
    await measure('slow-disk (200 ms per write)', 'StorageWriteLatencyBudgetBurnFast', t, 120);
    await run.fault('storage', 'slow-disk', false);
    await steady();

    t = await run.fault('replay', 'stall-replay', true);
    await measure('stall-replay', 'ReplaySyncLagHigh', t, 120);
    await run.fault('replay', 'stall-replay', false);

    t = run.kill('relay-b');
    await measure('kill the relay (SIGKILL)', 'RelayDown', t, 30);
  } finally {
    await run.stop();
  }
  if (json) {
    for (const r of rows) process.stdout.write(JSON.stringify({ path: 'hub', ...r }) + '\n');
    return;
  }
  const lines = [
    `Fault → notification at the Discord stand-in, through the hub (default intervals, ${warmup} s warm-up)`,
    ...rows.map(
      (r) =>
        `  ${r.scenario.padEnd(30)} ${r.alert.padEnd(38)} ${r.seconds === null ? 'never' : `${r.seconds.toFixed(1)} s`} (target ≤ ${r.target} s)`,
    ),
    `  load1 ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
