// How `npm start` shows its children's output. The probe and the web app write one JSON object per line (pino,
// server/ops/logger.ts); on a terminal those are shown as `HH:MM:SS LEVEL message key=value …`, and piped elsewhere
// they pass through untouched for log collectors. Lines that are not such JSON (Next.js's own banner) pass through.

/** Fields shown after the message, in this order, when a line has them. */
const SHOWN_FIELDS = ['requestId', 'sessionId', 'method', 'path', 'status', 'durationMs', 'code', 'reason', 'transport', 'clientAddress'];

/**
 * The log entry in a line, or null when the line is not one of our JSON log lines.
 * @param {string} line
 * @returns {{ level?: string, time?: string, msg: string, [key: string]: unknown } | null}
 */
export function parseLogLine(line) {
  if (!line.startsWith('{')) return null;
  try {
    const entry = JSON.parse(line);
    return entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry.msg === 'string' ? entry : null;
  } catch {
    return null;
  }
}

/**
 * The message of a line: a JSON log line's `msg`, any other line as it is. Markers such as "netready probe ready"
 * are looked for here, so they are found whether the child logs JSON or plain text.
 * @param {string} line
 */
export function messageOf(line) {
  return parseLogLine(line)?.msg ?? line;
}

/** @param {unknown} value */
function show(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * A JSON log line for a person: local time, level, message, a few fields, the error's message; other lines unchanged.
 * @param {string} line
 */
export function formatLogLine(line) {
  const entry = parseLogLine(line);
  if (!entry) return line;
  const time = typeof entry.time === 'string' && !Number.isNaN(Date.parse(entry.time)) ? new Date(entry.time).toTimeString().slice(0, 8) : '--:--:--';
  const level = String(entry.level ?? 'info').toUpperCase().padEnd(5);
  const fields = SHOWN_FIELDS.filter((name) => entry[name] !== undefined && entry[name] !== null).map((name) => `${name}=${show(entry[name])}`);
  const err = entry.err && typeof entry.err === 'object' ? /** @type {{ message?: unknown }} */ (entry.err).message : undefined;
  if (typeof err === 'string' && err !== '') fields.push(`error=${show(err)}`);
  return [time, level, entry.msg, ...fields].join(' ');
}
