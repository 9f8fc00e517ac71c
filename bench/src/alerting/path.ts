/**
 * An alert path: whatever turns the deployment's /metrics into a message at the Discord
 * stand-in. Stack B (VictoriaMetrics + vmalert + Alertmanager) is one; the embedded hub
 * evaluating the same rules and notifying the same stand-in can be added beside it.
 */
import type { ScrapeTarget } from '@canopy/stack';

/** A started path. */
export interface RunningPath {
  /** Engines that died since the start (empty while all is well). */
  dead(): string[];
  /**
   * Where the time of one measurement went, if the path can tell (e.g. `scrape 9.1 s ·
   * rule 4.2 s · notify 5.3 s`), for the alert that fired after `since` (ms since epoch).
   */
  explain?(alert: string, since: number, notifiedAt: number): Promise<string | undefined>;
  stop(): Promise<void>;
}

/**
 * One way from metrics to a notification, started per run with the deployment's targets
 * and the stand-in's Discord webhook URL, using its default intervals.
 *
 * @example const running = await stackBPath().start(deployment.targets, standIn.discordUrl());
 */
export interface AlertPath {
  /** Name in the report, e.g. `stack B`. */
  readonly name: string;
  /** What the name leaves out: versions, flags. */
  readonly about: string;
  start(targets: readonly ScrapeTarget[], discordWebhookUrl: string): Promise<RunningPath>;
}
