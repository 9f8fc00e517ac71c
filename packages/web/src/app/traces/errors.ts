/** Trace and log API failures for people. */
import { ApiError } from '../api.js';
import { describeError } from '../panel.js';

/**
 * Whether a failure means "no such trace".
 *
 * @example isNotFound(new ApiError('http', 'not_found: no trace 4bf9…')) // true
 */
export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.message.startsWith('not_found') && !missingEndpoint(e);
}

/** A 404 that is not JSON (Prometheus), or a hub that does not know the endpoint. */
const missingEndpoint = (e: ApiError): boolean =>
  (e.kind === 'http' && /HTTP 404$/.test(e.message)) || /unknown API endpoint/.test(e.message);

/**
 * A failure of the trace or log API for people: a backend that has no such endpoint (an
 * HTTP 404 that is not JSON) is named as such, the rest as {@link describeError} says.
 *
 * @example describeSignalError(new ApiError('http', 'unexpected answer from the backend: HTTP 404'), 'traces')
 * // 'This backend does not serve traces (HTTP 404): the Canopy hub does; Prometheus and VictoriaMetrics do not.'
 */
export function describeSignalError(e: unknown, what: 'traces' | 'logs'): string {
  if (e instanceof ApiError && missingEndpoint(e))
    return `This backend does not serve ${what} (HTTP 404): the Canopy hub does; Prometheus and VictoriaMetrics do not.`;
  return describeError(e);
}
