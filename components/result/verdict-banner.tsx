/**
 * The verdict as the first thing a person reads: coloured panel, icon, headline and one sentence.
 * The headline is focusable (tabIndex -1) so the runner can move focus to it when a run finishes.
 */
import type { Verdict } from '../../lib/schema/result';
import { BlockedIcon, CheckIcon, QuestionIcon, WarnIcon } from '../ui/icons';
import { VERDICT_COPY } from './labels';

const TONES = {
  green: { panel: 'border-emerald-300 bg-emerald-50', icon: 'bg-emerald-700 text-white', title: 'text-emerald-900', Icon: CheckIcon },
  amber: { panel: 'border-amber-300 bg-amber-50', icon: 'bg-amber-500 text-amber-950', title: 'text-amber-950', Icon: WarnIcon },
  red: { panel: 'border-red-300 bg-red-50', icon: 'bg-red-700 text-white', title: 'text-red-900', Icon: BlockedIcon },
  grey: { panel: 'border-slate-300 bg-slate-100', icon: 'bg-slate-600 text-white', title: 'text-slate-900', Icon: QuestionIcon },
} as const;

/**
 * The sentence under a "ready" headline when there are warnings: the media path is fine, but a person must not
 * read "sound clear" and skip the findings below.
 */
function readyWithWarnings(warnings: number): string {
  return `Audio and video can take the direct path, so calls should connect. ${
    warnings === 1 ? 'One warning below' : `${warnings} warnings below`
  } may still affect parts of the meeting app or its fallbacks — pass ${warnings === 1 ? 'it' : 'them'} to your IT team.`;
}

/** The sentence added when netready's own set-up kept some checks from running (never the network's fault). */
const SETUP_NOTE = 'Some checks could not run because of how this netready is set up; that is explained below and is not about your network.';

/**
 * Coloured verdict panel with icon, headline ("Ready for calls" …) and one sentence. `warnings` counts the network's
 * warnings and blockers; `setupIssues` the findings about netready's set-up or this browser.
 */
export function VerdictBanner({
  verdict,
  headingId,
  warnings = 0,
  setupIssues = 0,
  inconclusiveBecause,
}: {
  verdict: Verdict;
  headingId?: string;
  warnings?: number;
  setupIssues?: number;
  /** For `inconclusive`: the sentence saying why, when it is the browser and not the connection (labels.ts INCONCLUSIVE_BECAUSE). */
  inconclusiveBecause?: string;
}) {
  const copy = VERDICT_COPY[verdict];
  const base = verdict === 'ready' && warnings > 0 ? readyWithWarnings(warnings) : verdict === 'inconclusive' && inconclusiveBecause ? inconclusiveBecause : copy.sentence;
  const sentence = setupIssues > 0 && verdict !== 'inconclusive' ? `${base} ${SETUP_NOTE}` : base;
  const tone = TONES[copy.tone];
  return (
    <section className={`flex gap-4 rounded-xl border p-4 sm:p-5 ${tone.panel}`} aria-labelledby={headingId}>
      <span className={`flex h-10 w-10 shrink-0 items-center justify-center rounded-full ${tone.icon}`}>
        <tone.Icon className="h-6 w-6" />
      </span>
      <div className="min-w-0">
        <h2 id={headingId} tabIndex={-1} className={`text-xl font-semibold tracking-tight focus:outline-none sm:text-2xl ${tone.title}`}>
          {copy.title}
        </h2>
        <p className="mt-1 text-sm leading-6 text-slate-800 sm:text-base">{sentence}</p>
      </div>
    </section>
  );
}
