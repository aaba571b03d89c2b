/**
 * Seeds many stored results in one statement per table, on either engine, for the support view's tests and its bench
 * (bench/support.ts): result i is stored `stepSeconds` × i after `start`, its verdict is ready / degraded / blocked /
 * inconclusive by i % 4, every tenth has a note (`Ticket <i> · it@acme.example`), degraded and blocked ones have
 * `udp-blocked` and degraded ones `relay-only` too. Ids are `seed` + i in 18 digits, so the newest has the highest id.
 * The result JSON is `{}`: the support view reads only the columns beside it. Run on a migrated database.
 */

/** Where and how densely the seeded results lie in time. */
export interface SeedSpan {
  /** When result 0 was stored. */
  start: Date;
  /** Seconds between two results (whole seconds). */
  stepSeconds: number;
}

/** The statements that seed `count` results on SQLite. */
export function sqliteSeedSql(count: number, span: SeedSpan): string[] {
  const step = Math.round(span.stepSeconds);
  return [
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
     INSERT INTO results (id, created_at, json, verdict, note)
     SELECT printf('seed%018d', i), strftime('%Y-%m-%dT%H:%M:%fZ', '${span.start.toISOString()}', '+' || (i * ${step}) || ' seconds'), '{}',
            CASE i % 4 WHEN 0 THEN 'ready' WHEN 1 THEN 'degraded' WHEN 2 THEN 'blocked' ELSE 'inconclusive' END,
            CASE WHEN i % 10 = 0 THEN 'Ticket ' || i || ' · it@acme.example' END FROM n`,
    ...FINDING_SQL,
  ];
}

/** The statements that seed `count` results on PostgreSQL. */
export function postgresSeedSql(count: number, span: SeedSpan): string[] {
  const step = Math.round(span.stepSeconds);
  return [
    `INSERT INTO results (id, created_at, json, verdict, note)
     SELECT 'seed' || lpad(i::text, 18, '0'), timestamptz '${span.start.toISOString()}' + i * interval '${step} seconds', '{}',
            (ARRAY['ready', 'degraded', 'blocked', 'inconclusive'])[i % 4 + 1],
            CASE WHEN i % 10 = 0 THEN 'Ticket ' || i || ' · it@acme.example' END FROM generate_series(0, ${count - 1}) AS i`,
    ...FINDING_SQL,
  ];
}

/** The finding rows, the same SQL on both engines. */
const FINDING_SQL = [
  "INSERT INTO result_findings (result_id, code, created_at) SELECT id, 'udp-blocked', created_at FROM results WHERE verdict IN ('degraded', 'blocked')",
  "INSERT INTO result_findings (result_id, code, created_at) SELECT id, 'relay-only', created_at FROM results WHERE verdict = 'degraded'",
];
