/**
 * Discord webhook payloads: one embed per alert, packed into as many messages as the limits
 * require.
 * @module
 */
import { type Alert, alertLines, alertName, groupSummary } from './alert.js';
import { truncate } from './truncate.js';

/** Discord's documented webhook message limits. */
export const DISCORD_LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  authorName: 256,
} as const;

/** A Discord embed field. */
export interface DiscordField {
  name: string;
  value: string;
  inline?: boolean;
}

/** The subset of a Discord embed the notifier writes. */
export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  timestamp?: string;
  fields?: DiscordField[];
  footer?: { text: string };
  author?: { name: string };
}

/** A Discord "execute webhook" body. */
export interface DiscordPayload {
  content?: string;
  embeds?: DiscordEmbed[];
  allowed_mentions?: { parse: string[] };
}

/** A payload together with the alerts it carries. */
export interface FormattedMessage<P> {
  payload: P;
  alerts: Alert[];
}

const RED = 0xe01e5a;
const GREEN = 0x2eb67d;

/** Characters that count toward Discord's 6000-per-message embed total. */
export function embedChars(e: DiscordEmbed): number {
  let n = e.title.length + (e.description?.length ?? 0);
  n += (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

function httpUrl(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Builds one embed for an alert, within every per-embed limit. */
export function discordEmbed(alert: Alert): DiscordEmbed {
  const L = DISCORD_LIMITS;
  const title = truncate(`[${alert.status.toUpperCase()}] ${alertName(alert)}`, L.title);
  const text = alertLines(alert, '**').join('\n');
  const labels = Object.entries(alert.labels)
    .filter(([k]) => k !== 'alertname')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fields: DiscordField[] = labels.map(([k, v]) => ({
    name: truncate(k, L.fieldName),
    value: truncate(v === '' ? '(empty)' : v, L.fieldValue),
    inline: true,
  }));
  let omitted = 0;
  if (fields.length > L.fields) {
    omitted = fields.length - L.fields;
    fields.length = L.fields;
  }
  const embed: DiscordEmbed = {
    title,
    color: alert.status === 'firing' ? RED : GREEN,
    timestamp: new Date(alert.startsAt).toISOString(),
    footer: { text: 'Canopy' },
  };
  if (text !== '') embed.description = truncate(text, L.description);
  // The dashboard is where a person goes first; the rule's graph when there is none.
  const url = httpUrl(alert.annotations['dashboard']) ?? httpUrl(alert.generatorURL);
  if (url !== undefined && url.length <= 2048) embed.url = url;
  embed.fields = fields;
  const setFooter = (): void => {
    embed.footer = { text: omitted > 0 ? `Canopy · ${omitted} label(s) omitted` : 'Canopy' };
  };
  setFooter();
  while (embedChars(embed) > L.embedTotal && fields.length > 0) {
    fields.pop();
    omitted++;
    setFooter();
  }
  if (fields.length === 0) delete embed.fields;
  const over = embedChars(embed) - L.embedTotal;
  if (over > 0 && embed.description !== undefined) {
    embed.description = truncate(embed.description, embed.description.length - over);
  }
  return embed;
}

/**
 * Formats a group of alerts as Discord messages: ≤ 10 embeds and ≤ 6000 embed characters
 * each, with a `content` header (≤ 2000) naming the part. Never drops an alert.
 */
export function formatDiscord(
  alerts: readonly Alert[],
  opts: { title?: string } = {},
): FormattedMessage<DiscordPayload>[] {
  const L = DISCORD_LIMITS;
  const groups: { embeds: DiscordEmbed[]; alerts: Alert[]; chars: number }[] = [];
  for (const alert of alerts) {
    const embed = discordEmbed(alert);
    const n = embedChars(embed);
    const last = groups[groups.length - 1];
    if (last && last.embeds.length < L.embedsPerMessage && last.chars + n <= L.embedTotal) {
      last.embeds.push(embed);
      last.alerts.push(alert);
      last.chars += n;
    } else {
      groups.push({ embeds: [embed], alerts: [alert], chars: n });
    }
  }
  const title = opts.title ?? `Canopy alerts: ${groupSummary(alerts)}`;
  return groups.map((g, i) => {
    const part = groups.length > 1 ? ` (part ${i + 1}/${groups.length})` : '';
    const content = truncate(title, L.content - part.length) + part;
    return {
      payload: { content, embeds: g.embeds, allowed_mentions: { parse: [] } },
      alerts: g.alerts,
    };
  });
}
