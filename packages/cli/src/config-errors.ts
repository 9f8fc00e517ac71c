import { AlertingConfigError } from '@canopy/hub';
import { SloSpecError } from '@canopy/stack';
import { ConfigError } from './config.js';

/**
 * The exit of a generator whose input is bad: prints which file and what to fix for a bad
 * `canopy.yaml`, alerting section or SLO spec and returns 2; anything else is rethrown.
 *
 * @example
 * try { ... } catch (e) { return configErrorExit(e, io); }
 */
export function configErrorExit(e: unknown, io: { err(s: string): void }): number {
  if (e instanceof AlertingConfigError) {
    io.err(`canopy: bad alerting config\n${e.message}\n`);
    return 2;
  }
  if (e instanceof ConfigError) {
    io.err(`canopy: bad config\n${e.message}\n`);
    return 2;
  }
  if (e instanceof SloSpecError) {
    io.err(`canopy: bad SLO spec\n${e.problems.join('\n')}\n`);
    return 2;
  }
  throw e;
}
