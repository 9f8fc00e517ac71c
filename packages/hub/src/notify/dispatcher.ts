/**
 * The dispatcher: Alertmanager's routing, grouping and deduplication in the hub. Alerts from
 * the rule manager walk the routing tree; each matching route puts them in an aggregation
 * group keyed by its `group_by` labels. A new group waits `group_wait`, then flushes every
 * `group_interval`; a flush notifies the receiver when the group has firing alerts it was
 * not told about, newly resolved ones (`send_resolved`), or `repeat_interval` has passed
 * since the last message — judged against the notification log, so a restart neither
 * repeats an acknowledged message nor loses an unacknowledged one.
 * @module
 */
import { type Alert, alertFingerprint } from './alert.js';
import type { InhibitRuleSpec } from '@canopy/catalog';
import { type ResolvedRoute, matchRoutes } from './config.js';
import { Inhibitor } from './inhibit.js';
import type { NotificationLog } from './log.js';
import { type NotifyLogger, silentLogger } from './logger.js';
import type { Notifier } from './notifier.js';

/** The alert shape the rule manager hands over (times in ms). */
export interface IncomingAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
}

/** Counters the hub exports as its own metrics. */
export interface DispatcherStats {
  alertsReceived: number;
  /** Alerts left out of a flush because a firing alert inhibited them. */
  alertsInhibited: number;
  notificationsSent: number;
  notificationsFailed: number;
  messagesSent: number;
}

/** Options for {@link Dispatcher}. */
export interface DispatcherOptions {
  readonly route: ResolvedRoute;
  readonly notifier: Notifier;
  readonly log: NotificationLog;
  readonly logger?: NotifyLogger;
  /** Inhibit rules (Alertmanager's semantics). Default: none. */
  readonly inhibitRules?: readonly InhibitRuleSpec[];
  /** Clock. Default Date.now. */
  readonly now?: () => number;
}

/** Resolved alerts are kept this long for inhibition bookkeeping, then forgotten. */
const FORGET_AFTER_MS = 15 * 60_000;

interface Group {
  readonly key: string;
  readonly route: ResolvedRoute;
  readonly labels: Record<string, string>;
  readonly alerts: Map<string, Alert>;
  timer: ReturnType<typeof setTimeout> | undefined;
  flushing: Promise<void> | undefined;
  flushed: boolean;
}

