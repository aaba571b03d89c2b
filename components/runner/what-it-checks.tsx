/**
 * The landing page's idle explanation of what a run does. pages/index.tsx hands it to the Runner as `idleIntro`,
 * so only the landing page's bundle carries this static text (a few hundred bytes; /embed does without it).
 */

const CHECK_STEPS = [
  { title: 'Reaches the test server', text: 'Confirms that this site’s test servers answer from your network.' },
  { title: 'Tries every path calls use', text: 'Direct UDP, then relays over UDP, TCP and TLS, the way video call apps do.' },
  { title: 'Explains what to change', text: 'Plain-language findings for your IT team, with a link you can share.' },
];

/** Idle-state explanation of what a run does. */
export function WhatItChecks() {
  return (
    <section aria-labelledby="what-heading" className="rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="what-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
        What the test does
      </h2>
      <ol className="mt-3 grid gap-4 sm:grid-cols-3">
        {CHECK_STEPS.map((step, index) => (
          <li key={step.title} className="flex gap-3 sm:flex-col sm:gap-2">
            <span className="flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-blue-50 text-sm font-semibold text-blue-800" aria-hidden="true">
              {index + 1}
            </span>
            <div>
              <h3 className="text-sm font-semibold text-slate-900">{step.title}</h3>
              <p className="mt-0.5 text-sm leading-6 text-slate-600">{step.text}</p>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

