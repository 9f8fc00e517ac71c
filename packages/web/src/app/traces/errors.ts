/** Trace and log API failures for people. */
import { ApiError } from '../api.js';
import { describeError } from '../panel.js';

/**
 * Whether a failure means "no such trace".
 *
 * @example isNotFound(new ApiError('http', 'not_found: no trace 4bf9…')) // true
 */
export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.message.startsWith('not_found') && missingEndpoint(e) === '';
}

/**
 * A 4xx that is not a Prometheus-shaped answer (Prometheus: 404, VictoriaMetrics: 400
 * "unsupported path"), or a hub that does not know the endpoint: HTTP status, else ''.
 */
const missingEndpoint = (e: ApiError): string => {
  const plain =
    e.kind === 'http' ? /^unexpected answer from the backend: HTTP (4\d\d)$/.exec(e.message) : null;
  if (plain !== null) return plain[1]!;
  return /^not_found: unknown API endpoint/.test(e.message) ? '404' : '';
};

/**
 * A failure of the trace or log API for people: a backend that has no such endpoint (a 4xx
 * that is not JSON) is named as such, the rest as {@link describeError} says.
 *
 * @example describeSignalError(new ApiError('http', 'unexpected answer from the backend: HTTP 404'), 'traces')
 * // 'This backend does not serve traces (HTTP 404): the Canopy hub does; Prometheus and VictoriaMetrics do not.'
 */
export function describeSignalError(e: unknown, what: 'traces' | 'logs'): string {
  const status = e instanceof ApiError ? missingEndpoint(e) : '';
  if (status !== '')
    return `This backend does not serve ${what} (HTTP ${status}): the Canopy hub does; Prometheus and VictoriaMetrics do not.`;
  return describeError(e);
}
