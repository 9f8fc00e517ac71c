/** Writing the Alertmanager config, its templates and routing cases (`canopy gen alertmanager --out DIR`). */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertingSpec } from '@canopy/catalog';
import {
  ALERTMANAGER_FILE,
  buildAlertmanager,
  renderAlertmanager,
  type AlertmanagerOptions,
} from './generate.js';
import { ROUTES_TEST_FILE, renderRoutesTest, routeCases, type AlertLabels } from './route-cases.js';
import { TEMPLATE_FILE, renderTemplates } from './templates.js';

/** Options of {@link writeAlertmanagerFiles}. */
export interface WriteAlertmanagerOptions extends AlertmanagerOptions {
  /** Labels of the alerts the rule file can raise, as extra routing cases. Default none. */
  readonly alerts?: readonly AlertLabels[];
}

/** What {@link writeAlertmanagerFiles} did. */
export interface WrittenAlertmanager {
  /** Paths written: alertmanager.yml, canopy.tmpl, routes-test.sh. */
  readonly files: readonly string[];
  /** What the operator must do or know (secret files, Alertmanager version, untested routes). */
  readonly notes: readonly string[];
  /** The oldest Alertmanager that loads the config. */
  readonly needs: string;
  /** Number of routing cases in routes-test.sh. */
  readonly cases: number;
}

/**
 * Writes {@link ALERTMANAGER_FILE}, {@link TEMPLATE_FILE} and {@link ROUTES_TEST_FILE}
 * (executable) into `dir`, created if missing. The spec must be validated already.
 *
 * @example writeAlertmanagerFiles('packages/stack/generated/alertmanager', spec).files.length // 3
 */
export function writeAlertmanagerFiles(
  dir: string,
  spec: AlertingSpec,
  o: WriteAlertmanagerOptions = {},
): WrittenAlertmanager {
  const g = buildAlertmanager(spec, o);
  const rc = routeCases(spec, o.alerts ?? []);
  mkdirSync(dir, { recursive: true });
  const files = [
    join(dir, ALERTMANAGER_FILE),
    join(dir, TEMPLATE_FILE),
    join(dir, ROUTES_TEST_FILE),
  ];
  writeFileSync(files[0]!, renderAlertmanager(spec, o));
  writeFileSync(files[1]!, renderTemplates());
  writeFileSync(files[2]!, renderRoutesTest(rc));
  chmodSync(files[2]!, 0o755);
  return { files, notes: [...g.notes, ...rc.notes], needs: g.needs, cases: rc.cases.length };
}
