/**
 * Fault → notification through an alert path, with the default intervals.
 *
 * `npm run bench -- --alerting [--path NAME] [--scenario TEXT] [--repeat N] [--warmup 300]
 * [--recover 180] [--json]`:
 * for each path (default: every one in {@link PATHS}), the reference deployment under the
 * same load as the hub's bench (100 peers, 200 events/s, churn 30/min), a warm-up that fills
 * the burn-rate windows with normal traffic, then the scenarios of {@link SCENARIOS} in order,
 * each timed from the fault to the firing message at the Discord stand-in, with a recovery
 * between them. About 16 minutes per path. `--scenario kill` keeps the scenarios whose name
 * contains the text; `--repeat N` runs each path N times on fresh deployments (for the spread
 * of a short scenario such as the kill).
 */
import { availableParallelism, loadavg } from 'node:os';
import { startDeployment } from '@canopy/cli/testing/deployment';
import { ChatStandIn, type ReceivedRequest } from '@canopy/hub/testing/chat-stand-in';
import type { AlertPath } from './path.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { stackBPath } from './stack-b.js';

/** The paths `--path` chooses from. A `hub` path can be added here. */
export const PATHS: Readonly<Record<string, () => AlertPath>> = {
  'stack-b': () => stackBPath(),
  'stack-b-vm-defaults': () =>
    stackBPath({ victoriaFlags: [], name: 'stack B, VictoriaMetrics default flags' }),
};

