import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteWriteSchema, resolveRemoteWrite } from './config.js';

/** The messages zod gives for a bad `remote_write:` section, as `path: message`. */
function problems(raw: unknown): string[] {
  const r = RemoteWriteSchema.safeParse(raw);
  assert.equal(r.success, false, 'expected the config to be refused');
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const URL = 'http://127.0.0.1:8428/api/v1/write';

test('defaults: name from the URL, 256 MiB queue, catalog only, Prometheus backoff', () => {
  const [e] = resolveRemoteWrite(RemoteWriteSchema.parse([{ url: URL }]), 10_000);
  assert.match(e!.name, /^[0-9a-f]{6}$/);
  assert.equal(e!.queue.max_bytes, 256 * 1024 * 1024);
  assert.equal(e!.queue.max_samples_per_send, 2000);
  assert.equal(e!.queue.min_backoff, 30);
  assert.equal(e!.queue.max_backoff, 5000);
  assert.equal(e!.catalog_only, true);
  assert.equal(e!.series_limit, 10_000);
  assert.equal(e!.remote_timeout, 30_000);
});

const bad: { name: string; raw: unknown; message: RegExp }[] = [
  {
    name: 'not a list',
    raw: { url: URL },
    message: /: expected a list of endpoints, each with a url/,
  },
  { name: 'no url', raw: [{}], message: /^0\.url: required: the endpoint URL/ },
  {
    name: 'bad url',
    raw: [{ url: 'vm:8428' }],
    message: /^0\.url: expected an http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'inline password',
    raw: [{ url: URL, basic_auth: { username: 'u', password: 'p' } }],
    message: /^0\.basic_auth: Unrecognized key: "password"/,
  },
  {
    name: 'both auth kinds',
    raw: [
      { url: URL, basic_auth: { username: 'u', password_file: '/p' }, bearer_token_file: '/t' },
    ],
    message: /^0\.bearer_token_file: basic_auth and bearer_token_file both set/,
  },
  {
    name: 'reserved header',
    raw: [{ url: URL, headers: { Authorization: 'Bearer x' } }],
    message: /^0\.headers\.Authorization: the hub sets Authorization itself/,
  },
  {
    name: 'unknown relabel action',
    raw: [{ url: URL, write_relabel_configs: [{ action: 'hashmod' }] }],
    message:
      /^0\.write_relabel_configs\.0\.action: expected one of replace, keep, drop, labeldrop, labelkeep/,
  },
  {
    name: 'keep without source_labels',
    raw: [{ url: URL, write_relabel_configs: [{ action: 'keep', regex: 'x' }] }],
    message: /^0\.write_relabel_configs\.0\.source_labels: required for action keep/,
  },
  {
    name: 'replace without target_label',
    raw: [{ url: URL, write_relabel_configs: [{ source_labels: ['a'] }] }],
    message: /^0\.write_relabel_configs\.0\.target_label: required for action replace/,
  },
  {
    name: 'bad regex',
    raw: [
      { url: URL, write_relabel_configs: [{ action: 'drop', source_labels: ['a'], regex: '(' }] },
    ],
    message: /^0\.write_relabel_configs\.0\.regex: not a valid regular expression/,
  },
  {
    name: 'tiny queue',
    raw: [{ url: URL, queue: { max_bytes: '10KiB' } }],
    message: /^0\.queue\.max_bytes: expected at least 1MiB, got "10KiB"/,
  },
  {
    name: 'backoff upside down',
    raw: [{ url: URL, queue: { min_backoff: '10s', max_backoff: '1s' } }],
    message: /^0\.queue\.min_backoff: must not be more than queue\.max_backoff/,
  },
  {
    name: 'credentials in the URL',
    raw: [{ url: 'https://user:secret@example.net/api/prom/push' }],
    message: /^0\.url: credentials in the URL would end up in logs: move them to basic_auth/,
  },
  {
    name: 'bad name',
    raw: [{ url: URL, name: 'my vm' }],
    message: /^0\.name: expected a name of letters, digits/,
  },
];

for (const c of bad)
  test(`remote_write refuses: ${c.name}`, () => {
    const p = problems(c.raw);
    assert.ok(
      p.some((m) => c.message.test(m)),
      p.join('\n'),
    );
  });

test('two endpoints with one name are refused, naming the second', () => {
  assert.throws(
    () =>
      resolveRemoteWrite(
        RemoteWriteSchema.parse([
          { url: URL, name: 'vm' },
          { url: URL + '2', name: 'vm' },
        ]),
      ),
    /remote_write\.1\.name: "vm" is used by an earlier endpoint/,
  );
});
