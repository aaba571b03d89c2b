// Types of scripts/log-format.mjs (plain JavaScript: npm start runs before any TypeScript tooling is loaded).

/** A parsed JSON log line. */
export interface LogEntry {
  level?: string;
  time?: string;
  msg: string;
  [key: string]: unknown;
}

/** The log entry in a line, or null when the line is not one of netready's JSON log lines. */
export function parseLogLine(line: string): LogEntry | null;

/** The message of a line: a JSON log line's `msg`, any other line as it is. */
export function messageOf(line: string): string;

/** A JSON log line for a person (time, level, message, a few fields); other lines unchanged. */
export function formatLogLine(line: string): string;
