import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'canopy-alerting-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function canopy(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

/** A port nothing listens on (bound, then closed). */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(p));
    });
  });
}

async function portListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(true));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

function config(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

const TOKEN = 'SeCrEtWebhookToken0123456789';

test('canopy hub refuses a bad alerting config with the file, the path and the fix; nothing starts', async () => {
  const hubPort = await deadPort();
  const dead = await deadPort();
  const cases: [string, string, RegExp][] = [
    [
      'route to an undefined receiver',
      `alerting:\n  receivers:\n    - name: oncall\n      type: discord\n      webhook_url: http://127.0.0.1:${dead}/api/webhooks/1/${TOKEN}\n  route:\n    receiver: oncall\n    routes:\n      - matchers: ['severity="ticket"']\n        receiver: tickets\n`,
      /undefined-receiver\.yaml: alerting\.route\.routes\[0\]\.receiver: no receiver is named "tickets" \(defined: "oncall"\)/,
    ],
    [
      'unreachable webhook at start-up',
      `alerting:\n  receivers:\n    - name: oncall\n      type: discord\n      webhook_url: http://127.0.0.1:${dead}/api/webhooks/1/${TOKEN}\n  route:\n    receiver: oncall\n`,
      new RegExp(
        `unreachable-webhook\\.yaml: alerting\\.receivers\\[0\\] \\(discord "oncall", http://127\\.0\\.0\\.1:${dead}/api/webhooks/…\\): cannot connect to 127\\.0\\.0\\.1:${dead} \\(ECONNREFUSED\\); check the URL and the network \\(nothing was started\\)`,
      ),
    ],
    [
      'webhook URL from an unset env var',
      'alerting:\n  receivers:\n    - name: ops\n      type: slack\n      webhook_url_env: CANOPY_TEST_UNSET_WEBHOOK\n  route:\n    receiver: ops\n',
      /unset-env\.yaml: alerting\.receivers\[0\]\.webhook_url_env \(CANOPY_TEST_UNSET_WEBHOOK\): the environment variable is not set/,
    ],
    [
      'webhook URL file missing',
      `alerting:\n  receivers:\n    - name: ops\n      type: webhook\n      webhook_url_file: ${join(dir, 'nope.txt')}\n  route:\n    receiver: ops\n`,
      /missing-file\.yaml: alerting\.receivers\[0\]\.webhook_url_file \(.*nope\.txt\): cannot read the file \(ENOENT\)/,
    ],
    [
      'a rule file with a template error',
      `hub:\n  rule_files: [${join(dir, 'bad.rules.yml')}]\n`,
      /template-error\.yaml: hub\.rule_files\[0\]: .*bad\.rules\.yml:g:A: annotations\.summary: bad template: function "nosuch" not defined/,
    ],
    [
      'a rule file that does not exist',
      `hub:\n  rule_files: [${join(dir, 'absent.rules.yml')}]\n`,
      /absent-rules\.yaml: hub\.rule_files\[0\]: cannot read .*absent\.rules\.yml \(ENOENT\)/,
    ],
    [
      'an SLO naming an unknown metric',
      'slos:\n  - name: x\n    service: relay\n    description: ws errors < 1%\n    kind: ratio\n    target: 0.99\n    good: relay_ws_upgrade_total{result="success"}\n    total: relay_ws_upgrades_total\n',
      /unknown-metric\.yaml: slos\[0\]\.good: .*relay_ws_upgrade_total/,
    ],
    [
      'a latency threshold that is not a bucket bound',
      'slos:\n  - name: dial\n    service: relay\n    description: dial p95 < 1.7 s\n    kind: latency\n    target: 0.95\n    metric: relay_dial_duration_seconds\n    threshold: 1.7\n',
      /not-a-bound\.yaml: slos\[0\]\.threshold: .*1\.7.*bucket/,
    ],
  ];
  writeFileSync(
    join(dir, 'bad.rules.yml'),
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: "{{ nosuch }}"\n',
  );
  const names = [
    'undefined-receiver',
    'unreachable-webhook',
    'unset-env',
    'missing-file',
    'template-error',
    'absent-rules',
    'unknown-metric',
    'not-a-bound',
  ];
  for (const [i, [what, body, re]] of cases.entries()) {
    const f = config(`${names[i]}.yaml`, body);
    const r = await canopy(
      'hub',
      '--config',
      f,
      '--listen',
      `127.0.0.1:${hubPort}`,
      '--data',
      join(dir, 'data'),
    );
    assert.equal(r.code, 2, `${what}: exit code\n${r.err}`);
    assert.match(r.err, re, what);
    assert.ok(!r.err.includes(TOKEN) && !r.out.includes(TOKEN), `${what}: the token leaked`);
    assert.equal(await portListening(hubPort), false, `${what}: the hub must not be listening`);
  }
});