/** One measurement. */
export interface AlertingRow {
  readonly path: string;
  readonly scenario: string;
  readonly alert: string;
  /** Fault → firing message at the stand-in; null when none came within target + 60 s. */
  readonly seconds: number | null;
  readonly targetS: number;
  /** Where the time went, when the path can tell. */
  readonly breakdown?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

function seconds(name: string, fallback: number): number {
  const v = Number(arg(name));
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Firing alert names in a Discord request (`[FIRING:1] RelayDown relay` → RelayDown). */
function firing(r: ReceivedRequest): string[] {
  const b = r.body as { embeds?: Array<{ title?: string }> } | undefined;
  const out: string[] = [];
  for (const e of b?.embeds ?? []) {
    const m = /^\[FIRING:\d+\] (\S+)/.exec(e.title ?? '');
    if (m !== null) out.push(m[1]!);
  }
  return out;
}

async function waitFiring(
  standIn: ChatStandIn,
  alert: string,
  since: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const hit = standIn.received.find((r) => r.at >= since && firing(r).includes(alert));
    if (hit !== undefined) return hit.at;
    await sleep(100);
  }
  return undefined;
}

/** Runs every scenario through one path; returns its rows and what else it saw. */
async function runPath(
  path: AlertPath,
  scenarios: readonly Scenario[],
  warmupS: number,
  recoverS: number,
  log: (s: string) => void,
): Promise<{ rows: AlertingRow[]; noise: string[]; dead: string[] }> {
  const standIn = await ChatStandIn.start();
  const deployment = await startDeployment({ peers: 100, rate: 200, churn: 30 });
  const rows: AlertingRow[] = [];
  let noise: string[] = [];
  let dead: string[] = [];
  try {
    const running = await path.start(deployment.targets, standIn.discordUrl());
    try {
      log(`${path.name}: warm-up, ${warmupS} s of normal load`);
      await sleep(warmupS * 1000);
      noise = standIn.received.flatMap(firing);
      for (const [i, s] of scenarios.entries()) {
        log(`${path.name}: ${s.name}`);
        const t = await s.inject(deployment);
        const at = await waitFiring(standIn, s.alert, t, (s.targetS + 60) * 1000);
        const breakdown =
          at !== undefined
            ? await running.explain?.(s.alert, t, at).catch(() => undefined)
            : undefined;
        rows.push({
          path: path.name,
          scenario: s.name,
          alert: s.alert,
          seconds: at === undefined ? null : (at - t) / 1000,
          targetS: s.targetS,
          ...(breakdown !== undefined ? { breakdown } : {}),
        });
        if (s.recover !== undefined) await s.recover(deployment);
        if (i < scenarios.length - 1 && s.recover !== undefined) {
          log(`${path.name}: recovering, ${recoverS} s of normal load`);
          await sleep(recoverS * 1000);
        }
      }
      dead = running.dead();
    } finally {
      await running.stop();
    }
  } finally {
    await deployment.stop();
    await standIn.close();
  }
  return { rows, noise, dead };
}

/**
 * The `--alerting` benchmark: prints a table (or JSON lines, one per row, with `json`).
 *
 * @example await runAlerting(false) // npm run bench -- --alerting --path stack-b
 */
export async function runAlerting(json: boolean): Promise<void> {
  const chosen = arg('--path');
  const names = chosen === undefined ? Object.keys(PATHS) : [chosen];
  for (const n of names)
    if (PATHS[n] === undefined)
      throw new Error(`--path: unknown path "${n}"; known: ${Object.keys(PATHS).join(', ')}`);
  const only = arg('--scenario');
  const scenarios = SCENARIOS.filter((s) => only === undefined || s.name.includes(only));
  if (scenarios.length === 0)
    throw new Error(
      `--scenario: no scenario name contains "${only}"; names: ${SCENARIOS.map((s) => s.name).join('; ')}`,
    );
  const repeat = Math.max(1, Math.floor(seconds('--repeat', 1)));
  const warmupS = seconds('--warmup', 300);
  const recoverS = seconds('--recover', 180);
  const log = (s: string) => {
    if (!json) process.stderr.write(`${s}\n`);
  };
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const lines: string[] = [];
  for (const n of names) {
    const path = PATHS[n]!();
    const runs = [];
    for (let k = 0; k < repeat; k++)
      runs.push(await runPath(path, scenarios, warmupS, recoverS, log));
    const r = {
      rows: runs.flatMap((x) => x.rows),
      noise: runs.flatMap((x) => x.noise),
      dead: runs.flatMap((x) => x.dead),
    };
    if (json) {
      for (const row of r.rows) process.stdout.write(JSON.stringify(row) + '\n');
      continue;
    }
    lines.push(`${path.name} (${path.about}):`);
    for (const row of r.rows) {
      const took = row.seconds === null ? 'never' : `${row.seconds.toFixed(1)} s`;
      const met = row.seconds !== null && row.seconds <= row.targetS ? 'met   ' : 'MISSED';
      lines.push(
        `  ${met}  ${row.scenario.padEnd(50)} ${row.alert.padEnd(35)} ${took.padStart(7)} (target ≤ ${row.targetS} s)` +
          (row.breakdown !== undefined ? `  [${row.breakdown}]` : ''),
      );
    }
    if (repeat > 1)
      for (const sc of scenarios) {
        const xs = r.rows
          .filter((row) => row.scenario === sc.name && row.seconds !== null)
          .map((row) => row.seconds!)
          .sort((a, b) => a - b);
        if (xs.length === 0) continue;
        const met = xs.filter((x) => x <= sc.targetS).length;
        lines.push(
          `  ${sc.alert} over ${repeat} runs: min ${xs[0]!.toFixed(1)} s, median ${xs[Math.floor(xs.length / 2)]!.toFixed(1)} s, ` +
            `max ${xs.at(-1)!.toFixed(1)} s; ${met} of ${repeat} within ${sc.targetS} s`,
        );
      }
    lines.push(
      `  alerts firing during the warm-up: ${r.noise.length === 0 ? 'none' : r.noise.join(', ')}`,
    );
    if (r.dead.length > 0) lines.push(`  engines that died: ${r.dead.join(', ')}`);
  }
  if (json) return;
  const mins = ((performance.now() - t0) / 60_000).toFixed(1);
  lines.push(
    '',
    `Load 100 peers, 200 events/s, churn 30/min; warm-up ${warmupS} s, recovery ${recoverS} s; ` +
      (repeat > 1 ? `${repeat} runs per path; ` : '') +
      `15 s scrape, generated rule groups and Alertmanager config; ${mins} min total; ` +
      `load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} CPUs`,
  );
  process.stdout.write(lines.join('\n') + '\n');
}
