/**
 * `hub.remote_write_receiver` in canopy.yaml, resolved for the hub: the bearer token read
 * from its file (never from the YAML itself, so the config can be shared), sizes in bytes.
 */
import { readFileSync } from 'node:fs';
import { parseBytes, type RemoteWriteReceiverOptions } from '@canopy/hub';
import { ConfigError, type CanopyConfig } from './config.js';

/**
 * The receiver options of a validated config, or undefined when the section is absent.
 * Throws a {@link ConfigError} naming the path when the token file cannot be read or is empty.
 *
 * @example remoteWriteSettings(loadConfig().config)?.enabled // false unless turned on
 */
export function remoteWriteSettings(config: CanopyConfig): RemoteWriteReceiverOptions | undefined {
  const r = config.hub.remote_write_receiver;
  if (r === undefined) return undefined;
  let bearerToken: string | undefined;
  if (r.bearer_token_file !== undefined) {
    const path = 'hub.remote_write_receiver.bearer_token_file';
    try {
      bearerToken = readFileSync(r.bearer_token_file, 'utf8').trim();
    } catch (e) {
      throw new ConfigError(
        `${path}: cannot read "${r.bearer_token_file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); create it with the token on one line, or remove the key to accept pushes without a token`,
      );
    }
    if (bearerToken === '')
      throw new ConfigError(
        `${path}: "${r.bearer_token_file}" is empty; put the token in it (e.g. openssl rand -hex 32 > ${r.bearer_token_file})`,
      );
  }
  return {
    enabled: r.enabled,
    ...(bearerToken !== undefined ? { bearerToken } : {}),
    maxBodyBytes: parseBytes(r.max_body_bytes),
    maxSamplesPerRequest: r.max_samples_per_request,
  };
}
