'use client';
/**
 * The deep check's explanation step (issue 11): says, before the browser asks, why a network test wants the
 * microphone — browsers show a page its network interfaces only after media permission — and that nothing is
 * recorded. Continue asks; Cancel closes. Focus moves to the heading when it opens, so keyboard and screen-reader
 * users land on the explanation, and Escape closes it.
 */
import { useEffect, useRef, useState } from 'react';
import { primaryButton, secondaryButton } from '../ui/button-styles';

/** Props of DeepCheckExplanation. */
export interface DeepCheckExplanationProps {
  id: string;
  onContinue(): void;
  onCancel(): void;
}

/** The explanation panel with Continue and Cancel. */
export function DeepCheckExplanation({ id, onContinue, onCancel }: DeepCheckExplanationProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Known only in the browser (after hydration): a plain-http page on a LAN address cannot ask at all.
  const [insecureOrigin, setInsecureOrigin] = useState<string | null>(null);
  useEffect(() => {
    headingRef.current?.focus();
    if (!window.isSecureContext) setInsecureOrigin(window.location.origin);
  }, []);
  const headingId = `${id}-heading`;
  return (
    <section
      id={id}
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
      className="max-w-2xl rounded-xl border border-blue-200 bg-blue-50/60 p-4 sm:p-5"
    >
      <h2 id={headingId} ref={headingRef} tabIndex={-1} className="text-base font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
        Check every network interface
      </h2>
      <div className="mt-2 space-y-2 text-sm leading-6 text-slate-700">
        <p>
          A call may leave through your VPN, Wi-Fi or Ethernet. Your browser shows a web page its network interfaces only after the page was allowed to
          use the microphone or camera — so it will now ask you for the microphone.
        </p>
        <p>
          netready records no audio: it releases the microphone at once and only looks at which networks the browser then shows. If you say no, the test
          still runs and tells you what it could not see.
        </p>
        {insecureOrigin && (
          <p className="rounded-lg border border-amber-200 bg-amber-50 p-2 text-amber-950" role="note">
            This page is {insecureOrigin}/, so your browser will not offer the microphone here (browsers allow it only on https:// or localhost). Continue
            runs the test without it and says what it could not see.
          </p>
        )}
      </div>
      <div className="mt-4 flex flex-wrap gap-2">
        <button type="button" onClick={onContinue} className={primaryButton}>
          Continue
        </button>
        <button type="button" onClick={onCancel} className={secondaryButton}>
          Cancel
        </button>
      </div>
    </section>
  );
}
