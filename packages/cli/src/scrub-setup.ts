/**
 * The PII scrubber the CLI injects where telemetry cannot be imported (the hub's notifier):
 * alert labels and annotations pass through it before any chat or webhook payload is built.
 * @module
 */
import { createScrubber, type Scrubber } from '@canopy/telemetry';

/** The environment variable that picks the mode. */
export const SCRUB_MODE_ENV = 'CANOPY_SCRUB_MODE';

/**
 * A scrubber in the mode `CANOPY_SCRUB_MODE` names: `redact` (default) or `pseudonym`
 * (keyed HMAC tags, key in memory only, rotated daily). Anything else is an error that
 * says what to set.
 *
 * @example const s = scrubberFromEnv(process.env); hubOptions.scrub = s.string;
 */
export function scrubberFromEnv(env: Readonly<Record<string, string | undefined>>): Scrubber {
  const raw = env[SCRUB_MODE_ENV];
  const mode = raw === undefined || raw === '' ? 'redact' : raw;
  if (mode !== 'redact' && mode !== 'pseudonym')
    throw new Error(
      `${SCRUB_MODE_ENV}=${raw}: expected 'redact' or 'pseudonym' (see docs/privacy.md); ` +
        `unset it for the default (redact)`,
    );
  return createScrubber({ mode });
}
