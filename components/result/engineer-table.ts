/**
 * The shape of the share page's engineer tables (issue 13: candidates and selected pairs, what the servers saw, DNS,
 * proxy and TLS), and the defensive readers their models use. A result comes from anyone through a share link and its
 * probe `data` is free-form JSON, so every model reads it through these helpers: a field of the wrong type is treated
 * as absent, never guessed at. Tables hold plain strings; the view renders them as text nodes only.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { probeTitle } from './probe-title';

/** The rows one check contributed to a table, under its own heading row. */
export interface EngineerRowGroup {
  /** The probe the rows come from. */
  probeId: string;
  /** The check's title; '' for a table whose rows name their checks themselves (no heading row). */
  heading: string;
  /** Short facts about the whole check (its ICE server, errors, what it could not see), shown under the heading. */
  notes: string[];
  /** One array of cell texts per row, as many as the table has columns. */
  rows: string[][];
}

/** One table: its heading, column headings and groups of rows; only built when some group has rows or notes. */
export interface EngineerTable {
  /** Stable id (test hooks and anchors), e.g. `ice-candidates`. */
  id: string;
  /** Heading above the table. */
  title: string;
  /** What the table shows, in one sentence (the table's caption for screen readers). */
  caption: string;
  columns: string[];
  /** How each column's cells read and wrap (ColumnKind), one per column; default `text`. */
  kinds?: ColumnKind[];
  groups: EngineerRowGroup[];
}

/**
 * How a column's cells read and wrap, so a table fits a phone (scrolling) and a printed page (wrapping) without
 * breaking an address in two: `text` — words, wrapped between them; `code` — an address or a name, monospace, kept
 * whole unless it alone is wider than the column; `url` — a URL or a long label, monospace, broken anywhere;
 * `long` — words with URLs among them, broken anywhere; `short` — a few characters (a time, a protocol), one line.
 */
export type ColumnKind = 'text' | 'code' | 'url' | 'long' | 'short';

/** Shown in a cell whose value was not recorded. */
export const NOT_RECORDED = '—';

/** A plain object, or undefined. */
export function dict(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A finite number, or undefined. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The plain objects of an array (anything else dropped); [] when not an array. */
export function dicts(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map(dict).filter((item): item is Record<string, unknown> => item !== undefined) : [];
}

/** The strings of an array; [] when not an array. */
export function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `address:port`, with an IPv6 literal in brackets; the address alone without a port; NOT_RECORDED without either. */
export function endpoint(address: unknown, port: unknown): string {
  // '' is how a browser reports an address it hides (a masked host candidate): not recorded, like a missing one.
  const host = text(address) || undefined;
  const number = count(port);
  if (host === undefined) return number === undefined ? NOT_RECORDED : `port ${number}`;
  if (number === undefined) return host;
  return `${host.includes(':') ? `[${host}]` : host}:${number}`;
}

/** Milliseconds for a cell: whole numbers from 10 ms up, one decimal below; NOT_RECORDED when absent. */
export function ms(value: number | undefined): string {
  if (value === undefined) return NOT_RECORDED;
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ms`;
}

/** A list for a cell: the first `max` items and how many more. */
export function listOf(items: readonly string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** A table, or null when no group has anything to show. */
export function tableOrNull(table: EngineerTable): EngineerTable | null {
  const groups = table.groups.filter((group) => group.rows.length > 0 || group.notes.length > 0);
  return groups.length > 0 ? { ...table, groups } : null;
}

/**
 * One row group per probe that recorded data (its title as the heading), its rows from `rowsOf`; `skipSkipped` leaves
 * out probes that were skipped. Groups without rows are dropped later by tableOrNull.
 */
export function groupsByProbe(
  probes: Readonly<Record<string, ProbeOutcome>>,
  titles: Readonly<Record<string, string>> | undefined,
  rowsOf: (id: string, data: Record<string, unknown>) => EngineerRowGroup['rows'],
  options: { skipSkipped?: boolean } = {},
): EngineerRowGroup[] {
  const groups: EngineerRowGroup[] = [];
  for (const [id, outcome] of Object.entries(probes)) {
    const data = dict(outcome.data);
    if (!data || (options.skipSkipped && outcome.status === 'skipped')) continue;
    groups.push({ probeId: id, heading: probeTitle(id, titles), notes: [], rows: rowsOf(id, data) });
  }
  return groups;
}
