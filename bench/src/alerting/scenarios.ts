/**
 * The fault scenarios of the alerting issue: what is broken, which alert must reach chat, and
 * the target from DESIGN.md (a dead process ≤ 30 s, a full outage ≤ 2 min). Run in table
 * order on one deployment; the kill comes last because a dead relay stays dead.
 */
import type { Deployment } from '@canopy/cli/testing/deployment';

/** One scenario. */
export interface Scenario {
  readonly name: string;
  /** The alert whose firing message ends the measurement. */
  readonly alert: string;
  readonly targetS: number;
  /** Breaks the deployment; resolves to the time the fault took effect. */
  inject(d: Deployment): Promise<number>;
  /** Undoes the fault (not for a kill). */
  recover?(d: Deployment): Promise<void>;
}

/**
 * The scenarios, in run order.
 *
 * @example SCENARIOS.map((s) => s.alert) // ['RelayWsConnectErrorsBudgetBurnFast', …, 'RelayDown']
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'ws upgrades failing 100% (ws-reject on both relays)',
    alert: 'RelayWsConnectErrorsBudgetBurnFast',
    targetS: 120,
    async inject(d) {
      await d.fault('relay-a', 'ws-reject', true);
      return d.fault('relay-b', 'ws-reject', true);
    },
    async recover(d) {
      await d.fault('relay-a', 'ws-reject', false);
      await d.fault('relay-b', 'ws-reject', false);
    },
  },
  {
    name: 'slow-disk (200 ms per storage write)',
    alert: 'StorageWriteLatencyBudgetBurnFast',
    targetS: 120,
    inject: (d) => d.fault('storage', 'slow-disk', true, 200),
    recover: async (d) => void (await d.fault('storage', 'slow-disk', false)),
  },
  {
    name: 'stall-replay',
    alert: 'ReplaySyncLagHigh',
    targetS: 120,
    inject: (d) => d.fault('replay', 'stall-replay', true),
    recover: async (d) => void (await d.fault('replay', 'stall-replay', false)),
  },
  {
    name: 'kill the relay (SIGKILL relay-a)',
    alert: 'RelayDown',
    targetS: 30,
    inject: async (d) => d.kill('relay-a'),
  },
];
