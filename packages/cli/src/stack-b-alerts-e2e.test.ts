/**
 * Stack B end to end with the real engines, on the folder `canopy gen --stack self-hosted`
 * writes: the reference services under load and node_exporter, scraped every 3 s by vmagent
 * with the generated scrape config (sample limits, catalog keep rule) and remote-written to
 * VictoriaMetrics; vmalert evaluating the generated rule file; Alertmanager on the generated
 * config, its Discord receiver pointing at the Discord stand-in (which enforces Discord's
 * payload limits). Every PromQL of the generated Grafana dashboards, with Grafana's variables
 * substituted, runs against VictoriaMetrics without error (the overview's with data), and no
 * series outside the catalog got through. Then killing a relay process must bring a
 * RelayDown message to the stand-in within the 30 s target, naming the dead instance.
 * Loopback only; every process is ended by PID and every folder removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatStandIn, type ReceivedRequest } from '@canopy/hub/testing/chat-stand-in';
import {
  ALERTMANAGER_BIN,
  NODE_EXPORTER_BIN,
  STACK_B_VICTORIA_FLAGS,
  VICTORIA_METRICS_BIN,
  VMAGENT_BIN,
  VMALERT_BIN,
  catalogKeepRegex,
  interpolateGrafana,
  startNodeExporter,
  startStackB,
  toolSkipReason,
  type EngineProcess,
  type StackB,
} from '@canopy/stack';
import { run } from './cli.js';
import { startDeployment, type Deployment } from './testing/deployment.js';

const skip =
  toolSkipReason(VICTORIA_METRICS_BIN, 'victoria-metrics') ||
  toolSkipReason(VMALERT_BIN, 'victoria-metrics') ||
  toolSkipReason(ALERTMANAGER_BIN, 'prometheus-alertmanager') ||
  toolSkipReason(VMAGENT_BIN, 'victoria-metrics') ||
  toolSkipReason(NODE_EXPORTER_BIN, 'prometheus-node-exporter');

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

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { result: Array<{ metric: Record<string, string>; values?: unknown[] }> };
}

async function queryRange(vm: string, expr: string, start: number, end: number, step: number) {
  const q = new URLSearchParams({
    query: expr,
    start: String(start),
    end: String(end),
    step: `${step}s`,
  });
  const r = await fetch(`${vm}/api/v1/query_range?${q}`, { signal: AbortSignal.timeout(10_000) });
  return (await r.json()) as QueryAnswer;
}

/** Every target expression of the generated dashboards, by dashboard uid. */
function dashboardExprs(dir: string): Array<{ dashboard: string; panel: string; expr: string }> {
  return readdirSync(dir).flatMap((f) => {
    const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      uid: string;
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    return d.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ dashboard: d.uid, panel: p.title, expr: t.expr })),
    );
  });
}

test(
  'stack B: a killed relay reaches the Discord stand-in as RelayDown within 30 s',
  { skip, timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'canopy-stack-b-'));
    const standIn = await ChatStandIn.start();
    // Filled as things start; t.after stops whatever did.
    const running: { deployment?: Deployment; stack?: StackB; node?: EngineProcess } = {};
    t.after(async () => {
      await running.stack?.stop();
      await running.node?.stop();
      await running.deployment?.stop();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const deployment = (running.deployment = await startDeployment({
      peers: 20,
      rate: 40,
      churn: 30,
    }));
    const node = (running.node = await startNodeExporter());
    const targets = [...deployment.targets, { url: `${node.url}/metrics`, service: 'host' }];

    // The generated files, made by the command an operator runs, for these targets.
    const config = join(dir, 'canopy.yaml');
    writeFileSync(
      config,
      [
        'scrape:',
        `  interval: ${SCRAPE_S}s`,
        `  timeout: ${SCRAPE_S - 1}s`,
        '  targets:',
        ...targets.flatMap((x) => [`    - url: ${x.url}`, `      service: ${x.service}`]),
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
    const gen = join(dir, 'stack');
    await canopy('gen', '--stack', 'self-hosted', '--config', config, '--out', gen);

    const stackStart = Date.now() / 1000;
    const stack = (running.stack = await startStackB({
      targets,
      vmagentScrapeConfig: join(gen, 'vmagent', 'scrape.yml'),
      rulesFile: join(gen, 'rules', 'canopy.rules.yml'),
      alertmanagerConfig: join(gen, 'alertmanager', 'alertmanager.yml'),
      scrapeInterval: SCRAPE_S,
      externalUrl: 'http://127.0.0.1:9400',
      victoriaFlags: STACK_B_VICTORIA_FLAGS,
    }));
    const vm = stack.victoria.url;

    // Warm-up: every target is up in VictoriaMetrics, and vmalert evaluates against it and
    // writes back (a recording rule's series exists): both directions work before the fault.
    await until(
      'all five targets (four services, node_exporter) up in VictoriaMetrics',
      60_000,
      async () => {
        const r = (await (
          await fetch(`${vm}/api/v1/query?query=${encodeURIComponent('sum(up)')}`)
        ).json()) as { data: { result: Array<{ value: [number, string] }> } };
        return r.data.result[0]?.value[1] === '5' ? true : undefined;
      },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nvmagent:\n${stack.vmagent?.log().slice(-2000) ?? ''}`);
    });
    await until('a recording rule written back by vmalert', 60_000, async () => {
      const r = (await (
        await fetch(`${vm}/api/v1/series?match[]=${encodeURIComponent('slo:error_ratio:rate1m')}`)
      ).json()) as { data: unknown[] };
      return r.data.length > 0 ? true : undefined;
    });
    await sleep(3 * SCRAPE_S * 1000);

    // The Grafana query set: every dashboard query as Grafana would send it over the run so
    // far, step = scrape interval. None may fail; the overview's (targets up, headlines) must
    // have data. The keep rule let nothing but catalog series (and vmalert's) through.
    const end = Math.floor(Date.now() / 1000);
    const start = Math.floor(stackStart);
    const ctx = { stepSeconds: SCRAPE_S, scrapeSeconds: SCRAPE_S, rangeSeconds: end - start };
    const queries = dashboardExprs(join(gen, 'grafana', 'dashboards'));
    assert.ok(queries.length > 100, `${queries.length} dashboard queries`);
    const failed: string[] = [];
    const empty: string[] = [];
    const queryStart = Date.now();
    for (const q of queries) {
      const a = await queryRange(vm, interpolateGrafana(q.expr, ctx), start, end, SCRAPE_S);
      if (a.status !== 'success') failed.push(`${q.dashboard} / ${q.panel}: ${q.expr}: ${a.error}`);
      else if (q.dashboard === 'overview' && (a.data?.result.length ?? 0) === 0)
        empty.push(`${q.panel}: ${q.expr}`);
    }
    t.diagnostic(
      `${queries.length} dashboard queries against VictoriaMetrics in ${Date.now() - queryStart} ms`,
    );
    assert.deepEqual(failed, [], 'every dashboard query runs');
    assert.deepEqual(empty, [], 'every overview query has data');
    const names = await queryRange(vm, 'group by (__name__) ({service=~".+"})', end - 30, end, 30);
    const keep = new RegExp(`^(?:${catalogKeepRegex()})$`);
    const outside = (names.data?.result ?? [])
      .map((r) => r.metric['__name__'] ?? '')
      .filter((n) => !keep.test(n) && !n.includes(':') && !n.startsWith('ALERTS'));
    assert.ok((names.data?.result.length ?? 0) > 20, JSON.stringify(names).slice(0, 300));
    assert.deepEqual(outside, [], 'only catalog series were stored');

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
