/**
 * The alert shape the notifier accepts (the rule evaluator produces it) and its fingerprint.
 * @module
 */
import { createHash } from 'node:crypto';

/** One alert as handed to the notifier. Times are Unix milliseconds. */
export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAt: number;
  endsAt?: number;
  generatorURL?: string;
}

/** A stable identity for an alert: a hash of its sorted label set (16 hex chars). */
export function alertFingerprint(labels: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(labels).sort()) h.update(`${k}\0${labels[k] ?? ''}\0`);
  return h.digest('hex').slice(0, 16);
}

/** The alert's name, or `alert` when the `alertname` label is missing. */
export function alertName(alert: Alert): string {
  return alert.labels['alertname'] ?? 'alert';
}

/** A one-line summary of a group, e.g. `3 firing, 1 resolved`. */
export function groupSummary(alerts: readonly Alert[]): string {
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const resolved = alerts.length - firing;
  const parts: string[] = [];
  if (firing > 0) parts.push(`${firing} firing`);
  if (resolved > 0) parts.push(`${resolved} resolved`);
  return parts.join(', ') || 'no alerts';
}

/** Annotations shown as labelled lines after the summary and description, in this order. */
export const DETAIL_ANNOTATIONS = [
  ['value', 'Value'],
  ['budget_left', 'Budget'],
  ['runbook_url', 'Runbook'],
  ['dashboard', 'Dashboard'],
] as const;

/**
 * The text lines of an alert for a chat message: summary, description, then value, budget
 * left, runbook and dashboard when present; `bold` wraps the line labels (e.g. `**`, `*`).
 *
 * @example alertLines({ annotations: { summary: 's', value: '3%' }, … }, '*') // ['s', '*Value:* 3%']
 */
export function alertLines(alert: Alert, bold: string): string[] {
  const out: string[] = [];
  for (const k of ['summary', 'description']) {
    const v = alert.annotations[k];
    if (v !== undefined && v !== '') out.push(v);
  }
  for (const [k, label] of DETAIL_ANNOTATIONS) {
    const v = alert.annotations[k];
    if (v !== undefined && v !== '') out.push(`${bold}${label}:${bold} ${v}`);
  }
  return out;
}
