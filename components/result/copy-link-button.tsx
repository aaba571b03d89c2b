'use client';
/** "Copy link" on the share page: puts the page's own address on the clipboard, and says whether that worked. */
import { secondaryButton } from '../ui/button-styles';
import { CheckIcon, CopyIcon } from '../ui/icons';
import { useClipboard } from '../ui/use-clipboard';

/** The button and its status line. */
export function CopyLinkButton() {
  const { state, copy } = useClipboard();
  return (
    <span className="inline-flex flex-col">
      <button
        type="button"
        className={secondaryButton}
        onClick={() => copy(window.location.href)}
      >
        {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
        {state === 'copied' ? 'Link copied' : 'Copy link'}
      </button>
      <span className="sr-only" role="status">
        {state === 'copied' ? 'The link is on the clipboard.' : state === 'failed' ? 'Copying is not allowed here: copy the address from the address bar.' : ''}
      </span>
    </span>
  );
}
