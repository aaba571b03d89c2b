/**
 * "What this network can carry": a compact table of the call estimate (audio, SD video, HD video, screen sharing:
 * works / marginal / will not work, with why), drawn from the media-quality outcome of a result. The verdict is a
 * word and a symbol, never colour alone; rows print as a plain table. Rows: call-estimate-model.ts.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { buildCallEstimateTable } from './call-estimate-model';

/** Props: the media-quality probe's outcome (`result.probes['media-quality']`). */
export interface CallEstimateProps {
  outcome: ProbeOutcome | undefined;
}

const VERDICT_STYLE = {
  can: 'text-emerald-800',
  marginal: 'text-amber-900',
  cannot: 'text-red-800',
} as const;

/** The table, or nothing when the streams were not measured. */
export function CallEstimate({ outcome }: CallEstimateProps) {
  const table = buildCallEstimateTable(outcome);
  if (!table) return null;
  return (
    <section aria-labelledby="call-estimate-heading" className="w-full max-w-2xl print:break-inside-avoid">
      <h3 id="call-estimate-heading" className="text-sm font-semibold text-slate-900">
        What this network can carry
      </h3>
      <table className="mt-2 w-full border-collapse text-left text-sm">
        <thead>
          <tr className="border-b border-slate-300 text-xs text-slate-600">
            <th scope="col" className="py-1.5 pr-3 font-semibold">
              In a call
            </th>
            <th scope="col" className="py-1.5 pr-3 font-semibold">
              Verdict
            </th>
            <th scope="col" className="py-1.5 font-semibold">
              Why
            </th>
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.activity} className="border-b border-slate-200 align-top">
              <th scope="row" className="py-1.5 pr-3 font-medium text-slate-900">
                {row.label}
              </th>
              <td className={`py-1.5 pr-3 font-semibold whitespace-nowrap ${VERDICT_STYLE[row.verdict]}`}>
                <span aria-hidden="true">{row.symbol} </span>
                {row.word}
              </td>
              <td className="py-1.5 text-slate-700">{row.detail || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-2 text-xs leading-5 text-slate-600">Throughput — {table.throughput}.</p>
      {table.serverNote && <p className="mt-1 text-xs leading-5 text-slate-600">{table.serverNote}</p>}
    </section>
  );
}
