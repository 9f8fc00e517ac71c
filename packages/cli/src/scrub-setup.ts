/**
 * The PII scrubber the CLI injects where telemetry cannot be imported (the hub's notifier):
 * alert labels and annotations pass through it before any chat or webhook payload is built.
 * The mode comes from `CANOPY_SCRUB_MODE` (see `scrubberFromEnv` in `@canopy/telemetry`).
 * @module
 */
export { scrubberFromEnv, SCRUB_MODE_ENV } from '@canopy/telemetry';
