/**
 * A probe status shown as icon + word + colour (never colour alone), for live progress and result details.
 */
import type { ProbeStatus } from '../../lib/schema/result';
import { CheckIcon, CircleIcon, CrossIcon, QuestionIcon, SkipIcon, SpinnerIcon, WarnIcon } from './icons';

/** A probe's status as displayed: a finished outcome, or still waiting / running. */
export type DisplayStatus = ProbeStatus | 'waiting' | 'running';

const STYLES: Record<DisplayStatus, { label: string; className: string; Icon: typeof CheckIcon }> = {
  waiting: { label: 'Waiting', className: 'bg-slate-100 text-slate-600', Icon: CircleIcon },
  running: { label: 'Running', className: 'bg-blue-50 text-blue-800', Icon: SpinnerIcon },
  pass: { label: 'Passed', className: 'bg-emerald-50 text-emerald-800', Icon: CheckIcon },
  warn: { label: 'Warning', className: 'bg-amber-50 text-amber-900', Icon: WarnIcon },
  fail: { label: 'Failed', className: 'bg-red-50 text-red-800', Icon: CrossIcon },
  skipped: { label: 'Skipped', className: 'bg-slate-100 text-slate-700', Icon: SkipIcon },
  inconclusive: { label: 'Inconclusive', className: 'bg-slate-100 text-slate-700', Icon: QuestionIcon },
};

/** Returns the human word for a status ("Passed", "Running" …). */
export function statusLabel(status: DisplayStatus): string {
  return STYLES[status].label;
}

/**
 * A pill with the status icon and word; fixed minimum width so rows line up. `label` replaces the word (e.g. "Not
 * tested" for an outcome the diagnosis set aside as netready's own failure).
 */
export function StatusBadge({ status, label: override }: { status: DisplayStatus; label?: string }) {
  const { label: word, className, Icon } = STYLES[status];
  const label = override ?? word;
  return (
    <span
      className={`inline-flex min-w-[7.5rem] items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-semibold ${className}`}
    >
      <Icon className="h-3.5 w-3.5 shrink-0" />
      {label}
    </span>
  );
}
