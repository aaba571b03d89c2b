/**
 * "For the network engineer" (issue 13): the vendor's half of the share page, below the customer's summary and the
 * measurements — ICE candidates and selected pairs, what the test servers saw, DNS, proxy and TLS — as compact tables
 * built by the pure models beside this file. Every cell is a React text node (results come from anyone through a
 * share link); nothing is collapsed, so it prints as it shows. Tables scroll sideways on a phone and wrap in print.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { buildDnsEvidenceModel } from './dns-evidence-model';
import type { ColumnKind, EngineerTable } from './engineer-table';
import { buildIceModel } from './ice-model';
import { buildProxyTlsModel } from './proxy-tls-model';
import { buildServerSeenModel } from './server-seen-model';

const TH = 'border-b border-slate-200 px-2 py-1 text-left align-bottom font-semibold text-slate-700';
const TD = 'border-b border-slate-100 px-2 py-1 text-left align-top text-slate-800';
/** Cell classes by column kind (engineer-table.ts ColumnKind). */
const KIND: Record<ColumnKind, string> = {
  text: 'wrap-break-word',
  code: 'font-mono wrap-break-word',
  url: 'font-mono wrap-anywhere',
  long: 'wrap-anywhere',
  short: 'whitespace-nowrap',
};

/** One engineer table under its heading: check headings as full-width rows, their notes under them, then the rows. */
export function EngineerTableView({ table }: { table: EngineerTable }) {
  const headingId = `${table.id}-heading`;
  const kind = (column: number): string => KIND[table.kinds?.[column] ?? 'text'];
  // On a phone a wide table keeps readable columns and scrolls sideways, rather than squeezing an address into
  // a column a few characters wide; printed, it fits the page's width.
  const minWidth = table.columns.length >= 5 ? 'min-w-[38rem]' : table.columns.length >= 3 ? 'min-w-[30rem]' : '';
  return (
    <div data-testid={table.id} className="nr-print-flow">
      <h3 id={headingId} className="text-sm font-semibold text-slate-900">
        {table.title}
      </h3>
      {/* `relative`: sr-only text inside stays in the scroll box; tabIndex: a region that may scroll is keyboard-reachable.
          Printed, nothing scrolls: the cells wrap to the page's width instead. */}
      <div className="relative mt-1 overflow-x-auto print:overflow-visible" role="region" aria-labelledby={headingId} tabIndex={0}>
        <table className={`nr-print-flow w-full ${minWidth} border-collapse text-xs print:min-w-0`}>
          <caption className="sr-only">{table.caption}</caption>
          <thead>
            <tr>
              {table.columns.map((column) => (
                <th key={column} scope="col" className={TH}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          {table.groups.map((group) => (
            <tbody key={group.probeId} data-probe={group.probeId} className="break-inside-avoid">
              {group.heading !== '' && (
                <tr>
                  <th scope="colgroup" colSpan={table.columns.length} className="bg-slate-50 px-2 pt-2 pb-1 text-left font-semibold text-slate-900">
                    {group.heading}
                  </th>
                </tr>
              )}
              {group.notes.map((note, index) => (
                <tr key={`note-${index}`}>
                  <td colSpan={table.columns.length} className="px-2 py-0.5 text-left wrap-anywhere text-slate-700">
                    {note}
                  </td>
                </tr>
              ))}
              {group.rows.map((row, index) => (
                <tr key={index}>
                  {row.map((cell, column) =>
                    column === 0 ? (
                      <th key={column} scope="row" className={`${TD} font-normal ${kind(column)}`}>
                        {cell}
                      </th>
                    ) : (
                      <td key={column} className={`${TD} ${kind(column)}`}>
                        {cell}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </div>
  );
}

/** Props: the result's probe outcomes, and the run's probe titles when known. */
export interface EngineerDetailsProps {
  probes: Readonly<Record<string, ProbeOutcome>>;
  probeTitles?: Readonly<Record<string, string>>;
}

/** The engineer's section, or nothing when no table has anything recorded. */
export function EngineerDetails({ probes, probeTitles }: EngineerDetailsProps) {
  const ice = buildIceModel(probes, probeTitles);
  const dns = buildDnsEvidenceModel(probes, probeTitles);
  const tables = [ice.pairs, ice.candidates, buildServerSeenModel(probes, probeTitles), dns.lookups, dns.resolvers, dns.turnByName, buildProxyTlsModel(probes, probeTitles)].filter(
    (table): table is EngineerTable => table !== null,
  );
  if (tables.length === 0) return null;
  return (
    <section aria-labelledby="engineer-heading" className="nr-print-flow space-y-5 rounded-xl border border-slate-200 bg-white p-4">
      <div>
        <h2 id="engineer-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
          For the network engineer
        </h2>
        <p className="mt-1 text-xs text-slate-600">What each check recorded, as it recorded it: candidates, addresses and ports, times, and what netready&apos;s servers saw.</p>
      </div>
      {tables.map((table) => (
        <EngineerTableView key={table.id} table={table} />
      ))}
    </section>
  );
}
