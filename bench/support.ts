/**
 * The support view on many stored results (issue 13: "fast on 100,000 stored results"), measured, not asserted:
 * `npm run bench -- --only support`. For each engine — SQLite in a temporary folder, and PostgreSQL on a throw-away
 * cluster (server/store/testing/postgres.ts) when Debian's server binaries are installed — it seeds `rows` results
 * (server/store/testing/seed.ts, 20 s apart ending now, so all are within the default 30 days' retention) and times,
 * over `runs` runs after one warm-up, exactly what the view does for:
 *  - firstPage: `/support` with no filter — one page of 50 rows with the total (searchResults);
 *  - filteredPage: a finding code and a seven-day range — one page of 50 rows with the total;
 *  - findingCounts: the counts per finding code of the unfiltered view;
 *  - csvExport: the CSV export of the finding code + range filter (`/api/support/results.csv`, every matching row).
 * Each query goes through supportParams, so it carries the retention cut-off the page adds. Figures are medians (and
 * the slowest run) in milliseconds, with the rows each query matched, so a reader can tell what was measured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { median } from '../lib/probes/webrtc';
import { supportResultsCsv } from '../server/api/support-export';
import { supportParams } from '../server/api/support-params';
import { PostgresResultStore } from '../server/store/postgres-store';
import type { ResultStore } from '../server/store/result-store';
import { SQLITE_FILE_NAME, SqliteResultStore } from '../server/store/sqlite-store';
import { findPostgresBinDir, startTestPostgres } from '../server/store/testing/postgres';
import { postgresSeedSql, sqliteSeedSql, type SeedSpan } from '../server/store/testing/seed';

/** Rows of the support page (app/support/page.tsx PAGE_SIZE). */
export const SUPPORT_PAGE_ROWS = 50;
/** Days of results the filtered page and the export ask for. */
const FILTER_DAYS = 7;
/** Seconds between two seeded results. */
const SEED_STEP_S = 20;
/** Retention the measured queries keep to (the default). */
const RETENTION_DAYS = 30;

/** One timed query: median and slowest run, ms, and how many stored results it matched. */
export interface QueryFigure {
  medianMs: number;
  maxMs: number;
  /** Results the query matched (its total), or rows it returned (counts: finding codes; export: CSV rows). */
  matched: number;
}

/** The figures of one engine. */
export interface EngineFigures {
  rows: number;
  runs: number;
  /** Time to seed the rows (one SQL statement per table), ms. */
  seedMs: number;
  firstPage: QueryFigure;
  filteredPage: QueryFigure;
  findingCounts: QueryFigure;
  csvExport: QueryFigure & { bytes: number };
  /** The filter of filteredPage and csvExport, as the view's query string. */
  filter: string;
}

/** Options of measureSupportQueries. */
export interface SupportBenchOptions {
  /** Stored results to seed. Default 100,000. */
  rows?: number;
  /** Timed runs per query (after one warm-up). Default 5. */
  runs?: number;
  /** Measure PostgreSQL too when it is installed. Default true. */
  postgres?: boolean;
  /** Progress lines. */
  log?: (message: string) => void;
}

/** What the support bench reports: each engine's figures, or why an engine was not measured. */
export interface SupportBenchReport {
  sqlite: EngineFigures;
  postgres: EngineFigures | { notMeasured: string };
}

/** One engine with a fresh, migrated, empty database. */
interface BenchEngine {
  store: ResultStore;
  seed(rows: number, span: SeedSpan): Promise<void>;
  close(): Promise<void>;
}

/** Times `run` `runs` times after a warm-up. */
async function time<T>(runs: number, run: () => Promise<T>, matched: (value: T) => number): Promise<QueryFigure & { last: T }> {
  let last = await run();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await run();
    ms.push(performance.now() - started);
  }
  const round = (x: number): number => Math.round(x * 100) / 100;
  return { medianMs: round(median(ms) ?? 0), maxMs: round(Math.max(...ms)), matched: matched(last), last };
}

