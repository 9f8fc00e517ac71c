/**
 * A local stand-in for Discord and Slack incoming webhooks (127.0.0.1, ephemeral port).
 * It enforces the services' documented payload limits, can be scripted to answer 429 with
 * `retry_after`, 5xx or slowly, and records every request it received.
 *
 * Paths: `/api/webhooks/<id>/<token>` behaves like Discord (204 on success, 400 with a
 * Discord-style `{ code: 50035, message, errors }` JSON on a limit violation);
 * `/services/<T>/<B>/<X>` behaves like Slack (200 `ok`, 400 with a Slack-style plain-text
 * error such as `invalid_blocks`); `/hook/<name>` takes Alertmanager's webhook JSON (200).
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DISCORD_LIMITS } from '../discord.js';
import { SLACK_LIMITS } from '../slack.js';

/** A scripted answer for the next matching request. */
export type StandInBehaviour =
  | { kind: 'rate-limit'; retryAfterSeconds: number; via?: 'body' | 'header' }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'slow'; delayMs: number };

/** One request as recorded by the stand-in. */
export interface ReceivedRequest {
  service: 'discord' | 'slack' | 'webhook' | 'unknown';
  path: string;
  at: number;
  status: number;
  body: unknown;
  /** Limit violations found (empty when the payload was valid). */
  violations: string[];
}

/** Checks a Discord webhook body against Discord's limits; returns violations. */
export function discordViolations(body: unknown): string[] {
  const L = DISCORD_LIMITS;
  const v: string[] = [];
  if (typeof body !== 'object' || body === null) return ['body must be a JSON object'];
  const b = body as { content?: unknown; embeds?: unknown };
  const content = typeof b.content === 'string' ? b.content : '';
  const embeds = Array.isArray(b.embeds) ? (b.embeds as Record<string, unknown>[]) : [];
  if (content === '' && embeds.length === 0) v.push('content: cannot send an empty message');
  if (content.length > L.content) v.push(`content: must be ${L.content} or fewer in length`);
  if (embeds.length > L.embedsPerMessage)
    v.push(`embeds: must be ${L.embedsPerMessage} or fewer in length`);
  let total = 0;
  embeds.forEach((e, i) => {
    const str = (x: unknown): string => (typeof x === 'string' ? x : '');
    const title = str(e['title']);
    const desc = str(e['description']);
    const footer = str((e['footer'] as { text?: unknown } | undefined)?.text);
    const author = str((e['author'] as { name?: unknown } | undefined)?.name);
    const fields = Array.isArray(e['fields']) ? (e['fields'] as Record<string, unknown>[]) : [];
    if (title.length > L.title) v.push(`embeds.${i}.title: must be ${L.title} or fewer`);
    if (desc.length > L.description)
      v.push(`embeds.${i}.description: must be ${L.description} or fewer`);
    if (footer.length > L.footer) v.push(`embeds.${i}.footer.text: must be ${L.footer} or fewer`);
    if (author.length > L.authorName)
      v.push(`embeds.${i}.author.name: must be ${L.authorName} or fewer`);
    if (fields.length > L.fields) v.push(`embeds.${i}.fields: must be ${L.fields} or fewer`);
    total += title.length + desc.length + footer.length + author.length;
    fields.forEach((f, j) => {
      const name = str(f['name']);
      const value = str(f['value']);
      if (name.length === 0 || name.length > L.fieldName)
        v.push(`embeds.${i}.fields.${j}.name: must be 1 to ${L.fieldName} in length`);
      if (value.length === 0 || value.length > L.fieldValue)
        v.push(`embeds.${i}.fields.${j}.value: must be 1 to ${L.fieldValue} in length`);
      total += name.length + value.length;
    });
  });
  if (total > L.embedTotal) v.push(`embeds: total size exceeds ${L.embedTotal} characters`);
  return v;
}

/** Checks a Slack webhook body against Slack's limits; returns violations. */
export function slackViolations(body: unknown): string[] {
  const L = SLACK_LIMITS;
  const v: string[] = [];
  if (typeof body !== 'object' || body === null) return ['invalid_payload'];
  const b = body as { text?: unknown; blocks?: unknown };
  const text = typeof b.text === 'string' ? b.text : '';
  const blocks = Array.isArray(b.blocks) ? (b.blocks as Record<string, unknown>[]) : [];
  if (text === '' && blocks.length === 0) v.push('no_text');
  if (text.length > L.text) v.push('msg_too_long');
  if (blocks.length > L.blocks) v.push('invalid_blocks: more than 50 blocks');
  blocks.forEach((blk, i) => {
    const t = (blk['text'] as { text?: unknown } | undefined)?.text;
    const len = typeof t === 'string' ? t.length : 0;
    if (blk['type'] === 'section' && len > L.sectionText)
      v.push(`invalid_blocks: blocks[${i}].text longer than ${L.sectionText}`);
    if (blk['type'] === 'header' && len > L.headerText)
      v.push(`invalid_blocks: blocks[${i}].text longer than ${L.headerText}`);
  });
  return v;
}

