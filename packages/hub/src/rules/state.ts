/**
 * Alert state that survives a restart: after each group evaluation the rule manager saves
 * every alerting rule's alerts (pending clocks, firing times, last send) to SQLite, and a
 * new manager restores them before its first evaluation. Prometheus only restores `for`
 * clocks from `ALERTS_FOR_STATE`; keeping the whole state also keeps resolved alerts and
 * send times, so a restart neither re-notifies nor forgets a resolution.
 * @module
 */
import Database from 'better-sqlite3';
import type { Alert } from './rule.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rule_alert_state (
  rule_key   TEXT PRIMARY KEY,
  alerts     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

function encode(alerts: readonly Alert[]): string {
  return JSON.stringify(alerts, (_k, v: unknown) => (v === undefined ? null : v));
}

function decode(text: string): Alert[] {
  const raw = JSON.parse(text) as Record<string, unknown>[];
  const opt = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return raw.map((a) => ({
    labels: a['labels'] as Alert['labels'],
    annotations: a['annotations'] as Record<string, string>,
    state: a['state'] as Alert['state'],
    value: typeof a['value'] === 'number' ? a['value'] : NaN,
    activeAt: a['activeAt'] as number,
    firedAt: opt(a['firedAt']),
    resolvedAt: opt(a['resolvedAt']),
    lastSentAt: opt(a['lastSentAt']),
    validUntil: typeof a['validUntil'] === 'number' ? a['validUntil'] : 0,
    keepFiringSince: opt(a['keepFiringSince']),
  }));
}

/** SQLite store of alerting rules' state, keyed by rule. */
export class RuleStateStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #del: Database.Statement;
  readonly #cache = new Map<string, string>();

  /**
   * Opens (or creates) the store at `path`; `:memory:` for tests.
   *
   * @example const s = new RuleStateStore('.canopy/alerting.sqlite');
   */
  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#get = this.#db.prepare('SELECT alerts FROM rule_alert_state WHERE rule_key = ?');
    this.#put = this.#db.prepare(
      `INSERT INTO rule_alert_state (rule_key, alerts, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (rule_key) DO UPDATE SET alerts = excluded.alerts, updated_at = excluded.updated_at`,
    );
    this.#del = this.#db.prepare('DELETE FROM rule_alert_state WHERE rule_key = ?');
  }

  /** The saved alerts of `ruleKey`, or an empty list. */
  load(ruleKey: string): Alert[] {
    const row = this.#get.get(ruleKey) as { alerts: string } | undefined;
    if (row === undefined) return [];
    this.#cache.set(ruleKey, row.alerts);
    try {
      return decode(row.alerts);
    } catch {
      return []; // a damaged row loses one rule's state, not the hub
    }
  }

  /** Saves several rules' alerts in one transaction, skipping unchanged ones. */
  save(entries: readonly (readonly [ruleKey: string, alerts: readonly Alert[]])[]): void {
    const now = Date.now();
    const changed: [string, string | undefined][] = [];
    for (const [k, alerts] of entries) {
      const text = alerts.length === 0 ? undefined : encode(alerts);
      if (this.#cache.get(k) === text) continue;
      changed.push([k, text]);
    }
    if (changed.length === 0) return;
    this.#db.transaction(() => {
      for (const [k, text] of changed) {
        if (text === undefined) this.#del.run(k);
        else this.#put.run(k, text, now);
      }
    })();
    for (const [k, text] of changed) {
      if (text === undefined) this.#cache.delete(k);
      else this.#cache.set(k, text);
    }
  }

  close(): void {
    this.#db.close();
  }
}
