/**
 * The monitor's own history (issue 19): one SQLite file in its data folder (`monitor.sqlite`) with every check it ran,
 * the change events it confirmed (and whether their alert went out), and its schedule — so a restarted monitor
 * continues where it stopped: the change detector is rebuilt by replaying the runs, the next check keeps its time.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChangeGroup, RunSnapshot } from '../../lib/monitor/changes';
import type { Severity, Verdict } from '../../lib/schema/result';

/** File name of the history in the monitor's data folder. */
export const HISTORY_FILE = 'monitor.sqlite';
/** Runs kept per site (older ones are deleted as new ones come): at a 30 s interval, a week. */
export const MAX_RUNS_PER_SITE = 20_160;

/** One stored check: what change detection needs, and the figures the metrics show. */
export interface MonitorRun extends RunSnapshot {
  site: string;
  durationMs: number;
  /** Per probe id, its status. */
  probes: Record<string, string>;
  rttMs?: number;
  jitterMs?: number;
  lossRatio?: number;
}

/** A stored change event (the changes one check confirmed with one window). */
export interface StoredEvent {
  id: number;
  site: string;
  event: ChangeGroup;
  /** The alert went out (or no webhook was configured when it was confirmed). */
  alerted: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  site TEXT NOT NULL,
  run_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  findings TEXT NOT NULL,
  result_url TEXT,
  duration_ms INTEGER NOT NULL,
  probes TEXT NOT NULL,
  rtt_ms REAL,
  jitter_ms REAL,
  loss_ratio REAL,
  UNIQUE (site, run_id)
);
CREATE INDEX IF NOT EXISTS runs_site_at ON runs (site, at_ms);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  site TEXT NOT NULL,
  event TEXT NOT NULL,
  alerted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS schedule (
  site TEXT PRIMARY KEY,
  next_run_at_ms INTEGER NOT NULL
);
`;

interface RunRow {
  site: string;
  run_id: string;
  at_ms: number;
  verdict: string;
  findings: string;
  result_url: string | null;
  duration_ms: number;
  probes: string;
  rtt_ms: number | null;
  jitter_ms: number | null;
  loss_ratio: number | null;
}

function toRun(row: RunRow): MonitorRun {
  const run: MonitorRun = {
    site: row.site,
    runId: row.run_id,
    atMs: row.at_ms,
    verdict: row.verdict as Verdict,
    findings: JSON.parse(row.findings) as Array<{ code: string; severity: Severity }>,
    durationMs: row.duration_ms,
    probes: JSON.parse(row.probes) as Record<string, string>,
  };
  if (row.result_url !== null) run.resultUrl = row.result_url;
  if (row.rtt_ms !== null) run.rttMs = row.rtt_ms;
  if (row.jitter_ms !== null) run.jitterMs = row.jitter_ms;
  if (row.loss_ratio !== null) run.lossRatio = row.loss_ratio;
  return run;
}

/** The monitor's history file (see the module comment). */
export class MonitorHistory {
  readonly file: string;
  readonly #db: Database.Database;

  private constructor(file: string) {
    this.file = file;
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
  }

  /** Opens (creating the folder and file when needed) the history in `dataDir`. */
  static open(dataDir: string): MonitorHistory {
    mkdirSync(dataDir, { recursive: true });
    return new MonitorHistory(path.join(dataDir, HISTORY_FILE));
  }

  /** Stores a check, and forgets the site's oldest beyond MAX_RUNS_PER_SITE. */
  addRun(run: MonitorRun): void {
    this.#db
      .prepare(
        'INSERT INTO runs (site, run_id, at_ms, verdict, findings, result_url, duration_ms, probes, rtt_ms, jitter_ms, loss_ratio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(run.site, run.runId, run.atMs, run.verdict, JSON.stringify(run.findings), run.resultUrl ?? null, run.durationMs, JSON.stringify(run.probes), run.rttMs ?? null, run.jitterMs ?? null, run.lossRatio ?? null);
    this.#db
      .prepare('DELETE FROM runs WHERE site = ? AND id NOT IN (SELECT id FROM runs WHERE site = ? ORDER BY at_ms DESC, id DESC LIMIT ?)')
      .run(run.site, run.site, MAX_RUNS_PER_SITE);
  }

  /** A site's checks, oldest first (the last `limit` when given). */
  runs(site: string, limit?: number): MonitorRun[] {
    const rows = this.#db
      .prepare('SELECT * FROM (SELECT * FROM runs WHERE site = ? ORDER BY at_ms DESC, id DESC LIMIT ?) ORDER BY at_ms ASC, id ASC')
      .all(site, limit ?? MAX_RUNS_PER_SITE) as RunRow[];
    return rows.map(toRun);
  }

  /** Stores confirmed change events; `alerted` when no alert is to be sent for them. Returns their ids. */
  addEvents(site: string, events: readonly ChangeGroup[], alerted: boolean): number[] {
    const insert = this.#db.prepare('INSERT INTO events (site, event, alerted) VALUES (?, ?, ?)');
    return events.map((event) => Number(insert.run(site, JSON.stringify(event), alerted ? 1 : 0).lastInsertRowid));
  }

  /** A site's change events, oldest first. */
  events(site: string): StoredEvent[] {
    const rows = this.#db.prepare('SELECT id, site, event, alerted FROM events WHERE site = ? ORDER BY id').all(site) as Array<{ id: number; site: string; event: string; alerted: number }>;
    return rows.map((r) => ({ id: r.id, site: r.site, event: JSON.parse(r.event) as ChangeGroup, alerted: r.alerted === 1 }));
  }

  /** Events whose alert has not gone out yet (a restart resends them), oldest first. */
  unalerted(site: string): StoredEvent[] {
    return this.events(site).filter((e) => !e.alerted);
  }

  /** Marks an event's alert as sent. */
  markAlerted(id: number): void {
    this.#db.prepare('UPDATE events SET alerted = 1 WHERE id = ?').run(id);
  }

  /** When the site's next check is due, ms since the epoch; undefined before its first. */
  nextRunAt(site: string): number | undefined {
    const row = this.#db.prepare('SELECT next_run_at_ms FROM schedule WHERE site = ?').get(site) as { next_run_at_ms: number } | undefined;
    return row?.next_run_at_ms;
  }

  /** Records when the site's next check is due. */
  setNextRunAt(site: string, atMs: number): void {
    this.#db.prepare('INSERT INTO schedule (site, next_run_at_ms) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET next_run_at_ms = excluded.next_run_at_ms').run(site, atMs);
  }

  /** Closes the file. */
  close(): void {
    this.#db.close();
  }
}
