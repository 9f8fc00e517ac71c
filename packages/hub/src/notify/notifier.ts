/**
 * The notifier: formats one alert group for a receiver (Discord, Slack or Alertmanager
 * webhook JSON), splits it into messages within the service's limits and delivers each.
 * It keeps no state; the dispatcher decides what to send and logs what was acknowledged.
 * @module
 */
import type { Alert } from './alert.js';
import { type ChatKind, type DeliveryOptions, type DeliveryResult, deliver } from './deliver.js';
import { formatDiscord } from './discord.js';
import { type NotifyLogger, silentLogger } from './logger.js';
import type { WebhookUrl } from './secret.js';
import { formatSlack } from './slack.js';
import { formatWebhook } from './webhook.js';

/** A configured receiver, its URL resolved. */
export interface Receiver {
  readonly name: string;
  readonly kind: ChatKind;
  readonly url: WebhookUrl;
  /** Include resolved alerts. Default true. */
  readonly sendResolved?: boolean;
  /** Slack channel override. */
  readonly channel?: string;
}

/** One alert group as the dispatcher hands it over. */
export interface NotificationGroup {
  /** Stable identity of the group (route and group-by label values). */
  readonly key: string;
  /** The values of the route's group-by labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly alerts: readonly Alert[];
}

/** What sending one group did. */
export interface SendResult {
  readonly receiver: string;
  /** Every message was acknowledged. */
  readonly ok: boolean;
  /** Alerts in acknowledged messages. */
  readonly delivered: readonly Alert[];
  readonly messages: number;
  /** A failure was permanent (4xx other than 429): retrying the same payload won't help. */
  readonly permanent: boolean;
  /** Why the first failed message failed (never contains the webhook URL). */
  readonly reason?: string;
}

/** Options for {@link Notifier}. */
export interface NotifierOptions {
  readonly receivers: readonly Receiver[];
  readonly logger?: NotifyLogger;
  readonly delivery?: Omit<DeliveryOptions, 'logger' | 'label'>;
  /** Base URL for links in messages. Default "". */
  readonly externalURL?: string;
  /**
   * Applied to every key and value of alert labels and annotations (and the group's labels
   * and key) before a payload is formatted, e.g. the telemetry PII scrubber; the hub may
   * not import it, so the CLI injects it. Default: none.
   */
  readonly scrub?: (s: string) => string;
}

/** `rec` with `f` applied to every key and value. */
function mapStrings(
  rec: Readonly<Record<string, string>>,
  f: (s: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in rec) out[f(k)] = f(rec[k] ?? '');
  return out;
}

/**
 * `group` with every label and annotation string passed through `scrub`, and a map from
 * each scrubbed alert back to the original (results report the originals, whose
 * fingerprints the dispatcher knows).
 */
function scrubGroup(
  group: NotificationGroup,
  scrub: (s: string) => string,
): { group: NotificationGroup; original: Map<Alert, Alert> } {
  const original = new Map<Alert, Alert>();
  const alerts = group.alerts.map((a) => {
    const c: Alert = {
      ...a,
      labels: mapStrings(a.labels, scrub),
      annotations: mapStrings(a.annotations, scrub),
    };
    original.set(c, a);
    return c;
  });
  return {
    group: { key: scrub(group.key), labels: mapStrings(group.labels, scrub), alerts },
    original,
  };
}

/** A message title in Alertmanager's spirit: `[FIRING:2] RelayDown service=relay`. */
export function groupTitle(group: NotificationGroup): string {
  let firing = 0;
  for (const a of group.alerts) if (a.status === 'firing') firing++;
  const resolved = group.alerts.length - firing;
  const counts = [firing > 0 ? `FIRING:${firing}` : '', resolved > 0 ? `RESOLVED:${resolved}` : '']
    .filter((s) => s !== '')
    .join(', ');
  const name = group.labels['alertname'];
  const rest = Object.entries(group.labels)
    .filter(([k]) => k !== 'alertname')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [`[${counts}]`, name, rest].filter((s) => s !== undefined && s !== '').join(' ');
}

/**
 * Sends alert groups to receivers.
 *
 * @example
 * const n = new Notifier({ receivers: [{ name: 'ops', kind: 'discord', url: new WebhookUrl(u) }] });
 * await n.send('ops', { key: 'g', labels: { alertname: 'RelayDown' }, alerts });
 */
export class Notifier {
  readonly #receivers = new Map<string, Receiver>();
  readonly #logger: NotifyLogger;
  readonly #delivery: Omit<DeliveryOptions, 'logger' | 'label'>;
  readonly #externalURL: string;
  readonly #scrub: ((s: string) => string) | undefined;

  constructor(opts: NotifierOptions) {
    this.#scrub = opts.scrub;
    for (const r of opts.receivers) this.#receivers.set(r.name, r);
    this.#logger = opts.logger ?? silentLogger;
    this.#delivery = opts.delivery ?? {};
    this.#externalURL = opts.externalURL ?? '';
  }

  /** The receiver named `name`, or undefined. */
  receiver(name: string): Receiver | undefined {
    return this.#receivers.get(name);
  }

  /** Formats and delivers `group` to `receiver`, message by message. */
  async send(receiver: string, input: NotificationGroup): Promise<SendResult> {
    const r = this.#receivers.get(receiver);
    if (r === undefined) throw new Error(`notify: unknown receiver "${receiver}"`);
    const scrubbed = this.#scrub !== undefined ? scrubGroup(input, this.#scrub) : undefined;
    const group = scrubbed?.group ?? input;
    const title = groupTitle(group);
    const messages: { payload: unknown; alerts: readonly Alert[] }[] =
      r.kind === 'discord'
        ? formatDiscord(group.alerts, { title })
        : r.kind === 'slack'
          ? formatSlack(group.alerts, { title }).map((m) =>
              r.channel === undefined
                ? m
                : { payload: { ...m.payload, channel: r.channel }, alerts: m.alerts },
            )
          : [
              {
                payload: formatWebhook(
                  {
                    receiver: r.name,
                    groupKey: group.key,
                    groupLabels: { ...group.labels },
                    externalURL: this.#externalURL,
                  },
                  group.alerts,
                ),
                alerts: group.alerts,
              },
            ];
    const delivered: Alert[] = [];
    let sent = 0;
    let failure: Extract<DeliveryResult, { ok: false }> | undefined;
    for (const m of messages) {
      const d = await deliver(r.kind, r.url, m.payload, {
        ...this.#delivery,
        logger: this.#logger,
        label: r.name,
      });
      if (d.ok) {
        for (const a of m.alerts) delivered.push(scrubbed?.original.get(a) ?? a);
        sent++;
      } else failure ??= d;
    }
    return {
      receiver: r.name,
      ok: failure === undefined,
      delivered,
      messages: sent,
      permanent: failure?.permanent ?? false,
      ...(failure !== undefined ? { reason: failure.reason } : {}),
    };
  }
}
