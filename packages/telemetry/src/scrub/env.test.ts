import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubberFromEnv } from './env.js';

test('CANOPY_SCRUB_MODE: redact by default, pseudonym on request', () => {
  assert.equal(scrubberFromEnv({}).string('dial 10.1.2.3'), 'dial <ip>');
  assert.match(
    scrubberFromEnv({ CANOPY_SCRUB_MODE: 'pseudonym' }).string('dial 10.1.2.3'),
    /^dial <ip:[0-9a-f]{8}>$/,
  );
});

test('a bad CANOPY_SCRUB_MODE says what to set', () => {
  assert.throws(
    () => scrubberFromEnv({ CANOPY_SCRUB_MODE: 'off' }),
    /CANOPY_SCRUB_MODE=off: expected 'redact' or 'pseudonym' \(see docs\/privacy\.md\); unset it for the default \(redact\)/,
  );
});