function subset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** A group's identity: its route's position and the values of its group-by labels. */
export function groupKey(route: ResolvedRoute, labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${route.path}:{${parts.join(',')}}`;
}

/**
 * Routes, groups and notifies alerts. Implements the rule manager's `AlertSink`.
 *
 * @example
 * const d = new Dispatcher({ route: cfg.route, notifier, log });
 * ruleManager = new RuleManager(groups, { querier, appender, sink: d });
 */
export class Dispatcher {
  readonly stats: DispatcherStats = {
    alertsReceived: 0,
    alertsInhibited: 0,
    notificationsSent: 0,
    notificationsFailed: 0,
    messagesSent: 0,
  };
  readonly #groups = new Map<string, Group>();
  /** The latest version of every alert, for inhibition. */
  readonly #all = new Map<string, Alert>();
  readonly #inhibitor: Inhibitor;
  readonly #o: DispatcherOptions;
  readonly #logger: NotifyLogger;
  readonly #now: () => number;
  #stopped = false;

  constructor(o: DispatcherOptions) {
    this.#o = o;
    this.#logger = o.logger ?? silentLogger;
    this.#now = o.now ?? Date.now;
    this.#inhibitor = new Inhibitor(o.inhibitRules ?? []);
  }

  /** Takes alerts from the rule manager (the `AlertSink` interface). */
  send(alerts: readonly IncomingAlert[]): void {
    if (this.#stopped) return;
    const now = this.#now();
    for (const [fp, a] of this.#all)
      if ((a.endsAt ?? Infinity) + FORGET_AFTER_MS < now) this.#all.delete(fp);
    for (const a of alerts) {
      this.stats.alertsReceived++;
      const alert: Alert = {
        labels: { ...a.labels },
        annotations: { ...a.annotations },
        status: a.status,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
      };
      // One fingerprint per alert: it keys both the inhibition map and every group.
      const fp = alertFingerprint(alert.labels);
      this.#all.set(fp, alert);
      for (const route of matchRoutes(this.#o.route, alert.labels)) this.#insert(route, alert, fp);
    }
  }

  /** Alert groups currently held, for the API and tests. */
  groups(): { key: string; receiver: string; labels: Record<string, string>; alerts: Alert[] }[] {
    return [...this.#groups.values()].map((g) => ({
      key: g.key,
      receiver: g.route.receiver,
      labels: { ...g.labels },
      alerts: [...g.alerts.values()],
    }));
  }

  /** Stops scheduling flushes and waits (at most `timeoutMs`) for those in flight. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#stopped = true;
    const inFlight: Promise<void>[] = [];
    for (const g of this.#groups.values()) {
      if (g.timer !== undefined) clearTimeout(g.timer);
      g.timer = undefined;
      if (g.flushing !== undefined) inFlight.push(g.flushing);
    }
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled(inFlight),
      new Promise<void>((r) => {
        t = setTimeout(r, timeoutMs);
      }),
    ]);
    if (t !== undefined) clearTimeout(t);
  }

  #insert(route: ResolvedRoute, alert: Alert, fp: string): void {
    const labels: Record<string, string> = {};
    if (route.groupByAll) Object.assign(labels, alert.labels);
    else
      for (const k of route.groupBy) {
        const v = alert.labels[k];
        if (v !== undefined && v !== '') labels[k] = v;
      }
    const key = groupKey(route, labels);
    let g = this.#groups.get(key);
    if (g === undefined) {
      g = {
        key,
        route,
        labels,
        alerts: new Map(),
        timer: undefined,
        flushing: undefined,
        flushed: false,
      };
      this.#groups.set(key, g);
      g.alerts.set(fp, alert);
      // An alert older than group_wait (e.g. after a restart) is not held back again.
      const wait = alert.startsAt + route.groupWaitMs <= this.#now() ? 0 : route.groupWaitMs;
      this.#schedule(g, wait);
      return;
    }
    g.alerts.set(fp, alert);
  }

  #schedule(g: Group, ms: number): void {
    if (this.#stopped) return;
    g.timer = setTimeout(() => {
      g.timer = undefined;
      g.flushing = this.#flush(g).finally(() => {
        g.flushing = undefined;
      });
    }, ms);
    g.timer.unref?.();
  }

  async #flush(g: Group): Promise<void> {
    const now = this.#now();
    const snapshot = new Map(g.alerts);
    const receiverName = g.route.receiver;
    const receiver = this.#o.notifier.receiver(receiverName);
    const sendResolved = receiver?.sendResolved !== false;
    const alerts: Alert[] = [];
    const firing = new Set<string>();
    const resolved = new Set<string>();
    let muted = 0;
    const all = [...this.#all.values()];
    for (const [fp, a] of snapshot) {
      if (this.#inhibitor.inhibited(a, all, now)) {
        muted++;
        continue;
      }
      // A firing alert no longer refreshed by its rule resolves at its endsAt, as in Alertmanager.
      const isResolved = a.status === 'resolved' || (a.endsAt !== undefined && a.endsAt <= now);
      const shown: Alert = isResolved && a.status === 'firing' ? { ...a, status: 'resolved' } : a;
      if (isResolved) {
        if (sendResolved) {
          resolved.add(fp);
          alerts.push(shown);
        }
      } else {
        firing.add(fp);
        alerts.push(shown);
      }
    }
    this.stats.alertsInhibited += muted;
    let ok = true;
    try {
      const entry = this.#o.log.get(receiverName, g.key);
      let needed: boolean;
      if (entry === undefined) needed = firing.size > 0;
      else if (!subset(firing, entry.firing)) needed = true;
      else if (firing.size === 0) needed = entry.firing.size > 0;
      else if (sendResolved && !subset(resolved, entry.resolved)) needed = true;
      else needed = entry.sentAt + g.route.repeatIntervalMs <= now;
      if (needed) {
        if (alerts.length > 0) {
          const res = await this.#o.notifier.send(receiverName, {
            key: g.key,
            labels: g.labels,
            alerts,
          });
          this.stats.messagesSent += res.messages;
          ok = res.ok;
          if (res.ok) {
            this.stats.notificationsSent++;
            this.#logger.info('notify: group notified', {
              receiver: receiverName,
              group: g.key,
              firing: firing.size,
              resolved: resolved.size,
              messages: res.messages,
            });
          } else {
            this.stats.notificationsFailed++;
            this.#logger.warn('notify: group not delivered, retrying at the next flush', {
              receiver: receiverName,
              group: g.key,
              reason: res.reason,
              permanent: res.permanent,
            });
          }
        }
        if (ok) this.#o.log.record(receiverName, g.key, firing, resolved, this.#now());
      }
    } catch (e) {
      ok = false;
      this.stats.notificationsFailed++;
      this.#logger.warn('notify: flush failed', {
        receiver: receiverName,
        group: g.key,
        reason: (e as Error).message,
      });
    }
    g.flushed = true;
    if (ok)
      for (const [fp, a] of snapshot) {
        const resolvedNow = a.status === 'resolved' || (a.endsAt !== undefined && a.endsAt <= now);
        // Drop resolved alerts that were not updated while we were sending.
        if (resolvedNow && g.alerts.get(fp) === a) g.alerts.delete(fp);
      }
    if (g.alerts.size === 0) {
      this.#groups.delete(g.key);
      return;
    }
    this.#schedule(g, g.route.groupIntervalMs);
  }
}
