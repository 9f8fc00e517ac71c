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
