import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api.js';
import { describeSignalError, isNotFound } from './errors.js';

test('a backend without trace or log endpoints is named as such', () => {
  const want =
    'This backend does not serve traces (HTTP 404): the Canopy hub does; Prometheus and VictoriaMetrics do not.';
  // Prometheus answers an unknown path with a plain-text 404; an older hub with not_found.
  assert.equal(
    describeSignalError(
      new ApiError('http', 'unexpected answer from the backend: HTTP 404'),
      'traces',
    ),
    want,
  );
  assert.equal(
    describeSignalError(
      new ApiError('http', 'not_found: unknown API endpoint /api/v1/traces'),
      'traces',
    ),
    want,
  );
  assert.equal(
    isNotFound(new ApiError('http', 'not_found: unknown API endpoint /api/v1/traces')),
    false,
  );
  // VictoriaMetrics: 400 "unsupported path requested", as text.
  assert.equal(
    describeSignalError(
      new ApiError('http', 'unexpected answer from the backend: HTTP 400'),
      'logs',
    ),
    'This backend does not serve logs (HTTP 400): the Canopy hub does; Prometheus and VictoriaMetrics do not.',
  );
  // A server error is not a missing endpoint.
  assert.equal(
    describeSignalError(
      new ApiError('http', 'unexpected answer from the backend: HTTP 500'),
      'logs',
    ),
    'unexpected answer from the backend: HTTP 500',
  );
});

test('other failures read as elsewhere in the UI', () => {
  assert.equal(
    describeSignalError(new ApiError('query', 'bad_data: unterminated string'), 'logs'),
    'Query error — bad_data: unterminated string',
  );
  assert.equal(
    describeSignalError(
      new ApiError('unreachable', 'cannot reach the backend (ECONNREFUSED)'),
      'logs',
    ),
    'Backend down — cannot reach the backend (ECONNREFUSED)',
  );
  assert.ok(
    isNotFound(new ApiError('http', 'not_found: no trace 4bf92f3577b34da6a3ce929d0e0e4736')),
  );
  assert.equal(isNotFound(new Error('not_found')), false);
});