/** Checks a generic webhook body is Alertmanager's webhook JSON (version 4). */
export function webhookViolations(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return ['body must be a JSON object'];
  const b = body as Record<string, unknown>;
  const v: string[] = [];
  if (b['version'] !== '4') v.push('version must be "4"');
  if (!Array.isArray(b['alerts']) || b['alerts'].length === 0)
    v.push('alerts must be a non-empty list');
  for (const k of ['groupKey', 'receiver', 'status'])
    if (typeof b[k] !== 'string') v.push(`${k} must be a string`);
  return v;
}

/** A running stand-in. */
export class ChatStandIn {
  readonly received: ReceivedRequest[] = [];
  readonly #script: StandInBehaviour[] = [];
  readonly #server: Server;
  #port = 0;

  private constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Starts a stand-in on 127.0.0.1 and an ephemeral port. */
  static async start(): Promise<ChatStandIn> {
    const s = new ChatStandIn();
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.#port = (s.#server.address() as AddressInfo).port;
    return s;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** A Discord-shaped webhook URL on this stand-in. */
  discordUrl(id = '123456789012345678', token = 'stand-in-token-abcdef'): string {
    return `${this.origin}/api/webhooks/${id}/${token}`;
  }

  /** A Slack-shaped webhook URL on this stand-in. */
  slackUrl(secret = 'standinsecretXYZ123'): string {
    return `${this.origin}/services/T0000000/B0000000/${secret}`;
  }

  /** Queues behaviours for the next requests, in order; afterwards requests are accepted. */
  script(...behaviours: StandInBehaviour[]): void {
    this.#script.push(...behaviours);
  }

  /** Requests that were accepted (2xx). */
  accepted(): ReceivedRequest[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '/';
    const service = path.startsWith('/api/webhooks/')
      ? 'discord'
      : path.startsWith('/services/')
        ? 'slack'
        : path.startsWith('/hook/')
          ? 'webhook'
          : 'unknown';
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const rec: ReceivedRequest = { service, path, at: Date.now(), status: 0, body, violations: [] };
    this.received.push(rec);
    const send = (status: number, text: string, headers: Record<string, string> = {}): void => {
      rec.status = status;
      res.writeHead(status, headers);
      res.end(text);
    };
    if (req.method !== 'POST' || service === 'unknown') {
      send(404, JSON.stringify({ message: 'Unknown Webhook', code: 10015 }), {
        'content-type': 'application/json',
      });
      return;
    }
    let b = this.#script.shift();
    if (b?.kind === 'slow') {
      await new Promise((r) => setTimeout(r, b?.kind === 'slow' ? b.delayMs : 0));
      if (res.destroyed) {
        rec.status = -1;
        return;
      }
      b = undefined;
    }
    if (b?.kind === 'rate-limit') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (service === 'slack' || b.via === 'header')
        headers['retry-after'] = String(Math.ceil(b.retryAfterSeconds));
      const json =
        service === 'discord' && b.via !== 'header'
          ? {
              message: 'You are being rate limited.',
              retry_after: b.retryAfterSeconds,
              global: false,
            }
          : { message: 'rate_limited' };
      send(429, JSON.stringify(json), headers);
      return;
    }
    if (b?.kind === 'status') {
      send(b.status, b.body ?? `stand-in answered ${b.status}`);
      return;
    }
    const violations =
      service === 'discord'
        ? discordViolations(body)
        : service === 'slack'
          ? slackViolations(body)
          : webhookViolations(body);
    rec.violations = violations;
    if (violations.length > 0) {
      if (service === 'webhook') {
        send(400, violations.join('; '), { 'content-type': 'text/plain' });
      } else if (service === 'discord') {
        send(
          400,
          JSON.stringify({ code: 50035, message: 'Invalid Form Body', errors: violations }),
          { 'content-type': 'application/json' },
        );
      } else {
        send(400, violations[0] ?? 'invalid_payload', { 'content-type': 'text/plain' });
      }
      return;
    }
    if (service === 'discord') send(204, '');
    else send(200, 'ok', { 'content-type': 'text/plain' });
  }
}
