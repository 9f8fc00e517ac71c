/**
 * Slack incoming-webhook payloads (Block Kit): a header block and one section per alert,
 * split across messages to stay within Slack's limits.
 * @module
 */
import { type Alert, alertLines, alertName, groupSummary } from './alert.js';
import type { FormattedMessage } from './discord.js';
import { truncate } from './truncate.js';

/** Slack's documented message limits. */
export const SLACK_LIMITS = {
  text: 40000,
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
} as const;

/** A Slack text object. */
export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

/** The Block Kit blocks the notifier writes. */
export type SlackBlock = { type: 'header'; text: SlackText } | { type: 'section'; text: SlackText };

/** A Slack incoming-webhook body. */
export interface SlackPayload {
  text: string;
  blocks?: SlackBlock[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One section block for an alert, its text within 3000 characters. */
export function slackSection(alert: Alert): SlackBlock {
  const lines = [`*[${alert.status.toUpperCase()}] ${slackEscape(alertName(alert))}*`];
  for (const l of alertLines(alert, '*')) lines.push(slackEscape(l));
  const labels = Object.entries(alert.labels)
    .filter(([k]) => k !== 'alertname')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${slackEscape(k)}=${slackEscape(v)}`);
  if (labels.length > 0) lines.push(labels.join(' · '));
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SLACK_LIMITS.sectionText) },
  };
}

/**
 * Formats a group of alerts as Slack messages of at most 50 blocks (one header plus up to
 * 49 alert sections). Never drops an alert.
 */
export function formatSlack(
  alerts: readonly Alert[],
  opts: { title?: string } = {},
): FormattedMessage<SlackPayload>[] {
  const perMessage = SLACK_LIMITS.blocks - 1;
  const title = opts.title ?? `Canopy alerts: ${groupSummary(alerts)}`;
  const parts = Math.max(1, Math.ceil(alerts.length / perMessage));
  const out: FormattedMessage<SlackPayload>[] = [];
  for (let i = 0; i < alerts.length; i += perMessage) {
    const chunk = alerts.slice(i, i + perMessage);
    const part = parts > 1 ? ` (part ${i / perMessage + 1}/${parts})` : '';
    const header = truncate(title, SLACK_LIMITS.headerText - part.length) + part;
    out.push({
      payload: {
        text: truncate(title, SLACK_LIMITS.text - part.length) + part,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
          ...chunk.map(slackSection),
        ],
      },
      alerts: chunk,
    });
  }
  return out;
}
