/**
 * The `scrape:` section of canopy.yaml: what to scrape, how often, within which limits.
 */

import { z } from 'zod';
import { formatDuration, parseBytes, parseDuration } from './units.js';

export { formatBytes, formatDuration, parseBytes, parseDuration } from './units.js';

/** One target, with every default resolved. Durations in ms. */
export interface ScrapeTarget {
  /** The URL scraped (http or https). */
  readonly url: string;
  /** Value of the `service` target label. */
  readonly service: string;
  /** Value of the `instance` target label; defaults to the URL's host:port. */
  readonly instance: string;
  readonly interval: number;
  readonly timeout: number;
  readonly sample_limit: number;
  /**
   * File holding a bearer token, read at every scrape (so it can be rotated). A relative
   * path is taken from the working directory; a loader that knows the config file's folder
   * should resolve it first, as Prometheus does.
   */
  readonly bearer_token_file?: string;
}

/** The resolved `scrape:` section. Durations in ms, sizes in bytes; 0 limits mean none. */
export interface ScrapeConfig {
  readonly interval: number;
  readonly timeout: number;
  readonly sample_limit: number;
  readonly label_limit: number;
  readonly label_name_length_limit: number;
  readonly label_value_length_limit: number;
  readonly body_size_limit: number;
  readonly targets: readonly ScrapeTarget[];
}

const duration = z
  .string({ error: 'expected a duration such as "15s", "1m" or "500ms"' })
  .transform((s, ctx) => {
    try {
      return parseDuration(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

const bytes = z
  .union([z.string(), z.number()], { error: 'expected a byte size such as "10MiB"' })
  .transform((s, ctx) => {
    try {
      return parseBytes(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

const limit = z
  .number({ error: 'expected a whole number (0 means no limit)' })
  .int({ error: 'expected a whole number (0 means no limit)' })
  .min(0, { error: 'must be 0 (no limit) or more' });

const labelValue = (what: string) =>
  z
    .string({
      error: (iss) =>
        iss.input === undefined ? `required: ${what}` : `expected a string: ${what}`,
    })
    .min(1, { error: `must not be empty: ${what}` });

const url = z
  .string({
    error: (iss) =>
      iss.input === undefined
        ? 'required: the URL to scrape, e.g. "http://127.0.0.1:9464/metrics"'
        : 'expected a URL string',
  })
  .transform((s, ctx) => {
    if (!/^https?:\/\//i.test(s)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${s}" must start with http:// or https://, e.g. "http://127.0.0.1:9464/metrics"`,
      });
      return z.NEVER;
    }
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `"${s}" is not a URL: write e.g. "http://127.0.0.1:9464/metrics"`,
      });
      return z.NEVER;
    }
    return u;
  });

const TargetSchema = z.strictObject({
  url,
  service: labelValue('the service label of this target, e.g. "relay"'),
  instance: labelValue('the instance label (default: host:port of the URL)').optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  bearer_token_file: z.string().min(1, { error: 'must not be empty' }).optional(),
  sample_limit: limit.optional(),
});

/**
 * Zod schema of the `scrape:` section; parses to a {@link ScrapeConfig}. Defaults: interval
 * `15s`, timeout `10s` (at most the interval), sample_limit 50000, label_limit 64,
 * label_name_length_limit 128, label_value_length_limit 1024, body_size_limit `10MiB`, no
 * targets. Unknown keys are errors (a misspelt key would otherwise be silently ignored).
 *
 * @example
 * ScrapeConfigSchema.parse({ targets: [{ url: 'http://127.0.0.1:9464/metrics', service: 'relay' }] })
 *   .targets[0].instance // '127.0.0.1:9464'
 */
export const ScrapeConfigSchema = z
  .strictObject({
    interval: duration.prefault('15s'),
    timeout: duration.prefault('10s'),
    sample_limit: limit.prefault(50_000),
    label_limit: limit.prefault(64),
    label_name_length_limit: limit.prefault(128),
    label_value_length_limit: limit.prefault(1024),
    body_size_limit: bytes.prefault('10MiB'),
    targets: z.array(TargetSchema, { error: 'expected a list of targets' }).prefault([]),
  })
  .transform((c, ctx): ScrapeConfig => {
    if (c.interval <= 0)
      ctx.addIssue({ code: 'custom', path: ['interval'], message: 'must be longer than 0s' });
    else if (c.timeout > c.interval)
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: tooLong(c.timeout, c.interval) });
    const seen = new Map<string, number>();
    const targets = c.targets.map((t, i): ScrapeTarget => {
      const interval = t.interval ?? c.interval;
      // An inherited timeout is clamped to a shorter target interval; a target's own is not.
      const timeout = t.timeout ?? Math.min(c.timeout, interval);
      if (t.interval !== undefined && interval <= 0)
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'interval'],
          message: 'must be longer than 0s',
        });
      else if (timeout > interval)
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'timeout'],
          message: tooLong(timeout, interval),
        });
      const port = t.url.port !== '' ? t.url.port : t.url.protocol === 'https:' ? '443' : '80';
      const instance = t.instance ?? `${t.url.hostname}:${port}`;
      const id = JSON.stringify([t.service, instance]);
      const first = seen.get(id);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i],
          message: `same service "${t.service}" and instance "${instance}" as targets[${first}]: give one of them another instance`,
        });
      else seen.set(id, i);
      return {
        url: t.url.href,
        service: t.service,
        instance,
        interval,
        timeout,
        sample_limit: t.sample_limit ?? c.sample_limit,
        ...(t.bearer_token_file !== undefined ? { bearer_token_file: t.bearer_token_file } : {}),
      };
    });
    return { ...c, targets };
  });

function tooLong(timeout: number, interval: number): string {
  return `timeout ${formatDuration(timeout)} is longer than the interval ${formatDuration(interval)}: a scrape must end before the next one starts`;
}

/** A `scrape:` section that failed validation; `message` lists every problem with its path. */
export class ScrapeConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid scrape configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ScrapeConfigError';
  }
}

/**
 * Validates a `scrape:` section (already read from YAML). Throws a
 * {@link ScrapeConfigError} whose lines read `<where>.targets[1].timeout: <what is wrong>`.
 *
 * @param where - the path of the section, for messages (default `"scrape"`; a caller may
 *   prefix the file, e.g. `"canopy.yaml: scrape"`).
 * @example parseScrapeConfig({ interval: '30s' }).timeout // 10000
 */
export function parseScrapeConfig(input: unknown, where = 'scrape'): ScrapeConfig {
  const r = ScrapeConfigSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new ScrapeConfigError(
    r.error.issues.map((iss) => {
      let p = where;
      for (const k of iss.path) p += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
      return `${p}: ${iss.message}`;
    }),
  );
}
