/**
 * The generic webhook receiver's payload: Alertmanager's webhook JSON (version 4), so any
 * tool that takes Alertmanager webhooks takes the hub's too.
 * @module
 */
import { type Alert, alertFingerprint } from './alert.js';

/** One alert in an Alertmanager webhook body. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** An Alertmanager webhook body (version 4). */
export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** Go's zero time, which Alertmanager writes for an unset `endsAt`. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function common(maps: readonly Record<string, string>[]): Record<string, string> {
  const first = maps[0];
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (maps.every((m) => m[k] === v)) out[k] = v;
  return out;
}

/**
 * Builds the webhook body for a group; the group is firing while any alert fires.
 *
 * @example formatWebhook({ receiver: 'ops', groupKey: '{}:{service="relay"}', groupLabels: { service: 'relay' }, externalURL: 'http://127.0.0.1:9400' }, alerts)
 */
export function formatWebhook(
  group: {
    receiver: string;
    groupKey: string;
    groupLabels: Record<string, string>;
    externalURL: string;
  },
  alerts: readonly Alert[],
): WebhookPayload {
  return {
    version: '4',
    groupKey: group.groupKey,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: group.receiver,
    groupLabels: group.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: group.externalURL,
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt:
        a.status === 'resolved' && a.endsAt !== undefined
          ? new Date(a.endsAt).toISOString()
          : ZERO_TIME,
      generatorURL: a.generatorURL ?? '',
      fingerprint: alertFingerprint(a.labels),
    })),
  };
}
