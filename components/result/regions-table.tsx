/**
 * The regions of a result (./regions-model.ts) as a table (issue 15): one row per region with its place, the round trips
 * over UDP and HTTPS and a bar of the one they are compared by; the nearest region and the one DNS chose are marked in
 * words (never by colour alone). Print-friendly; below it, how DNS chose.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { buildRegionsModel, type RegionRow } from './regions-model';

const ms = (value: number | undefined): string => (value === undefined ? '—' : `${Math.round(value)} ms`);

function Marks({ row }: { row: RegionRow }) {
  const marks = [row.nearest ? 'nearest' : null, row.dnsChoice ? 'DNS chose' : null, row.home ? 'this test\'s server' : null].filter(Boolean);
  if (marks.length === 0) return null;
  return <span className="ml-1 text-xs text-slate-600">({marks.join(', ')})</span>;
}

/** The regions table, or nothing when the run measured no regions (a one-region deployment). */
export function RegionsTable({ outcome }: { outcome: ProbeOutcome | undefined }) {
  const model = buildRegionsModel(outcome);
  if (!model) return null;
  const by = model.compareBy === 'https' ? 'HTTPS' : 'UDP';
  return (
    <div>
      <div className="relative overflow-x-auto" role="region" aria-label="Regions" tabIndex={0}>
        <table className="mt-2 w-full border-collapse text-xs">
          <caption className="sr-only">Round trip to each region's server; the nearest one and the one DNS chose are marked</caption>
          <thead>
            <tr>
              <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">Region</th>
              <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">Where</th>
              <th scope="col" className="border-b border-slate-200 px-2 py-1 text-right font-semibold text-slate-700">UDP</th>
              <th scope="col" className="border-b border-slate-200 px-2 py-1 text-right font-semibold text-slate-700">HTTPS</th>
              <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
                Round trip ({by})
              </th>
            </tr>
          </thead>
          <tbody>
            {model.rows.map((row) => (
              <tr key={row.id} data-region={row.id} className={row.dnsChoice && !row.nearest ? 'bg-amber-50' : row.nearest ? 'bg-emerald-50' : ''}>
                <th scope="row" className="border-b border-slate-100 px-2 py-1 text-left font-normal whitespace-nowrap text-slate-900">
                  {row.label}
                  <Marks row={row} />
                </th>
                <td className="border-b border-slate-100 px-2 py-1 whitespace-nowrap text-slate-700">{row.place}</td>
                <td className="border-b border-slate-100 px-2 py-1 text-right font-mono whitespace-nowrap">{row.reachable ? ms(row.udpMs) : 'no answer'}</td>
                <td className="border-b border-slate-100 px-2 py-1 text-right font-mono whitespace-nowrap">{row.reachable ? ms(row.httpsMs) : 'no answer'}</td>
                <td className="border-b border-slate-100 px-2 py-1">
                  {row.barFraction !== undefined ? (
                    <svg width="120" height="10" role="img" aria-label={`${ms(row.compareMs)}`} className="print:text-black">
                      <rect x="0" y="1" width={Math.round(120 * row.barFraction)} height="8" className={row.nearest ? 'fill-emerald-600' : 'fill-slate-500'} />
                    </svg>
                  ) : (
                    <span className="text-slate-600">{row.reachable ? 'not compared' : 'unreachable'}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="mt-2 text-xs text-slate-700">{model.dnsNote}</p>
    </div>
  );
}
