/**
 * The NixOS module (nix/ at the repository root) with the real Nix tools (Debian nix-bin):
 * every .nix file parses, and the module evaluates — against a minimal stand-in of the module
 * system (nix/tests/eval-module.nix; nixpkgs' lib is not reachable offline) — to the units
 * and services each stack needs, pointing at files the generated stack folders have.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolSkipReason } from '../engines/process.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const NIX = join(ROOT, 'nix');
const BIN = '/usr/bin/nix-instantiate';
const skip = toolSkipReason(BIN, 'nix-bin');

function nixFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? nixFiles(p) : n.endsWith('.nix') ? [p] : [];
  });
}

test('nix-instantiate --parse accepts every .nix file', { skip }, () => {
  const files = nixFiles(NIX);
  assert.ok(files.length >= 2, `found ${files.join(', ')}`);
  for (const f of files) {
    const r = spawnSync(BIN, ['--parse', f], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `${f}:\n${r.stderr}`);
  }
});

interface Evaluated {
  failedAssertions: string[];
  units: Record<
    string,
    {
      execStart: string | null;
      dynamicUser: boolean | null;
      protectSystem: string | null;
      serviceConfig: Record<string, unknown>;
    }
  >;
  services: Record<string, unknown>;
}

function evaluate(stack: string): Evaluated {
  const r = spawnSync(
    BIN,
    [
      '--eval',
      '--strict',
      '--json',
      join(NIX, 'tests', 'eval-module.nix'),
      '--argstr',
      'observability',
      stack,
      '--argstr',
      'generatedDir',
      join(ROOT, 'packages', 'stack', 'generated', `stack-${stack}`),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Evaluated;
}

/** Every string in a value that is a path into the generated folder. */
function generatedPaths(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string' && v.includes('/packages/stack/generated/'))
    out.push(...(v.match(/\/\S*\/packages\/stack\/generated\/[^\s"'\n]+/g) ?? []));
  else if (Array.isArray(v)) for (const x of v) generatedPaths(x, out);
  else if (typeof v === 'object' && v !== null)
    for (const x of Object.values(v)) generatedPaths(x, out);
  return out;
}

test(
  'the module evaluates: hardened units of the services, and each stack’s services on its generated files',
  { skip },
  () => {
    const b = evaluate('self-hosted');
    assert.deepEqual(b.failedAssertions, []);
    const canopy = Object.entries(b.units).filter(([n]) => n.startsWith('canopy-'));
    assert.deepEqual(
      canopy.map(([n]) => n),
      ['canopy-relay-a', 'canopy-relay-b', 'canopy-replay', 'canopy-storage'],
    );
    for (const [n, u] of canopy) {
      assert.equal(u.dynamicUser, true, n);
      assert.equal(u.protectSystem, 'strict', n);
      const c = u.serviceConfig;
      for (const k of [
        'NoNewPrivileges',
        'PrivateTmp',
        'ProtectHome',
        'PrivateDevices',
        'RestrictNamespaces',
      ])
        assert.equal(c[k], true, `${n}: ${k}`);
      assert.deepEqual(c['RestrictAddressFamilies'], ['AF_INET', 'AF_INET6', 'AF_UNIX'], n);
      assert.deepEqual(
        c['SystemCallFilter'],
        ['@system-service', '~@privileged', '~@resources'],
        n,
      );
      assert.equal(c['CapabilityBoundingSet'], '', n);
    }
    assert.match(
      b.units['canopy-relay-a']!.execStart ?? '',
      /\/bin\/canopy 'relay' '--listen' '127\.0\.0\.1:7000' '--metrics' '127\.0\.0\.1:7100'/,
    );
    assert.deepEqual(Object.keys(b.services).sort(), [
      'alloy',
      'grafana',
      'loki',
      'prometheus',
      'victoriametrics',
      'vmalert',
    ]);
    const paths = generatedPaths(b.services);
    assert.ok(paths.length >= 6, paths.join('\n'));
    for (const p of paths)
      assert.ok(existsSync(p), `the module refers to ${p}, which the generated folder lacks`);
    const am = (b.services['prometheus'] as { alertmanager: { configText: string } }).alertmanager
      .configText;
    assert.match(am, /templates:\n {2}- \/\S+\/alertmanager\/canopy\.tmpl/);

    const a = evaluate('managed');
    assert.deepEqual(a.failedAssertions, []);
    assert.deepEqual(Object.keys(a.services).sort(), ['alloy', 'prometheus']);
    for (const p of generatedPaths(a.services)) assert.ok(existsSync(p), p);
    assert.match(JSON.stringify(a.services['alloy']), /stack-managed\/alloy\/config\.alloy/);
  },
);
