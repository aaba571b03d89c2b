/**
 * The transport × port matrix (./port-matrix-model.ts) as a table: one row per transport, one column per port, each
 * cell a symbol and a word (never colour alone), print-friendly. For the vendor's engineer on the share page: which
 * port and transport this network lets through, at a glance.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { CheckIcon, CrossIcon, QuestionIcon } from '../ui/icons';
import { buildPortMatrix, type PortCell } from './port-matrix-model';

const CELL: Record<PortCell, { word: string; className: string; Icon: typeof CheckIcon | null }> = {
  open: { word: 'reached', className: 'bg-emerald-50 text-emerald-900', Icon: CheckIcon },
  blocked: { word: 'blocked', className: 'bg-red-50 text-red-900', Icon: CrossIcon },
  undecided: { word: 'not decided', className: 'bg-slate-100 text-slate-700', Icon: QuestionIcon },
  untested: { word: 'not tested', className: 'text-slate-600', Icon: null },
};

/** The matrix, or nothing when no transport probe recorded a port. */
export function PortMatrixTable({ probes }: { probes: Readonly<Record<string, ProbeOutcome>> }) {
  const matrix = buildPortMatrix(probes);
  if (!matrix) return null;
  return (
    // `relative`: the screen-reader-only texts inside are absolutely positioned; without a positioned scroll box they
    // would hang outside it and widen the whole page on a phone.
    // tabIndex: a region that may scroll must be reachable by keyboard (axe scrollable-region-focusable).
    <div className="relative overflow-x-auto" role="region" aria-label="Transports and ports" tabIndex={0}>
      <table className="mt-2 w-full border-collapse text-xs">
        <caption className="sr-only">Which transport reached netready's servers on which port</caption>
        <thead>
          <tr>
            <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
              Transport
            </th>
            {matrix.ports.map((port) => (
              <th key={port} scope="col" className="border-b border-slate-200 px-2 py-1 text-center font-mono font-semibold text-slate-700">
                {port}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.rows.map((row) => (
            <tr key={row.label}>
              <th scope="row" className="border-b border-slate-100 px-2 py-1 text-left font-normal whitespace-nowrap text-slate-900">
                {row.label}
              </th>
              {matrix.ports.map((port) => {
                const cell = row.cells[port];
                if (!cell) {
                  return (
                    <td key={port} className="border-b border-slate-100 px-2 py-1 text-center text-slate-400">
                      <span aria-hidden="true">·</span>
                      <span className="sr-only">not on this port</span>
                    </td>
                  );
                }
                const { word, className, Icon } = CELL[cell];
                return (
                  <td key={port} className={`border-b border-slate-100 px-2 py-1 text-center ${className}`} data-cell={cell}>
                    <span className="inline-flex items-center gap-1">
                      {Icon && <Icon className="h-3.5 w-3.5" />}
                      {word}
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
