/**
 * "Technical details" for the IT admin or vendor support: every probe's status, duration, reason, data and
 * evidence, and the full client description. Collapsed by default (native <details>, no JavaScript needed).
 */
import type { ClientInfo, ProbeOutcome } from '../../lib/schema/result';
import { ChevronIcon } from '../ui/icons';
import { StatusBadge } from '../ui/status-badge';
import { DataView } from './data-view';
import { EvidenceList } from './evidence-list';
import { InterfacesView } from './interfaces-view';
import { formatDuration } from './labels';
import { probeTitle } from './probe-title';

function ProbeDetails({ id, outcome, title }: { id: string; outcome: ProbeOutcome; title: string }) {
  return (
    <li className="nr-print-flow rounded-lg border border-slate-200 bg-white p-4">
      <div className="grid grid-cols-[minmax(0,1fr)_auto] items-start gap-3">
        <h4 className="text-sm font-semibold text-slate-900">
          {title} <code className="ml-1 inline-block font-mono text-xs font-normal whitespace-nowrap text-slate-600">{id}</code>
        </h4>
        <div className="flex flex-col items-end gap-1 sm:flex-row-reverse sm:items-center sm:gap-3">
          <StatusBadge status={outcome.status} />
          <span className="text-xs text-slate-600 tabular-nums">{formatDuration(outcome.durationMs)}</span>
        </div>
      </div>
      {outcome.reason !== undefined && <p className="mt-2 text-sm text-slate-700">{outcome.reason}</p>}
      {id === 'interfaces' && (
        <div className="mt-3">
          <InterfacesView data={outcome.data} />
        </div>
      )}
      <h5 className="mt-3 text-xs font-semibold tracking-wide text-slate-600 uppercase">Data</h5>
      <div className="mt-1">
        <DataView value={outcome.data} label={`${title} data`} />
      </div>
      <h5 className="mt-3 text-xs font-semibold tracking-wide text-slate-600 uppercase">Evidence</h5>
      <div className="mt-1">
        <EvidenceList evidence={outcome.evidence} label={`${title} evidence`} />
      </div>
    </li>
  );
}

/** Collapsed section with per-probe outcomes and the client's full description. */
export function TechnicalDetails({
  probes,
  client,
  probeTitles,
}: {
  probes: Readonly<Record<string, ProbeOutcome>>;
  client: ClientInfo;
  probeTitles?: Readonly<Record<string, string>>;
}) {
  const entries = Object.entries(probes);
  return (
    <details className="group/tech nr-print-flow rounded-xl border border-slate-200 bg-slate-50">
      <summary className="flex cursor-pointer items-center gap-2 rounded-xl px-4 py-3 text-base font-semibold text-slate-900 select-none hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 [&::-webkit-details-marker]:hidden">
        <ChevronIcon className="h-4 w-4 transition-transform group-open/tech:rotate-90" />
        Technical details
        <span className="ml-auto text-xs font-normal text-slate-600">{entries.length} checks</span>
      </summary>
      <div className="space-y-4 px-3 pb-4 sm:px-4">
        <ul className="space-y-3">
          {entries.map(([id, outcome]) => (
            <ProbeDetails key={id} id={id} outcome={outcome} title={probeTitle(id, probeTitles)} />
          ))}
        </ul>
        <div className="rounded-lg border border-slate-200 bg-white p-4">
          <h4 className="text-sm font-semibold text-slate-900">Browser</h4>
          <div className="mt-2">
            <DataView value={client} label="Browser" />
          </div>
        </div>
      </div>
    </details>
  );
}