/** Seeds `rows` results into `engine` and times the support view's queries on them. */
async function measureEngine(engine: BenchEngine, rows: number, runs: number, now: Date): Promise<EngineFigures> {
  const span = { start: new Date(now.getTime() - rows * SEED_STEP_S * 1000), stepSeconds: SEED_STEP_S };
  const seeding = performance.now();
  await engine.seed(rows, span);
  const seedMs = Math.round(performance.now() - seeding);
  const day = (date: Date): string => date.toISOString().slice(0, 10);
  const filter = `code=relay-only&from=${day(new Date(now.getTime() - FILTER_DAYS * 86_400_000))}&to=${day(now)}`;
  const retention = { retentionDays: RETENTION_DAYS, now };
  const all = supportParams(new URLSearchParams(''), retention).query;
  const filtered = supportParams(new URLSearchParams(filter), retention).query;
  const { store } = engine;
  const firstPage = await time(runs, () => store.searchResults(all, { limit: SUPPORT_PAGE_ROWS }), (page) => page.total);
  const filteredPage = await time(runs, () => store.searchResults(filtered, { limit: SUPPORT_PAGE_ROWS }), (page) => page.total);
  const findingCounts = await time(runs, () => store.findingCounts(all), (counts) => counts.length);
  const exportUrl = new URL(`https://netready.example/api/support/results.csv?${filter}`);
  const csvExport = await time(runs, async () => (await supportResultsCsv(store, exportUrl, retention)).text(), (text) => text.trimEnd().split('\r\n').length - 1);
  const strip = ({ medianMs, maxMs, matched }: QueryFigure): QueryFigure => ({ medianMs, maxMs, matched });
  return {
    rows,
    runs,
    seedMs,
    firstPage: strip(firstPage),
    filteredPage: strip(filteredPage),
    findingCounts: strip(findingCounts),
    csvExport: { ...strip(csvExport), bytes: Buffer.byteLength(csvExport.last) },
    filter,
  };
}

/** A SQLite store in a temporary folder. */
async function sqliteEngine(): Promise<BenchEngine> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-bench-support-'));
  const store = new SqliteResultStore({ dataDir: dir });
  await store.open();
  return {
    store,
    async seed(rows, span) {
      const db = new Database(path.join(dir, SQLITE_FILE_NAME));
      try {
        db.transaction(() => {
          for (const statement of sqliteSeedSql(rows, span)) db.exec(statement);
        })();
        // What a long-running deployment's database has: statistics for the query planner.
        db.exec('ANALYZE');
      } finally {
        db.close();
      }
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL store on a throw-away cluster. */
async function postgresEngine(): Promise<BenchEngine> {
  const cluster = await startTestPostgres();
  try {
    const url = await cluster.createDatabase('netready_bench');
    const store = new PostgresResultStore({ connectionString: url });
    await store.open();
    return {
      store,
      async seed(rows, span) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          for (const statement of postgresSeedSql(rows, span)) await client.query(statement);
          // Autovacuum would analyse the fresh tables at some point; a deployment's have been analysed long ago.
          // (Two statements: a multi-statement query runs as one transaction, which VACUUM refuses.)
          await client.query('VACUUM ANALYZE results');
          await client.query('VACUUM ANALYZE result_findings');
        } finally {
          await client.end();
        }
      },
      async close() {
        await store.close();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Seeds and measures SQLite, then PostgreSQL when it is installed (see the file comment). */
export async function measureSupportQueries(options: SupportBenchOptions = {}): Promise<SupportBenchReport> {
  const rows = options.rows ?? 100_000;
  const runs = options.runs ?? 5;
  const now = new Date();
  const measure = async (name: string, open: () => Promise<BenchEngine>): Promise<EngineFigures> => {
    options.log?.(`support: seeding ${rows} results into ${name} and timing the support view's queries (${runs} runs each)`);
    const engine = await open();
    try {
      return await measureEngine(engine, rows, runs, now);
    } finally {
      await engine.close();
    }
  };
  const sqlite = await measure('SQLite', sqliteEngine);
  let postgres: SupportBenchReport['postgres'];
  if (options.postgres === false) postgres = { notMeasured: 'not asked for' };
  else if (!findPostgresBinDir()) postgres = { notMeasured: 'PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin): apt-get install postgresql' };
  else postgres = await measure('PostgreSQL', postgresEngine);
  return { sqlite, postgres };
}
