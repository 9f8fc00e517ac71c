/**
 * Stack B end to end with the real engines: the reference services under load, scraped every
 * 3 s by VictoriaMetrics; vmalert evaluating the rule file `canopy gen rules` made for that
 * interval; Alertmanager on the config `canopy gen alertmanager` made, its Discord receiver
 * pointing at the Discord stand-in (which enforces Discord's payload limits). Killing a relay
 * process must bring a RelayDown message to the stand-in within the 30 s target, naming the
 * dead instance. Loopback only; every process is ended by PID and every folder removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatStandIn, type ReceivedRequest } from '@canopy/hub/testing/chat-stand-in';
import {
  ALERTMANAGER_BIN,
  STACK_B_VICTORIA_FLAGS,
  VICTORIA_METRICS_BIN,
  VMALERT_BIN,
  startStackB,
  toolSkipReason,
  type StackB,
} from '@canopy/stack';
import { run } from './cli.js';
import { startDeployment, type Deployment } from './testing/deployment.js';

const skip =
  toolSkipReason(VICTORIA_METRICS_BIN, 'victoria-metrics') ||
  toolSkipReason(VMALERT_BIN, 'victoria-metrics') ||
  toolSkipReason(ALERTMANAGER_BIN, 'prometheus-alertmanager');

// 3 s: short for a quick test, and one `canopy gen rules` can write tests for (at 2 s its
// promtool test generator stops on a value too close to a threshold).
const SCRAPE_S = 3;
/** DESIGN.md: a dead process pages within 30 s. */
const TARGET_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function canopy(...argv: string[]): Promise<string> {
  let out = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (out += s) });
  assert.equal(code, 0, `canopy ${argv.join(' ')}:\n${out}`);
  return out;
}

/** The Discord embeds' titles of a request. */
function titles(r: ReceivedRequest): string[] {
  const b = r.body as { embeds?: Array<{ title?: string }> } | undefined;
  return (b?.embeds ?? []).map((e) => e.title ?? '');
}

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}

test(
  'stack B: a killed relay reaches the Discord stand-in as RelayDown within 30 s',
  { skip, timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'canopy-stack-b-'));
    const standIn = await ChatStandIn.start();
    // Filled as things start; t.after stops whatever did.
    const running: { deployment?: Deployment; stack?: StackB } = {};
    t.after(async () => {
      await running.stack?.stop();
      await running.deployment?.stop();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    });

    // The generated files, made by the commands an operator runs.
    const config = join(dir, 'canopy.yaml');
    writeFileSync(
      config,
      [
        'scrape:',
        `  interval: ${SCRAPE_S}s`,
        `  timeout: ${SCRAPE_S - 1}s`,
        'alerting:',
        '  receivers:',
        '    - name: oncall-discord',
        '      type: discord',
        `      webhook_url: ${standIn.discordUrl()}`,
        '  route:',
        '    receiver: oncall-discord',
        '',
      ].join('\n'),
    );
    await canopy('gen', 'rules', '--config', config, '--out', join(dir, 'rules'));
    await canopy('gen', 'alertmanager', '--config', config, '--out', join(dir, 'alertmanager'));

    const deployment = (running.deployment = await startDeployment({
      peers: 20,
      rate: 40,
      churn: 30,
    }));
    const stack = (running.stack = await startStackB({
      targets: deployment.targets,
      rulesFile: join(dir, 'rules', 'canopy.rules.yml'),
      alertmanagerConfig: join(dir, 'alertmanager', 'alertmanager.yml'),
      scrapeInterval: SCRAPE_S,
      externalUrl: 'http://127.0.0.1:9400',
      victoriaFlags: STACK_B_VICTORIA_FLAGS,
    }));
    const vm = stack.victoria.url;

    // Warm-up: every target is up in VictoriaMetrics, and vmalert evaluates against it and
    // writes back (a recording rule's series exists): both directions work before the fault.
    await until('all four targets up in VictoriaMetrics', 60_000, async () => {
      const r = (await (
        await fetch(`${vm}/api/v1/query?query=${encodeURIComponent('sum(up)')}`)
      ).json()) as { data: { result: Array<{ value: [number, string] }> } };
      return r.data.result[0]?.value[1] === '4' ? true : undefined;
    });
    await until('a recording rule written back by vmalert', 60_000, async () => {
      const r = (await (
        await fetch(`${vm}/api/v1/series?match[]=${encodeURIComponent('slo:error_ratio:rate1m')}`)
      ).json()) as { data: unknown[] };
      return r.data.length > 0 ? true : undefined;
    });
    await sleep(3 * SCRAPE_S * 1000);
    const before = standIn.received.length;
    assert.deepEqual(
      standIn.received.flatMap(titles).filter((x) => x.includes('RelayDown')),
      [],
      'no RelayDown while every relay runs',
    );

    const killedAt = deployment.kill('relay-a');
    const instance = new URL(deployment.metricsUrl('relay-a')).host;
    const got = await until('RelayDown at the Discord stand-in', 90_000, async () =>
      standIn.received.slice(before).find((r) => titles(r).some((x) => x.includes('RelayDown'))),
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}\nstand-in got: ${JSON.stringify(standIn.received.map(titles))}\n` +
          `dead engines: ${stack.dead().join(', ') || 'none'}\n` +
          `alertmanager:\n${stack.alertmanager.log().slice(-2000)}\nvmalert:\n${stack.vmalert.log().slice(-2000)}`,
      );
    });
    const tookMs = got.at - killedAt;
    t.diagnostic(
      `relay killed → RelayDown at the Discord stand-in: ${(tookMs / 1000).toFixed(1)} s`,
    );

    // Discord's contract: accepted (204), within its limits, one embed naming the dead instance.
    assert.equal(got.status, 204, JSON.stringify(got.violations));
    assert.deepEqual(got.violations, []);
    assert.equal(got.service, 'discord');
    const embed = (got.body as { embeds: Array<{ title: string; description: string }> })
      .embeds[0]!;
    assert.equal(embed.title, '[FIRING:1] RelayDown relay');
    assert.match(
      embed.description,
      new RegExp(
        `^RelayDown on ${instance}: relay target ${instance} is down: its last scrape failed\\nvalue up = 0\\nhttp://127\\.0\\.0\\.1:9400/d/relay`,
      ),
    );
    assert.ok(tookMs <= TARGET_MS, `RelayDown took ${tookMs} ms, target ${TARGET_MS} ms`);
    assert.deepEqual(stack.dead(), [], 'no engine died');
  },
);
