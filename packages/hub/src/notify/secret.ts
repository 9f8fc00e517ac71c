/**
 * Webhook URLs are secrets: they are read from config, a file or an env var, held in a
 * {@link WebhookUrl} that prints only a redacted form, and scrubbed from any text we log.
 * @module
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

/** Where a receiver's webhook URL comes from; exactly one must be set. */
export interface WebhookUrlSource {
  webhook_url?: string;
  webhook_url_file?: string;
  webhook_url_env?: string;
}

/** A configuration problem with a webhook URL; its message never contains the URL. */
export class WebhookUrlError extends Error {
  override name = 'WebhookUrlError';
}

const KNOWN_PREFIXES = ['/api/webhooks/', '/services/'];

/** The redacted form: scheme, host and a known path prefix, then `…`. */
export function redactWebhookUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const path = u.pathname.replace(/^\/api\/v\d+\//, '/api/');
    const prefix = KNOWN_PREFIXES.find((p) => path.startsWith(p)) ?? '/';
    return `${u.protocol}//${u.host}${prefix}…`;
  } catch {
    return '…';
  }
}

/** A webhook URL that never shows itself in strings, JSON or `util.inspect`. */
export class WebhookUrl {
  readonly #raw: string;
  readonly #secrets: string[];
  /** The printable form, e.g. `https://discord.com/api/webhooks/…`. */
  readonly redacted: string;

  constructor(raw: string) {
    let u: URL;
    try {
      u = new URL(raw.trim());
    } catch {
      throw new WebhookUrlError('webhook URL is not a valid URL');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      throw new WebhookUrlError('webhook URL must use http or https');
    }
    this.#raw = u.href;
    this.redacted = redactWebhookUrl(u.href);
    const segs = u.pathname.split('/').filter((s) => s.length >= 6);
    const extra = [u.search.slice(1), u.username, u.password].filter((s) => s.length >= 6);
    this.#secrets = [u.href, raw.trim(), u.pathname + u.search, ...segs, ...extra].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** The real URL, for the HTTP request only. */
  reveal(): string {
    return this.#raw;
  }

  /** Replaces the URL and each of its secret-looking parts in `text`. */
  scrub(text: string): string {
    let out = text.split(this.#raw).join(this.redacted);
    for (const s of this.#secrets) {
      if (s === '' || s === 'webhooks' || s === 'services') continue;
      out = out.split(s).join('…');
    }
    return out;
  }

  toString(): string {
    return this.redacted;
  }

  toJSON(): string {
    return this.redacted;
  }

  [inspect.custom](): string {
    return `WebhookUrl(${this.redacted})`;
  }
}

/**
 * Resolves a receiver's webhook URL from exactly one of `webhook_url`, `webhook_url_file`
 * (trimmed file contents) or `webhook_url_env`. `where` names the config path in errors.
 */
export function resolveWebhookUrl(
  src: WebhookUrlSource,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): WebhookUrl {
  const set = (['webhook_url', 'webhook_url_file', 'webhook_url_env'] as const).filter(
    (k) => src[k] !== undefined,
  );
  if (set.length !== 1) {
    throw new WebhookUrlError(
      `${where}: set exactly one of webhook_url, webhook_url_file, webhook_url_env` +
        (set.length > 1 ? ` (found ${set.join(', ')})` : ''),
    );
  }
  let raw: string;
  let origin: string;
  if (src.webhook_url !== undefined) {
    raw = src.webhook_url;
    origin = `${where}.webhook_url`;
  } else if (src.webhook_url_file !== undefined) {
    origin = `${where}.webhook_url_file (${src.webhook_url_file})`;
    try {
      raw = readFileSync(src.webhook_url_file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'read error';
      throw new WebhookUrlError(`${origin}: cannot read the file (${code})`);
    }
  } else {
    const name = src.webhook_url_env ?? '';
    origin = `${where}.webhook_url_env (${name})`;
    const v = env[name];
    if (v === undefined || v.trim() === '') {
      throw new WebhookUrlError(`${origin}: the environment variable is not set`);
    }
    raw = v;
  }
  if (raw.trim() === '') throw new WebhookUrlError(`${origin}: the webhook URL is empty`);
  try {
    return new WebhookUrl(raw);
  } catch (e) {
    throw new WebhookUrlError(`${origin}: ${(e as Error).message}`);
  }
}
