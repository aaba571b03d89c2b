'use client';
/** "Copy" beside a filter or command of the capture kit: puts the text on the clipboard and says whether that worked. */
import { CheckIcon, CopyIcon } from '../ui/icons';
import { useClipboard } from '../ui/use-clipboard';

/** Props of CopyTextButton. */
export interface CopyTextButtonProps {
  /** What is copied. */
  text: string;
  /** What it is, for screen readers ("Copy the capture filter"). */
  label: string;
}

const BUTTON =
  'inline-flex h-8 shrink-0 items-center gap-1.5 rounded-md border border-slate-300 bg-white px-2.5 text-xs font-semibold whitespace-nowrap text-slate-800 shadow-sm ' +
  'hover:bg-slate-50 active:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 print:hidden';

/** The button; its label turns to "Copied" for a moment, and a status line tells screen readers. */
export function CopyTextButton({ text, label }: CopyTextButtonProps) {
  const { state, copy } = useClipboard();
  return (
    <span className="inline-flex flex-col print:hidden">
      <button
        type="button"
        className={BUTTON}
        aria-label={label}
        onClick={() => copy(text)}
      >
        {state === 'copied' ? <CheckIcon className="h-3.5 w-3.5" /> : <CopyIcon className="h-3.5 w-3.5" />}
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span className="sr-only" role="status">
        {state === 'copied' ? 'Copied to the clipboard.' : state === 'failed' ? 'Copying is not allowed here: select the text and copy it.' : ''}
      </span>
    </span>
  );
}
