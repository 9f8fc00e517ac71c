import { resolve } from 'node:path';
import { startHub, parseDuration, parseBytes, type ScrapeConfig } from '@canopy/hub';
import { parseHostPort } from '@canopy/services';
import type { CanopyConfig } from './config.js';

/** Resolved hub settings from the config and the command line. */
export interface HubSettings {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly retentionMs: number;
  readonly retentionBytes: number;
}

/** Merges `hub:` from the config with `--listen`/`--data` flags (flags win). */
export function hubSettings(config: CanopyConfig, listen?: string, data?: string): HubSettings {
  const hp = parseHostPort(listen ?? config.hub.listen, '--listen');
  return {
    host: hp.host,
    port: hp.port,
    dataDir: resolve(data ?? config.hub.data),
    retentionMs: parseDuration(config.hub.retention),
    retentionBytes: parseBytes(config.hub.retention_size),
  };
}

/** Starts the hub with a scrape config; resolves with a stop function and the URL. */
export async function runHub(s: HubSettings, scrape: ScrapeConfig) {
  return startHub({
    host: s.host,
    port: s.port,
    dataDir: s.dataDir,
    scrape,
    retentionMs: s.retentionMs,
    retentionBytes: s.retentionBytes,
  });
}
