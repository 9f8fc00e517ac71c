import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubberFromEnv } from './scrub-setup.js';

test('CANOPY_SCRUB_MODE picks redact (default) or pseudonym', () => {
  assert.equal(scrubberFromEnv({}).string('from 10.1.2.3'), 'from <ip>');
  assert.equal(scrubberFromEnv({ CANOPY_SCRUB_MODE: 'redact' }).mode, 'redact');
  const p = scrubberFromEnv({ CANOPY_SCRUB_MODE: 'pseudonym' });
  assert.match(p.string('from 10.1.2.3'), /^from <ip:[0-9a-f]{8}>$/);
});

test('a bad CANOPY_SCRUB_MODE says what to set', () => {
  assert.throws(
    () => scrubberFromEnv({ CANOPY_SCRUB_MODE: 'sha256' }),
    /CANOPY_SCRUB_MODE=sha256: expected 'redact' or 'pseudonym' \(see docs\/privacy\.md\); unset it for the default \(redact\)/,
  );
});
