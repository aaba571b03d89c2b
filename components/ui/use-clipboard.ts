'use client';
/** The state of a copy button: idle, copied, or failed (the page may not write the clipboard), and the copy itself. */
import { useState } from 'react';

/** What a copy button shows. */
export type CopyState = 'idle' | 'copied' | 'failed';

/** `copy(text)` puts text on the clipboard; `state` says how that went. */
export function useClipboard(): { state: CopyState; copy: (text: string) => Promise<void> } {
  const [state, setState] = useState<CopyState>('idle');
  return {
    state,
    copy: async (text) => {
      try {
        await navigator.clipboard.writeText(text);
        setState('copied');
      } catch {
        setState('failed');
      }
    },
  };
}
