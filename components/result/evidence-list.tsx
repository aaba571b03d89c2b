/**
 * A list of evidence items: the summary line, who recorded it, and its raw values on demand.
 * Plain text nodes only.
 */
import type { Evidence } from '../../lib/schema/result';
import { ChevronIcon } from '../ui/icons';
import { DataView } from './data-view';

/** Evidence items as a compact list; raw `data` behind a native disclosure (works without JavaScript). */
export function EvidenceList({ evidence, label }: { evidence: readonly Evidence[]; label: string }) {
  if (evidence.length === 0) return <p className="text-xs text-slate-600">No evidence recorded.</p>;
  return (
    <ul className="space-y-1.5" aria-label={label}>
      {evidence.map((item, index) => (
        <li key={index} className="rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-800">
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
            <span className="rounded bg-slate-200 px-1.5 py-0.5 font-mono text-[11px] text-slate-800">{item.kind}</span>
            {item.probe !== undefined && <span className="font-mono text-[11px] text-slate-600">{item.probe}</span>}
            <span className="min-w-0 font-mono break-words">{item.summary}</span>
          </div>
          {item.data !== undefined && Object.keys(item.data).length > 0 && (
            <details className="group/raw mt-1.5">
              <summary className="inline-flex cursor-pointer items-center gap-1 rounded text-[11px] font-semibold text-blue-800 select-none hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 [&::-webkit-details-marker]:hidden">
                <ChevronIcon className="h-3 w-3 transition-transform group-open/raw:rotate-90" />
                Raw values
              </summary>
              <div className="mt-1.5">
                <DataView value={item.data} label={`${label}, item ${index + 1}`} />
              </div>
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}
