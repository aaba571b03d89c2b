/**
 * Versioned schema migrations of the result store, one list for both engines (issue 13): each step has its SQLite and
 * its PostgreSQL form. A store applies the steps its database lacks when it opens, each in its own transaction, and
 * records them in `schema_migrations`; on PostgreSQL an advisory lock keeps web instances that start together from
 * applying a step twice. A database from a newer netready (a version this code does not know) is refused, never
 * changed.
 *
 * Step 1 is the schema stores created before migrations existed (`IF NOT EXISTS`), so such a database is adopted as
 * it is. Later steps may not assume `IF NOT EXISTS`: they run exactly once.
 */

/** One schema step. */
export interface Migration {
  /** 1, 2, 3 … in order, never reused. */
  version: number;
  /** What it does, in a few words (recorded in `schema_migrations`). */
  name: string;
  /** Statements for SQLite (better-sqlite3 `exec`, several allowed). */
  sqlite: string;
  /** Statements for PostgreSQL (one simple query, several statements allowed). */
  postgres: string;
}

/** Every step, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'results, meta, per-client request rate and daily usage',
    // `client` columns hold an HMAC of the address (server/store/client-key.ts), never the address.
    sqlite: `
      CREATE TABLE IF NOT EXISTS results (id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, json TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS client_rate (client TEXT PRIMARY KEY NOT NULL, window_start_ms INTEGER NOT NULL, count INTEGER NOT NULL) STRICT;
      CREATE INDEX IF NOT EXISTS client_rate_window ON client_rate (window_start_ms);
      CREATE TABLE IF NOT EXISTS client_usage (
        client TEXT NOT NULL, day TEXT NOT NULL, bytes INTEGER NOT NULL, results INTEGER NOT NULL, PRIMARY KEY (client, day)
      ) STRICT;`,
    // The result JSON stays text (not jsonb): jsonb refuses \\u0000 in strings and reorders keys, and the store
    // re-validates what it reads either way.
    postgres: `
      CREATE TABLE IF NOT EXISTS results (id TEXT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS client_rate (client TEXT PRIMARY KEY, window_start_ms BIGINT NOT NULL, count INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS client_rate_window ON client_rate (window_start_ms);
      CREATE TABLE IF NOT EXISTS client_usage (
        client TEXT NOT NULL, day TEXT NOT NULL, bytes BIGINT NOT NULL, results INTEGER NOT NULL, PRIMARY KEY (client, day)
      );`,
  },
  {
    version: 2,
    name: 'submitter note, delete token, creation-time index for retention',
    // The delete token is kept as its SHA-256 (hex): the database never holds a token that would delete a result.
    sqlite: `
      ALTER TABLE results ADD COLUMN note TEXT;
      ALTER TABLE results ADD COLUMN delete_token_sha256 TEXT;
      CREATE INDEX results_created_at ON results (created_at);`,
    postgres: `
      ALTER TABLE results ADD COLUMN note TEXT;
      ALTER TABLE results ADD COLUMN delete_token_sha256 TEXT;
      CREATE INDEX results_created_at ON results (created_at);`,
  },
  {
    version: 3,
    name: 'verdict and finding codes beside each result, for the support view',
    // Filled from the stored JSON for results stored before this step (both engines read JSON in SQL).
    sqlite: `
      ALTER TABLE results ADD COLUMN verdict TEXT;
      UPDATE results SET verdict = json_extract(json, '$.verdict') WHERE json_valid(json);
      CREATE INDEX results_verdict_created_at ON results (verdict, created_at);
      CREATE TABLE result_findings (result_id TEXT NOT NULL, code TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (result_id, code)) STRICT;
      CREATE INDEX result_findings_code_created_at ON result_findings (code, created_at);
      INSERT OR IGNORE INTO result_findings (result_id, code, created_at)
        SELECT results.id, json_extract(finding.value, '$.code'), results.created_at
        FROM results, json_each(results.json, '$.findings') AS finding
        WHERE json_valid(results.json) AND json_extract(finding.value, '$.code') IS NOT NULL;`,
    postgres: `
      ALTER TABLE results ADD COLUMN verdict TEXT;
      UPDATE results SET verdict = (json::json)->>'verdict';
      CREATE INDEX results_verdict_created_at ON results (verdict, created_at);
      CREATE TABLE result_findings (result_id TEXT NOT NULL, code TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (result_id, code));
      CREATE INDEX result_findings_code_created_at ON result_findings (code, created_at);
      INSERT INTO result_findings (result_id, code, created_at)
        SELECT results.id, finding->>'code', results.created_at
        FROM results, json_array_elements((results.json::json)->'findings') AS finding
        WHERE finding->>'code' IS NOT NULL
        ON CONFLICT DO NOTHING;`,
  },
  {
    version: 4,
    name: 'the monitored site of a result, and each finding\'s severity, for the Sites page',
    // `site` is set only on checks a `netready monitor --token` stored (POST /api/monitor/runs); the severities of
    // results stored before this step are read from their JSON, the most severe where a code is reported twice
    // (records.ts findingRows).
    sqlite: `
      ALTER TABLE results ADD COLUMN site TEXT;
      CREATE INDEX results_site_created_at ON results (site, created_at) WHERE site IS NOT NULL;
      ALTER TABLE result_findings ADD COLUMN severity TEXT;
      UPDATE result_findings SET severity = (
        SELECT json_extract(finding.value, '$.severity')
        FROM results, json_each(results.json, '$.findings') AS finding
        WHERE results.id = result_findings.result_id AND json_valid(results.json) AND json_extract(finding.value, '$.code') = result_findings.code
        ORDER BY CASE json_extract(finding.value, '$.severity') WHEN 'blocker' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END
        LIMIT 1);`,
    postgres: `
      ALTER TABLE results ADD COLUMN site TEXT;
      CREATE INDEX results_site_created_at ON results (site, created_at) WHERE site IS NOT NULL;
      ALTER TABLE result_findings ADD COLUMN severity TEXT;
      UPDATE result_findings SET severity = found.severity
        FROM (
          SELECT DISTINCT ON (results.id, finding->>'code') results.id AS result_id, finding->>'code' AS code, finding->>'severity' AS severity
          FROM results, json_array_elements((results.json::json)->'findings') AS finding
          ORDER BY results.id, finding->>'code', CASE finding->>'severity' WHEN 'blocker' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END
        ) AS found
        WHERE found.result_id = result_findings.result_id AND found.code = result_findings.code;`,
  },
  {
    version: 5,
    name: 'a PAC check the submitter attached to the result',
    // Issue 20: JSON text { pac, check, attachedAt } (server/pac/pac-attach.ts), set only with the result's delete token.
    // It lives in the result's row, so deleting or purging the result deletes it too.
    sqlite: `
      ALTER TABLE results ADD COLUMN pac_check TEXT;`,
    postgres: `
      ALTER TABLE results ADD COLUMN pac_check TEXT;`,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION_LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The table that records applied steps (same shape in both engines). */
export const MIGRATIONS_TABLE_SQL = {
  sqlite: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT',
  postgres: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)',
} as const;

/** The steps a database at `appliedVersion` still needs; throws when it is newer than this code. */
export function pendingMigrations(appliedVersion: number, where: string): Migration[] {
  if (appliedVersion > SCHEMA_VERSION_LATEST) {
    throw new Error(`${where} has schema version ${appliedVersion}, newer than this netready knows (${SCHEMA_VERSION_LATEST}): run a newer netready, or point it at another database`);
  }
  return MIGRATIONS.filter((migration) => migration.version > appliedVersion);
}
