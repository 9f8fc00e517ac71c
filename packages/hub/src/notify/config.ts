/**
 * Validation of the `alerting:` section of canopy.yaml (receivers and the routing tree) and
 * its compilation into a {@link ResolvedRoute} tree the dispatcher walks. Every error names
 * the config path, what was expected and what to do; webhook URLs never appear in messages.
 * @module
 */
import { z } from 'zod';
import {
  INHIBIT_RULES,
  RECEIVER_TYPES,
  ROUTE_DEFAULTS,
  type InhibitRuleSpec,
  type AlertingSpec,
  type ReceiverSpec,
  type RouteSpec,
} from '@canopy/catalog';
import type { Labels } from '../model.js';
import { parseDuration } from '../scrape/units.js';
import { anchored } from '../matchers.js';

/** A config problem in `alerting:`; the message names the file and path. */
export class AlertingConfigError extends Error {
  override name = 'AlertingConfigError';
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isDuration(s: string): boolean {
  try {
    return parseDuration(s) >= 0;
  } catch {
    return false;
  }
}

const duration = z
  .string({ error: 'expected a duration such as "5s", "1m" or "4h"' })
  .refine(isDuration, { error: 'expected a duration such as "5s", "1m" or "4h"' });

const ReceiverSchema = z.strictObject({
  name: z
    .string({ error: 'expected a receiver name (letters, digits, "_", "-", ".")' })
    .regex(NAME, { error: 'expected a receiver name (letters, digits, "_", "-", ".")' }),
  type: z.enum(RECEIVER_TYPES, { error: `expected one of ${RECEIVER_TYPES.join(', ')}` }),
  webhook_url: z.string({ error: 'expected the webhook URL as a string' }).optional(),
  webhook_url_file: z.string({ error: 'expected a file path' }).optional(),
  webhook_url_env: z
    .string({ error: 'expected an environment variable name' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' })
    .optional(),
  send_resolved: z.boolean({ error: 'expected true or false' }).optional(),
  channel: z.string({ error: 'expected a Slack channel such as "#ops"' }).optional(),
});

type RouteIn = z.infer<typeof RouteBase> & { routes?: RouteIn[] | undefined };
const RouteBase = z.strictObject({
  receiver: z.string({ error: 'expected the name of a receiver' }).optional(),
  matchers: z.array(z.string({ error: 'expected a matcher such as severity="page"' })).optional(),
  group_by: z
    .array(
      z
        .string({ error: 'expected a label name or "..."' })
        .refine((s) => s === '...' || LABEL.test(s), {
          error: 'expected a label name or "..."',
        }),
    )
    .optional(),
  group_wait: duration.optional(),
  group_interval: duration.optional(),
  repeat_interval: duration.optional(),
  continue: z.boolean({ error: 'expected true or false' }).optional(),
});
const RouteSchema: z.ZodType<RouteIn> = RouteBase.extend({
  routes: z.lazy(() => z.array(RouteSchema)).optional(),
});

/** Zod schema of `alerting:` (shape only; {@link parseAlertingSpec} checks references). */
export const AlertingSchema = z.strictObject({
  external_url: z
    .string({ error: 'expected a URL such as "http://127.0.0.1:9400"' })
    .refine(
      (s) => {
        try {
          const u = new URL(s);
          return u.protocol === 'http:' || u.protocol === 'https:';
        } catch {
          return false;
        }
      },
      { error: 'expected a URL such as "http://127.0.0.1:9400"' },
    )
    .optional(),
  receivers: z.array(ReceiverSchema, { error: 'expected a list of receivers' }),
  route: RouteSchema,
  inhibit_rules: z
    .array(
      z.strictObject({
        source_matchers: z.array(z.string({ error: 'expected a matcher such as slo="target-up"' })),
        target_matchers: z.array(
          z.string({ error: 'expected a matcher such as severity="ticket"' }),
        ),
        equal: z.array(z.string().regex(LABEL, { error: 'expected a label name' })).default([]),
      }),
      { error: 'expected a list of inhibit rules' },
    )
    .optional(),
});

/** One parsed Alertmanager-style matcher. */
export interface RouteMatcher {
  readonly name: string;
  readonly type: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  readonly test: (labels: Labels) => boolean;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/**
 * Parses one matcher in Alertmanager's syntax: `name="value"`, `name!="v"`, `name=~"re"`,
 * `name!~"re"`; the value may be unquoted when it has no spaces or quotes.
 * Throws an Error with a message for people.
 *
 * @example parseRouteMatcher('severity="page"').test({ severity: 'page' }) // true
 */
export function parseRouteMatcher(s: string): RouteMatcher {
  const m = MATCHER.exec(s);
  if (m === null)
    throw new Error(
      `"${s}" is not a matcher; expected name="value", name!="value", name=~"regex" or name!~"regex"`,
    );
  const name = m[1]!;
  const type = m[2] as RouteMatcher['type'];
  let raw = m[3]!;
  if (raw.startsWith('=') || raw.startsWith('~'))
    throw new Error(`"${s}": use one operator: =, !=, =~ or !~ (not ${type}${raw[0]})`);
  let value: string;
  if (raw.startsWith('"')) {
    if (!raw.endsWith('"') || raw.length < 2)
      throw new Error(`"${s}": the value has an opening quote but no closing one`);
    try {
      value = JSON.parse(raw) as string;
    } catch {
      throw new Error(`"${s}": the quoted value has an invalid escape`);
    }
  } else {
    if (/["\s]/.test(raw)) throw new Error(`"${s}": quote a value that has spaces or quotes`);
    value = raw;
  }
  raw = value;
  let test: (l: Labels) => boolean;
  if (type === '=' || type === '!=') {
    const neg = type === '!=';
    test = (l) => ((l[name] ?? '') === raw) !== neg;
  } else {
    let re: RegExp;
    try {
      re = anchored(raw);
    } catch (e) {
      throw new Error(`"${s}": invalid regular expression: ${(e as Error).message}`);
    }
    const neg = type === '!~';
    test = (l) => re.test(l[name] ?? '') !== neg;
  }
  return { name, type, value, test };
}

/** A route with every inherited setting filled in, durations in ms. */
export interface ResolvedRoute {
  /** Position in the tree, e.g. `route.routes[1]`, for messages and group keys. */
  readonly path: string;
  readonly receiver: string;
  readonly matchers: readonly RouteMatcher[];
  /** Label names to group by; `undefined` with `groupByAll` for `...`. */
  readonly groupBy: readonly string[];
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly continue: boolean;
  readonly routes: readonly ResolvedRoute[];
}

/** A validated spec: the receivers by name and the resolved routing tree. */
export interface AlertingConfig {
  readonly spec: AlertingSpec;
  readonly receivers: ReadonlyMap<string, ReceiverSpec>;
  readonly route: ResolvedRoute;
  readonly externalURL: string | undefined;
  /** The spec's inhibit rules, or Canopy's defaults. */
  readonly inhibitRules: readonly InhibitRuleSpec[];
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : String(v);
}

function fmtPath(path: readonly PropertyKey[]): string {
  let s = 'alerting';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
  return s;
}

/**
 * Validates `alerting:` and resolves its route tree. `file` is used in messages only.
 * Checks shape, unique receiver names, one URL source per receiver, every route's receiver
 * defined, matchers parseable, and the root route without matchers.
 *
 * @example parseAlertingSpec({ receivers: [{ name: 'r', type: 'webhook', webhook_url: 'http://127.0.0.1:5001/' }], route: { receiver: 'r' } }, 'canopy.yaml')
 */
export function parseAlertingSpec(raw: unknown, file: string): AlertingConfig {
  const r = AlertingSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((issue) => {
      const path = fmtPath(issue.path);
      if (issue.code === 'unrecognized_keys')
        return `${file}: ${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see docs/alerting.md)`;
      let got: unknown = raw;
      for (const k of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[k];
      return `${file}: ${path}: ${issue.message}, got ${describe(got)}`;
    });
    throw new AlertingConfigError(lines.join('\n'));
  }
  const spec = r.data as AlertingSpec;
  const errors: string[] = [];
  const receivers = new Map<string, ReceiverSpec>();
  spec.receivers.forEach((rc, i) => {
    const at = `${file}: alerting.receivers[${i}]`;
    if (receivers.has(rc.name))
      errors.push(
        `${at}.name: receiver "${rc.name}" is defined twice; give each receiver its own name`,
      );
    receivers.set(rc.name, rc);
    const sources = (['webhook_url', 'webhook_url_file', 'webhook_url_env'] as const).filter(
      (k) => rc[k] !== undefined,
    );
    if (sources.length !== 1)
      errors.push(
        `${at}: set exactly one of webhook_url, webhook_url_file or webhook_url_env` +
          (sources.length > 1 ? ` (found ${sources.join(', ')})` : ' (found none)'),
      );
    if (rc.channel !== undefined && rc.type !== 'slack')
      errors.push(`${at}.channel: only a slack receiver has a channel (this one is ${rc.type})`);
  });
  const names = [...receivers.keys()];
  const hint =
    names.length > 0 ? `defined: ${names.map((n) => `"${n}"`).join(', ')}` : 'none is defined';
  const resolve = (
    rt: RouteSpec,
    path: string,
    parent: ResolvedRoute | undefined,
  ): ResolvedRoute => {
    const at = `${file}: ${path}`;
    const matchers: RouteMatcher[] = [];
    (rt.matchers ?? []).forEach((m, i) => {
      try {
        matchers.push(parseRouteMatcher(m));
      } catch (e) {
        errors.push(`${at}.matchers[${i}]: ${(e as Error).message}`);
      }
    });
    if (parent === undefined && matchers.length > 0)
      errors.push(
        `${at}.matchers: the root route matches every alert and cannot have matchers; put them on a child in routes:`,
      );
    const receiver = rt.receiver ?? parent?.receiver ?? '';
    if (parent === undefined && rt.receiver === undefined)
      errors.push(`${at}.receiver: the root route needs a receiver (${hint})`);
    else if (rt.receiver !== undefined && !receivers.has(rt.receiver))
      errors.push(`${at}.receiver: no receiver is named "${rt.receiver}" (${hint})`);
    const groupBy = rt.group_by ?? parent?.groupBy ?? ROUTE_DEFAULTS.group_by;
    const ms = (v: string | undefined, inherited: number | undefined, dflt: string): number =>
      v !== undefined ? parseDuration(v) : (inherited ?? parseDuration(dflt));
    const children: ResolvedRoute[] = [];
    const node: ResolvedRoute = {
      path,
      receiver,
      matchers,
      groupBy: groupBy.filter((g) => g !== '...'),
      groupByAll:
        rt.group_by !== undefined ? rt.group_by.includes('...') : (parent?.groupByAll ?? false),
      groupWaitMs: ms(rt.group_wait, parent?.groupWaitMs, ROUTE_DEFAULTS.group_wait),
      groupIntervalMs: ms(
        rt.group_interval,
        parent?.groupIntervalMs,
        ROUTE_DEFAULTS.group_interval,
      ),
      repeatIntervalMs: ms(
        rt.repeat_interval,
        parent?.repeatIntervalMs,
        ROUTE_DEFAULTS.repeat_interval,
      ),
      continue: rt.continue ?? false,
      routes: children,
    };
    if (node.groupIntervalMs <= 0) errors.push(`${at}.group_interval: must be more than 0s`);
    if (node.repeatIntervalMs <= 0) errors.push(`${at}.repeat_interval: must be more than 0s`);
    (rt.routes ?? []).forEach((c, i) => children.push(resolve(c, `${path}.routes[${i}]`, node)));
    return node;
  };
  const route = resolve(spec.route, 'alerting.route', undefined);
  const inhibitRules = spec.inhibit_rules ?? INHIBIT_RULES;
  inhibitRules.forEach((r, i) => {
    for (const key of ['source_matchers', 'target_matchers'] as const)
      r[key].forEach((m, j) => {
        try {
          parseRouteMatcher(m);
        } catch (e) {
          errors.push(
            `${file}: alerting.inhibit_rules[${i}].${key}[${j}]: ${(e as Error).message}`,
          );
        }
      });
  });
  if (errors.length > 0) throw new AlertingConfigError(errors.join('\n'));
  return { spec, receivers, route, externalURL: spec.external_url, inhibitRules };
}

/**
 * The routes an alert goes to, Alertmanager's way: depth-first, the first matching child
 * wins unless it says `continue`; a node no child takes keeps the alert.
 */
export function matchRoutes(route: ResolvedRoute, labels: Labels): ResolvedRoute[] {
  const out: ResolvedRoute[] = [];
  for (const c of route.routes) {
    if (!c.matchers.every((m) => m.test(labels))) continue;
    const sub = matchRoutes(c, labels);
    out.push(...sub);
    if (!c.continue) break;
  }
  return out.length > 0 ? out : [route];
}
