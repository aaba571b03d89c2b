/**
 * Renders a probe's `data` generically, without knowing its shape: arrays of objects become tables (nested
 * objects flattened to dotted columns, e.g. `srflx.address`), other objects key/value lists, scalars text.
 * Everything is rendered as text nodes — never HTML — because results may come from anyone via a share link.
 */

type Row = Record<string, unknown>;

/** Deepest nesting rendered as structure; anything deeper is shown as compact JSON text. */
const MAX_DEPTH = 3;

function isPlainObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Formats a scalar (or anything too deep) as one line of text. */
export function formatValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, '');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value) && value.every((item) => !isPlainObject(item) && !Array.isArray(item))) {
    return value.length === 0 ? 'none' : value.map(formatValue).join(', ');
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Flattens nested plain objects into dotted keys (`srflx.address`); arrays stay as values. */
export function flattenRow(row: Row, prefix = '', out: Row = {}, depth = 0): Row {
  for (const [key, value] of Object.entries(row)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value) && depth < 2 && Object.keys(value).length > 0) flattenRow(value, name, out, depth + 1);
    else out[name] = value;
  }
  return out;
}

/** Column names of a table: the union of the flattened rows' keys, in first-seen order. */
export function tableColumns(rows: readonly Row[]): string[] {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

/** Values up to this many characters stay on one line; longer ones wrap inside a wider cell. */
const NOWRAP_MAX_CHARS = 40;

/** One table cell: short values never wrap mid-phrase (the table scrolls instead), long ones wrap. */
function DataCell({ text }: { text: string }) {
  const className =
    text.length <= NOWRAP_MAX_CHARS ? 'whitespace-nowrap' : 'min-w-[16rem] break-words whitespace-pre-wrap';
  return <td className={`px-3 py-1.5 align-top ${className}`}>{text}</td>;
}

/** An array of objects as a horizontally scrollable table. */
function DataTable({ rows, label }: { rows: Row[]; label: string }) {
  const flat = rows.map((row) => flattenRow(row));
  const columns = tableColumns(flat);
  return (
    // A scrollable region must be reachable by keyboard (axe scrollable-region-focusable), hence tabIndex. Printed, it
    // does not scroll: Chromium never splits a scroll box across pages, so a long table would push the rest away.
    <div className="overflow-x-auto rounded-md border border-slate-200 print:overflow-visible" role="region" aria-label={label} tabIndex={0}>
      <table className="min-w-full text-left text-xs">
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col" className="px-3 py-2 font-semibold whitespace-nowrap">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 font-mono text-slate-800">
          {flat.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => (
                <DataCell key={column} text={column in row ? formatValue(row[column]) : '—'} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Renders any JSON-like value: table, key/value list or text. `label` names tables for screen readers. */
export function DataView({ value, label, depth = 0 }: { value: unknown; label: string; depth?: number }) {
  if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject) && depth < MAX_DEPTH) {
    return <DataTable rows={value} label={label} />;
  }
  if (isPlainObject(value) && depth < MAX_DEPTH) {
    const entries = Object.entries(value);
    if (entries.length === 0) return <p className="text-xs text-slate-600">No data recorded.</p>;
    return (
      <dl className={`space-y-1 text-xs ${depth > 0 ? 'border-l-2 border-slate-200 pl-3' : ''}`}>
        {entries.map(([key, item]) => {
          const nested = isPlainObject(item) || (Array.isArray(item) && item.some(isPlainObject));
          // Scalars sit beside their key; nested structures go below it, indented.
          return (
            <div key={key} className={nested ? 'space-y-1 pt-1' : 'grid grid-cols-[minmax(6.5rem,max-content)_minmax(0,1fr)] gap-x-3'}>
              <dt className="font-semibold text-slate-700">{key}</dt>
              <dd className="min-w-0 font-mono break-words text-slate-800">
                {nested ? <DataView value={item} label={`${label}: ${key}`} depth={depth + 1} /> : formatValue(item)}
              </dd>
            </div>
          );
        })}
      </dl>
    );
  }
  return <span className="font-mono text-xs break-words text-slate-800">{formatValue(value)}</span>;
}
