/**
 * Stack B on one machine: VictoriaMetrics scraping the targets, vmalert evaluating the rule
 * file against it (ALERTS written back, alerts sent on) and Alertmanager routing them. For
 * tests and benchmarks; every process is on loopback and stopped by its own pid.
 */
import { startAlertmanager } from './alertmanager.js';
import type { EngineProcess } from './process.js';
import {
  STACK_B_VICTORIA_FLAGS,
  startVictoriaMetrics,
  type ScrapeTarget,
} from './victoria-metrics.js';
import { startVmalert } from './vmalert.js';
import { startVmagent } from './vmagent.js';

/** Options of {@link startStackB}. */
export interface StackBOptions {
  readonly targets: readonly ScrapeTarget[];
  /** The rule file (`canopy gen rules`). */
  readonly rulesFile: string;
  /** The Alertmanager config (`canopy gen alertmanager`), templates beside it. */
  readonly alertmanagerConfig: string;
  /** Scrape interval in seconds; the rule file must be generated for it. Default 15. */
  readonly scrapeInterval?: number;
  /** vmalert's interval for groups that set none, in seconds. Default 15. */
  readonly evaluationInterval?: number;
  /** vmalert's `-external.url`. */
  readonly externalUrl?: string;
  /** Extra VictoriaMetrics flags. Default {@link STACK_B_VICTORIA_FLAGS}; `[]` for its defaults. */
  readonly victoriaFlags?: readonly string[];
  /**
   * A scrape config (`canopy gen --stack`'s `vmagent/scrape.yml`): vmagent scrapes with it and
   * remote-writes to VictoriaMetrics, which then scrapes nothing itself and `targets` is
   * ignored. Default: VictoriaMetrics scrapes `targets`.
   */
  readonly vmagentScrapeConfig?: string;
}

/** A running stack B. */
export interface StackB {
  readonly victoria: EngineProcess;
  readonly vmalert: EngineProcess;
  readonly alertmanager: EngineProcess;
  /** vmagent, when {@link StackBOptions.vmagentScrapeConfig} was given. */
  readonly vmagent?: EngineProcess;
  /** Engines that died since the start, with how (`vmalert: code 1`). */
  dead(): string[];
  /** Stops every engine (vmagent and vmalert first, Alertmanager last) and removes their folders. */
  stop(): Promise<void>;
}

/**
 * Starts Alertmanager, VictoriaMetrics and vmalert, each waited for; on any failure the ones
 * already started are stopped before the error is thrown.
 *
 * @example const b = await startStackB({ targets, rulesFile, alertmanagerConfig }); await b.stop();
 */
export async function startStackB(o: StackBOptions): Promise<StackB> {
  const started: EngineProcess[] = [];
  const stopAll = async () => {
    for (const e of started.reverse()) await e.stop();
  };
  try {
    const alertmanager = await startAlertmanager({ configFile: o.alertmanagerConfig });
    started.push(alertmanager);
    const victoria = await startVictoriaMetrics({
      targets: o.vmagentScrapeConfig !== undefined ? [] : o.targets,
      scrapeInterval: o.scrapeInterval ?? 15,
      flags: o.victoriaFlags ?? STACK_B_VICTORIA_FLAGS,
    });
    started.push(victoria);
    const vmalert = await startVmalert({
      rules: [o.rulesFile],
      datasource: victoria.url,
      remoteWrite: victoria.url,
      notifiers: [alertmanager.url],
      evaluationInterval: o.evaluationInterval ?? 15,
      ...(o.externalUrl !== undefined ? { externalUrl: o.externalUrl } : {}),
    });
    started.push(vmalert);
    const vmagent =
      o.vmagentScrapeConfig !== undefined
        ? await startVmagent({ scrapeConfig: o.vmagentScrapeConfig, remoteWrite: victoria.url })
        : undefined;
    if (vmagent !== undefined) started.push(vmagent);
    return {
      victoria,
      vmalert,
      alertmanager,
      ...(vmagent !== undefined ? { vmagent } : {}),
      dead: () =>
        [...started].filter((e) => e.exited !== undefined).map((e) => `${e.name}: ${e.exited}`),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
