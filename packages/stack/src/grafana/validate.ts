/**
 * The fields Grafana needs of a provisioned dashboard, checked on the JSON (the typed
 * builders make the shapes right; this catches what they leave to the caller): uid and title,
 * a schemaVersion, unique panel ids, a gridPos inside the 24-column grid, a data source on
 * every panel with queries, and unique refIds with an expression in each.
 */

/**
 * Problems of one dashboard's JSON; empty when it is fine.
 *
 * @example dashboardProblems({ uid: 'relay', title: 'Relay', schemaVersion: 39, panels: [] }) // []
 */
export function dashboardProblems(json: unknown): string[] {
  const p: string[] = [];
  const d = json as Record<string, unknown>;
  const where = typeof d['uid'] === 'string' ? `dashboard ${d['uid']}` : 'dashboard';
  if (typeof d['uid'] !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(d['uid']))
    p.push(`${where}: uid must be 1–40 letters, digits, - or _`);
  if (typeof d['title'] !== 'string' || d['title'] === '') p.push(`${where}: title missing`);
  if (typeof d['schemaVersion'] !== 'number') p.push(`${where}: schemaVersion missing`);
  if (!Array.isArray(d['panels'])) {
    p.push(`${where}: panels must be a list`);
    return p;
  }
  const ids = new Set<number>();
  for (const [i, raw] of (d['panels'] as unknown[]).entries()) {
    const panel = raw as Record<string, unknown>;
    const at = `${where} panel ${i} (${String(panel['title'] ?? '')})`;
    if (typeof panel['type'] !== 'string') p.push(`${at}: type missing`);
    if (typeof panel['id'] !== 'number') p.push(`${at}: id missing`);
    else if (ids.has(panel['id'])) p.push(`${at}: id ${panel['id']} used twice`);
    else ids.add(panel['id']);
    const g = panel['gridPos'] as Record<string, unknown> | undefined;
    if (
      g === undefined ||
      !['x', 'y', 'w', 'h'].every((k) => typeof g[k] === 'number') ||
      (g['x'] as number) + (g['w'] as number) > 24
    )
      p.push(`${at}: gridPos must have x, y, w, h inside 24 columns`);
    if (panel['type'] === 'row') continue;
    const targets = panel['targets'];
    if (!Array.isArray(targets) || targets.length === 0) {
      p.push(`${at}: no targets`);
      continue;
    }
    const ds = panel['datasource'] as Record<string, unknown> | undefined;
    if (ds === undefined || typeof ds['uid'] !== 'string') p.push(`${at}: datasource missing`);
    const refs = new Set<string>();
    for (const t of targets as Record<string, unknown>[]) {
      if (typeof t['expr'] !== 'string' || t['expr'] === '') p.push(`${at}: a target has no expr`);
      const r = String(t['refId'] ?? '');
      if (r === '' || refs.has(r)) p.push(`${at}: refId "${r}" missing or repeated`);
      refs.add(r);
    }
  }
  return p;
}
