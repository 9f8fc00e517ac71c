/**
 * The notifier: logs each alert, formats the group for the receiver's chat service, delivers
 * every message and records the acknowledgement.
 * @module
 */
import { type Alert, dedupeKey } from './alert.js';
import { type ChatKind, type DeliveryOptions, type DeliveryResult, deliver } from './deliver.js';
import { formatDiscord } from './discord.js';
import type { NotificationLog } from './log.js';
import { type NotifyLogger, silentLogger } from './logger.js';
import type { WebhookUrl } from './secret.js';
import { formatSlack } from './slack.js';

/** A configured chat receiver. */
export interface Receiver {
  name: string;
  kind: ChatKind;
  url: WebhookUrl;
}

/** What one `notify`/`resume` call did for a receiver. */
export interface NotifyResult {
  receiver: string;
  /** Alerts acknowledged by the chat service. */
  sent: number;
  /** Alerts skipped because the log already had them. */
  skipped: number;
  /** Alerts given up on permanently (4xx). */
  failed: number;
  /** Alerts left pending for a later `resume` (retries exhausted). */
  pending: number;
  messages: number;
}

/** Options for {@link Notifier}. */
export interface NotifierOptions {
  log: NotificationLog;
  receivers: readonly Receiver[];
  logger?: NotifyLogger;
  delivery?: Omit<DeliveryOptions, 'logger' | 'label'>;
}

/** Sends alert groups to Discord/Slack receivers through the notification log. */
export class Notifier {
  readonly #log: NotificationLog;
  readonly #receivers = new Map<string, Receiver>();
  readonly #logger: NotifyLogger;
  readonly #delivery: Omit<DeliveryOptions, 'logger' | 'label'>;
  readonly #inFlight = new Set<string>();

  constructor(opts: NotifierOptions) {
    this.#log = opts.log;
    for (const r of opts.receivers) this.#receivers.set(r.name, r);
    this.#logger = opts.logger ?? silentLogger;
    this.#delivery = opts.delivery ?? {};
  }

  /** Notifies `receiver` of `alerts`, skipping any already in the log. */
  async notify(receiver: string, alerts: readonly Alert[]): Promise<NotifyResult> {
    const r = this.#receiver(receiver);
    const fresh = this.#log.claim(r.name, alerts);
    const res = await this.#send(r, fresh);
    res.skipped = alerts.length - fresh.length;
    return res;
  }

  /** Resends every pending (unacknowledged) notification, e.g. after a restart. */
  async resume(): Promise<NotifyResult[]> {
    const byReceiver = new Map<string, Alert[]>();
    for (const e of this.#log.pending()) {
      const list = byReceiver.get(e.receiver) ?? [];
      list.push(e.alert);
      byReceiver.set(e.receiver, list);
    }
    const out: NotifyResult[] = [];
    for (const [name, alerts] of byReceiver) {
      const r = this.#receivers.get(name);
      if (r === undefined) {
        this.#logger.warn('notify: pending notifications for an unknown receiver', {
          receiver: name,
          count: alerts.length,
        });
        continue;
      }
      out.push(await this.#send(r, alerts));
    }
    return out;
  }

  #receiver(name: string): Receiver {
    const r = this.#receivers.get(name);
    if (r === undefined) throw new Error(`notify: unknown receiver "${name}"`);
    return r;
  }

  async #send(r: Receiver, all: readonly Alert[]): Promise<NotifyResult> {
    const res: NotifyResult = {
      receiver: r.name,
      sent: 0,
      skipped: 0,
      failed: 0,
      pending: 0,
      messages: 0,
    };
    const alerts = all.filter((a) => !this.#inFlight.has(dedupeKey(r.name, a)));
    if (alerts.length === 0) return res;
    const keys = alerts.map((a) => dedupeKey(r.name, a));
    for (const k of keys) this.#inFlight.add(k);
    try {
      const messages = r.kind === 'discord' ? formatDiscord(alerts) : formatSlack(alerts);
      for (const m of messages) {
        const d: DeliveryResult = await deliver(r.kind, r.url, m.payload, {
          ...this.#delivery,
          logger: this.#logger,
          label: r.name,
        });
        if (d.ok) {
          this.#log.mark(r.name, m.alerts, 'sent');
          res.sent += m.alerts.length;
          res.messages++;
        } else if (d.permanent) {
          this.#log.mark(r.name, m.alerts, 'failed', d.reason);
          res.failed += m.alerts.length;
        } else {
          this.#log.mark(r.name, m.alerts, 'pending', d.reason);
          res.pending += m.alerts.length;
        }
      }
    } finally {
      for (const k of keys) this.#inFlight.delete(k);
    }
    return res;
  }
}
