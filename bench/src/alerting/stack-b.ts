/**
 * Stack B as an {@link AlertPath}: the rule file and Alertmanager config `canopy gen` makes
 * with its defaults (15 s scrape, the generated group intervals, group_wait 5 s), run by
 * VictoriaMetrics, vmalert and Alertmanager, the Discord receiver pointing at the stand-in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SLOS } from '@canopy/catalog';
import {
  DEFAULT_SCRAPE_INTERVAL,
  STACK_B_VICTORIA_FLAGS,
  renderRules,
  startStackB,
  writeAlertmanagerFiles,
} from '@canopy/stack';
import type { AlertPath } from './path.js';

/** First `up == 0` sample of a service after `since` (ms), from VictoriaMetrics' export API. */
async function firstDown(vm: string, service: string, since: number): Promise<number | undefined> {
  const u = new URL('/api/v1/export', vm);
  u.searchParams.set('match[]', `up{service="${service}"}`);
  u.searchParams.set('start', String(Math.floor(since / 1000) - 1));
  const text = await (await fetch(u, { signal: AbortSignal.timeout(10_000) })).text();
  let first: number | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const s = JSON.parse(line) as { values: number[]; timestamps: number[] };
    s.values.forEach((v, i) => {
      const t = s.timestamps[i]!;
      if (v === 0 && t >= since && (first === undefined || t < first)) first = t;
    });
  }
  return first;
}

/** When vmalert made the alert active (its `activeAt`), from vmalert's API. */
async function activeAt(vmalert: string, alert: string): Promise<number | undefined> {
  const r = await fetch(`${vmalert}/api/v1/alerts`, { signal: AbortSignal.timeout(10_000) });
  const body = (await r.json()) as { data?: { alerts?: { name: string; activeAt: string }[] } };
  const times = (body.data?.alerts ?? [])
    .filter((a) => a.name === alert)
    .map((a) => Date.parse(a.activeAt));
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * Splits fault → notification into scrape (to the first failed scrape, target-down alerts
 * only), rule (to vmalert's activeAt) and notify (vmalert → Alertmanager → stand-in).
 */
async function explain(
  vm: string,
  vmalert: string,
  alert: string,
  since: number,
  notifiedAt: number,
): Promise<string | undefined> {
  const s = (a: number, b: number) => `${((b - a) / 1000).toFixed(1)} s`;
  const active = await activeAt(vmalert, alert).catch(() => undefined);
  if (active === undefined) return undefined;
  const down = /^(\w+)Down$/.exec(alert);
  const service = down?.[1]?.toLowerCase();
  const scraped =
    service !== undefined ? await firstDown(vm, service, since).catch(() => undefined) : undefined;
  return scraped !== undefined
    ? `scrape ${s(since, scraped)} · rule ${s(scraped, active)} · notify ${s(active, notifiedAt)}`
    : `rule ${s(since, active)} · notify ${s(active, notifiedAt)}`;
}

/** Options of {@link stackBPath}. */
export interface StackBPathOptions {
  /** VictoriaMetrics flags. Default STACK_B_VICTORIA_FLAGS (`-search.latencyOffset=0s`). */
  readonly victoriaFlags?: readonly string[];
  /** Name in the report. Default `stack B`. */
  readonly name?: string;
}

/**
 * Stack B with the default intervals.
 *
 * @example const running = await stackBPath({ victoriaFlags: [] }).start(targets, standIn.discordUrl());
 */
export function stackBPath(o: StackBPathOptions = {}): AlertPath {
  const flags = o.victoriaFlags ?? STACK_B_VICTORIA_FLAGS;
  return {
    name: o.name ?? 'stack B',
    about: `VictoriaMetrics ${flags.length > 0 ? flags.join(' ') : '(default flags)'}, vmalert, Alertmanager`,
    async start(targets, discordWebhookUrl) {
      const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-stack-b-'));
      try {
        const rules = join(dir, 'canopy.rules.yml');
        writeFileSync(
          rules,
          renderRules(DEFAULT_SLOS, {
            scrapeInterval: DEFAULT_SCRAPE_INTERVAL,
            dashboardUrl: 'http://127.0.0.1:9400',
          }),
        );
        const am = writeAlertmanagerFiles(join(dir, 'alertmanager'), {
          receivers: [{ name: 'oncall-discord', type: 'discord', webhook_url: discordWebhookUrl }],
          route: { receiver: 'oncall-discord' },
        });
        const stack = await startStackB({
          targets,
          rulesFile: rules,
          alertmanagerConfig: am.files[0]!,
          scrapeInterval: DEFAULT_SCRAPE_INTERVAL,
          victoriaFlags: flags,
        });
        return {
          dead: () => stack.dead(),
          explain: (alert, since, notifiedAt) =>
            explain(stack.victoria.url, stack.vmalert.url, alert, since, notifiedAt),
          async stop() {
            await stack.stop();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    },
  };
}
