import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetCells } from './target-cells.js';

const NOW = Date.UTC(2026, 0, 1, 12);

test('a scraped target shows its scrape', () => {
  const c = targetCells(
    {
      labels: { service: 'relay', instance: '127.0.0.1:9464' },
      scrapeUrl: 'http://127.0.0.1:9464/metrics',
      health: 'up',
      lastScrape: new Date(NOW - 5000).toISOString(),
      lastScrapeDuration: 0.012,
      lastError: '',
    },
    new Map([['relay|127.0.0.1:9464', '321']]),
    NOW,
  );
  assert.deepEqual(
    [c.service, c.lastText, c.duration, c.samples, c.url, c.pushed],
    ['relay', '5 s ago', '12 ms', '321', 'http://127.0.0.1:9464/metrics', false],
  );
});

test('a pushed target shows its last push, samples per second and remote_write', () => {
  const c = targetCells(
    {
      labels: { job: 'storage', instance: 's1:9466' },
      scrapeUrl: '',
      health: 'down',
      lastScrape: new Date(NOW - 90_000).toISOString(),
      lastScrapeDuration: 0,
      lastError: 'series x{}: out of order sample',
      push: true,
      samplesPerSecond: 41.25,
    },
    new Map(),
    NOW,
  );
  assert.deepEqual(
    [c.service, c.instance, c.health, c.lastText, c.duration, c.samples, c.url, c.error, c.pushed],
    [
      'storage',
      's1:9466',
      'down',
      '90 s ago',
      '—',
      '41.3/s',
      'remote_write (pushed)',
      'series x{}: out of order sample',
      true,
    ],
  );
});

test('a target never scraped says never', () => {
  const c = targetCells(
    {
      labels: {},
      scrapeUrl: 'u',
      health: 'unknown',
      lastScrape: '0001-01-01T00:00:00Z',
      lastScrapeDuration: 0,
      lastError: '',
    },
    new Map(),
    NOW,
  );
  assert.equal(c.lastText, 'never');
  assert.equal(c.last, undefined);
});
