/**
 * Receivers of the spec as Alertmanager receivers: discord → `discord_configs`, slack →
 * `slack_configs`, webhook → `webhook_configs`, and where each one's secret URL comes from.
 *
 * Alertmanager reads no environment variables, so a receiver with `webhook_url_env: NAME`
 * reads its URL from the file `<secretsDir>/NAME`; the operator writes the variable's value
 * there (a note says so). Secret files need a newer Alertmanager for two receiver types:
 * discord `webhook_url_file` loads from 0.28.0 (added in 0.27.0, whose config check still
 * demanded `webhook_url`), webhook `url_file` from 0.26.0 but crashes on a failed delivery
 * before 0.28.0. Slack's `api_url_file` works from 0.22. Debian 12 ships 0.25.0.
 */
import { posix } from 'node:path';
import type { ReceiverSpec } from '@canopy/catalog';
import { MESSAGE_TEMPLATE, TITLE_TEMPLATE } from './templates.js';

/** Where receivers with `webhook_url_env` read their URL, by default. */
export const DEFAULT_SECRETS_DIR = '/etc/alertmanager/secrets';

/** The oldest Alertmanager every generated config loads in (Debian 12's). */
export const BASE_VERSION = '0.25.0';

/** An Alertmanager receiver, as written to the config. */
export interface AmReceiver {
  readonly name: string;
  readonly discord_configs?: readonly Readonly<Record<string, unknown>>[];
  readonly slack_configs?: readonly Readonly<Record<string, unknown>>[];
  readonly webhook_configs?: readonly Readonly<Record<string, unknown>>[];
}

/** A receiver, what the operator must know or do about it, and the version it needs. */
export interface MappedReceiver {
  readonly receiver: AmReceiver;
  readonly notes: readonly string[];
  /** The oldest Alertmanager that loads this receiver (at least {@link BASE_VERSION}). */
  readonly needs: string;
}

/** The URL key of each receiver type: inline, and from a file. */
const URL_KEYS = {
  discord: { inline: 'webhook_url', file: 'webhook_url_file', needs: '0.28.0' },
  slack: { inline: 'api_url', file: 'api_url_file', needs: BASE_VERSION },
  webhook: { inline: 'url', file: 'url_file', needs: '0.28.0' },
} as const;

const WHY_NEWER = {
  discord: 'discord_configs webhook_url_file loads from Alertmanager 0.28.0 (0.25 rejects it)',
  webhook:
    'webhook_configs url_file loads from Alertmanager 0.26.0 and stops crashing on failed deliveries in 0.28.0 (0.25 rejects it)',
} as const;

/**
 * Maps one validated receiver. `secretsDir` holds the files of `webhook_url_env` receivers.
 *
 * @example mapReceiver({ name: 'oncall', type: 'discord', webhook_url: 'https://discord.com/api/webhooks/1/x' }).receiver.discord_configs?.[0]?.['webhook_url'] // 'https://discord.com/api/webhooks/1/x'
 */
export function mapReceiver(rc: ReceiverSpec, secretsDir = DEFAULT_SECRETS_DIR): MappedReceiver {
  const keys = URL_KEYS[rc.type];
  const notes: string[] = [];
  const url: Record<string, string> = {};
  let needs: string = BASE_VERSION;
  if (rc.webhook_url !== undefined) url[keys.inline] = rc.webhook_url;
  else {
    const env = rc.webhook_url_env;
    const file = env !== undefined ? posix.join(secretsDir, env) : (rc.webhook_url_file ?? '');
    url[keys.file] = file;
    needs = keys.needs;
    if (env !== undefined)
      notes.push(
        `Alertmanager reads no environment variables: write the value of $${env} to ${file}, ` +
          `readable by Alertmanager only (printf '%s' "$${env}" > ${file}; chmod 600 ${file})`,
      );
    else if (!posix.isAbsolute(file))
      notes.push(
        `${file} is a relative path: Alertmanager resolves it from its working directory; give an absolute path`,
      );
    if (rc.type !== 'slack') notes.push(WHY_NEWER[rc.type]);
  }
  const sendResolved = rc.send_resolved ?? true;
  switch (rc.type) {
    case 'discord':
      return {
        receiver: {
          name: rc.name,
          discord_configs: [
            {
              ...url,
              send_resolved: sendResolved,
              title: TITLE_TEMPLATE,
              message: MESSAGE_TEMPLATE,
            },
          ],
        },
        notes,
        needs,
      };
    case 'slack':
      return {
        receiver: {
          name: rc.name,
          slack_configs: [
            {
              ...url,
              ...(rc.channel !== undefined ? { channel: rc.channel } : {}),
              send_resolved: sendResolved,
              title: TITLE_TEMPLATE,
              text: MESSAGE_TEMPLATE,
            },
          ],
        },
        notes,
        needs,
      };
    case 'webhook':
      return {
        receiver: { name: rc.name, webhook_configs: [{ ...url, send_resolved: sendResolved }] },
        notes,
        needs,
      };
  }
}
