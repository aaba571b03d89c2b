/**
 * Findings for the person and their IT admin: severity, title, what happened, "What to change", and the
 * evidence behind it (collapsed). Sorted blocker → warning → info.
 */
import type { Finding, Severity } from '../../lib/schema/result';
import { BlockedIcon, ChevronIcon, QuestionIcon, WarnIcon } from '../ui/icons';
import { EvidenceList } from './evidence-list';
import { CALL_IMPACT, CATEGORY_TAG, SEVERITY_LABEL, sortFindings } from './labels';

const SEVERITY_STYLE: Record<Severity, { badge: string; edge: string; Icon: typeof WarnIcon }> = {
  blocker: { badge: 'bg-red-50 text-red-800 ring-red-200', edge: 'border-l-red-600', Icon: BlockedIcon },
  warning: { badge: 'bg-amber-50 text-amber-900 ring-amber-200', edge: 'border-l-amber-500', Icon: WarnIcon },
  info: { badge: 'bg-sky-50 text-sky-900 ring-sky-200', edge: 'border-l-sky-600', Icon: QuestionIcon },
};

function FindingCard({ finding }: { finding: Finding }) {
  const style = SEVERITY_STYLE[finding.severity];
  return (
    <li className={`rounded-xl border border-l-4 border-slate-200 bg-white p-4 shadow-sm sm:p-5 ${style.edge}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${style.badge}`}>
          <style.Icon className="h-3.5 w-3.5" />
          {SEVERITY_LABEL[finding.severity]}
        </span>
        <code className="font-mono text-xs text-slate-600">{finding.code}</code>
        {finding.category && finding.category !== 'network' && (
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300">
            {CATEGORY_TAG[finding.category]}
          </span>
        )}
      </div>
      <h3 className="mt-2 text-base font-semibold text-slate-900">{finding.title}</h3>
      <p className="mt-1 text-sm leading-6 whitespace-pre-line text-slate-700">{finding.detail}</p>
      {CALL_IMPACT[finding.code] && (
        <p className="mt-2 text-sm leading-6 text-slate-700">
          <span className="font-semibold text-slate-900">What this means for a call: </span>
          {CALL_IMPACT[finding.code]}
        </p>
      )}
      {finding.remediation.trim() !== '' && (
        <div className="mt-3 rounded-lg bg-slate-50 px-3 py-2.5">
          <h4 className="text-xs font-semibold tracking-wide text-slate-700 uppercase">What to change</h4>
          <p className="mt-1 text-sm leading-6 whitespace-pre-line text-slate-900">{finding.remediation}</p>
        </div>
      )}
      {finding.evidence.length > 0 && (
        <details className="group/evidence mt-3">
          <summary className="inline-flex cursor-pointer items-center gap-1 rounded text-sm font-medium text-blue-800 select-none hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 [&::-webkit-details-marker]:hidden">
            <ChevronIcon className="h-4 w-4 transition-transform group-open/evidence:rotate-90" />
            Evidence ({finding.evidence.length})
          </summary>
          <div className="mt-2">
            <EvidenceList evidence={finding.evidence} label={`Evidence for ${finding.title}`} />
          </div>
        </details>
      )}
    </li>
  );
}

/** The findings list, or a short note when there are none. */
export function FindingList({ findings }: { findings: readonly Finding[] }) {
  if (findings.length === 0) {
    return <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-700">Nothing to change: no problems were found.</p>;
  }
  return (
    <ul className="space-y-3">
      {sortFindings(findings).map((finding, index) => (
        <FindingCard key={`${finding.code}-${index}`} finding={finding} />
      ))}
    </ul>
  );
}
