/**
 * `hub.traces` and `hub.logs` of canopy.yaml: whether the hub keeps traces and logs and how
 * much of them (docs/traces-and-logs.md), resolved to `startHub`'s options.
 */

import { z } from 'zod';
import { parseBytes, type LogsOptions, type TracesOptions } from '@canopy/hub';

/**
 * A size above 0 (`"64MiB"` or a number of bytes), for `parseBytes`; the errors name `example`.
 *
 * @example positiveSize('32MiB').default('32MiB')
 */
export const positiveSize = (example: string) =>
  z.union([z.string(), z.number()], { error: `expected a size such as "${example}"` }).refine(
    (s) => {
      try {
        return parseBytes(s) > 0;
      } catch {
        return false;
      }
    },
    { error: `expected a size above 0 such as "${example}"` },
  );

/**
 * A whole number of `what`, 1 or more.
 *
 * @example wholeCount('samples').default(1_000_000)
 */
export const wholeCount = (what: string) =>
  z
    .number({ error: `expected a whole number of ${what} (1 or more)` })
    .int({ error: `expected a whole number of ${what} (1 or more)` })
    .min(1, { error: `expected a whole number of ${what} (1 or more)` });

/** `hub.traces`: the OTLP receiver and the trace store. */
export const HubTracesSchema = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).default(true),
  /** Span data kept (names, attributes, events); the oldest traces go first. */
  max_size: positiveSize('64MiB').default('64MiB'),
  max_traces: wholeCount('traces').default(20_000),
  /** Largest OTLP request body. */
  max_request_size: positiveSize('8MiB').default('8MiB'),
  max_spans_per_request: wholeCount('spans').default(10_000),
});

/** `hub.logs`: the log store (lines captured by `canopy up` and pushed). */
export const HubLogsSchema = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).default(true),
  /** Line text kept; the oldest lines go first. */
  max_size: positiveSize('128MiB').default('128MiB'),
  max_lines: wholeCount('lines').default(500_000),
  /** Largest `/api/v1/logs/push` body. */
  max_push_size: positiveSize('4MiB').default('4MiB'),
});

/** A validated `hub.traces`. */
export type HubTracesConfig = z.infer<typeof HubTracesSchema>;
/** A validated `hub.logs`. */
export type HubLogsConfig = z.infer<typeof HubLogsSchema>;

/**
 * `startHub`'s `traces` option from `hub.traces` (the hub's defaults when the section is absent).
 *
 * @example tracesOptions({ enabled: false, ... }) // false
 */
export function tracesOptions(t: HubTracesConfig | undefined): TracesOptions | undefined {
  if (t === undefined) return undefined;
  if (!t.enabled) return false;
  return {
    maxBytes: parseBytes(t.max_size),
    maxTraces: t.max_traces,
    maxBodyBytes: parseBytes(t.max_request_size),
    maxSpansPerRequest: t.max_spans_per_request,
  };
}

/**
 * `startHub`'s `logs` option from `hub.logs` (the hub's defaults when the section is absent).
 *
 * @example logsOptions({ enabled: true, max_lines: 1000, ... })?.maxRows // 1000
 */
export function logsOptions(l: HubLogsConfig | undefined): LogsOptions | undefined {
  if (l === undefined) return undefined;
  if (!l.enabled) return false;
  return {
    maxBytes: parseBytes(l.max_size),
    maxRows: l.max_lines,
    maxPushBytes: parseBytes(l.max_push_size),
  };
}
