'use client';
/**
 * What a person can do with a finished run: download the result JSON, create a share link (POST
 * /api/results) and copy it, or run the test again. Errors are shown in words, never as status codes alone.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { readErrorEnvelope } from '../../lib/api/api-error';
import type { Result } from '../../lib/schema/result';
import { primaryButton, secondaryButton } from '../ui/button-styles';
import { CheckIcon, CopyIcon, DownloadIcon, LinkIcon, RefreshIcon, SpinnerIcon } from '../ui/icons';

type ShareState =
  | { kind: 'idle' }
  | { kind: 'posting' }
  | { kind: 'shared'; url: string }
  | { kind: 'failed'; message: string };

/** Saves the result as `netready-<id>.json` through a temporary object URL. */
export function downloadResult(result: Result): void {
  const blob = new Blob([JSON.stringify(result, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `netready-${result.id.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking synchronously can cancel the download in some browsers; give it a moment.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Explains a failed share request in words. */
function describeShareFailure(status: number, body: unknown): string {
  const envelope = readErrorEnvelope(body);
  switch (envelope?.code) {
    case 'payload_too_large':
      return 'This result is too large to store on the server, so no link was created. Use “Download JSON” and send the file instead.';
    case 'invalid_result':
    case 'invalid_json':
      return `The server did not accept this result (${envelope.message}). Use “Download JSON” and send the file instead.`;
    default:
      return status >= 500
        ? 'The server could not store the result right now. Please try again in a moment, or use “Download JSON”.'
        : `The server refused to create a link (HTTP ${status}). Use “Download JSON” and send the file instead.`;
  }
}

/** Posts the result to /api/results and resolves with the share URL, or rejects with a sentence. */
async function createShareLink(result: Result): Promise<string> {
  let response: Response;
  try {
    response = await fetch('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result),
    });
  } catch {
    throw new Error('Could not reach the server to create a link. Check your connection and try again.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 201 && typeof body === 'object' && body !== null && typeof (body as { url?: unknown }).url === 'string') {
    return (body as { url: string }).url;
  }
  throw new Error(describeShareFailure(response.status, body));
}

/** The share link in a read-only field with a Copy button. */
function SharePanel({ state, onRetry, inputId }: { state: ShareState; onRetry: () => void; inputId: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const resetTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(resetTimer.current), []);

  if (state.kind === 'idle') return null;
  if (state.kind === 'posting') {
    return (
      <p className="flex items-center gap-2 text-sm text-slate-700">
        <SpinnerIcon /> Creating a share link…
      </p>
    );
  }
  if (state.kind === 'failed') {
    return (
      <div className="rounded-lg border border-red-200 bg-red-50 px-3 py-2.5 text-sm text-red-900" role="alert">
        <p>{state.message}</p>
        <button type="button" onClick={onRetry} className="mt-1 font-semibold underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
          Try again
        </button>
      </div>
    );
  }
  const copy = async () => {
    clearTimeout(resetTimer.current);
    try {
      await navigator.clipboard.writeText(state.url);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
    resetTimer.current = setTimeout(() => setCopied('idle'), 4000);
  };
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3">
      <label htmlFor={inputId} className="text-sm font-semibold text-slate-900">
        Share link
      </label>
      <p className="text-xs text-slate-600">Anyone with this link can see this result. Send it to your IT team or your vendor’s support.</p>
      <div className="mt-2 flex flex-col gap-2 sm:flex-row">
        <input
          id={inputId}
          type="text"
          readOnly
          value={state.url}
          onFocus={(event) => event.currentTarget.select()}
          className="h-10 min-w-0 flex-1 rounded-lg border border-slate-300 bg-slate-50 px-3 font-mono text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-700"
        />
        <button type="button" onClick={copy} className={`${secondaryButton} w-full sm:w-28`}>
          {copied === 'copied' ? <CheckIcon /> : <CopyIcon />}
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="mt-1 min-h-[1.25rem] text-xs text-slate-700" role="status">
        {copied === 'copied' && 'Link copied to the clipboard.'}
        {copied === 'failed' && 'Copying is not allowed here: select the link and copy it yourself.'}
      </p>
    </div>
  );
}

/** Props of RunActions. */
export interface RunActionsProps {
  result: Result;
  /** Shows "Run again" when given. */
  onRunAgain?: () => void;
  /** Shows "Share link" (default true; the share page already is one). */
  allowShare?: boolean;
}

/** Download JSON, Share link and Run again, with the share link panel below them. */
export function RunActions({ result, onRunAgain, allowShare = true }: RunActionsProps) {
  const [share, setShare] = useState<ShareState>({ kind: 'idle' });
  const inputId = useId();
  const createLink = async () => {
    // One link per run: once created, the button takes the user back to it instead of storing a copy.
    if (share.kind === 'shared') {
      document.getElementById(inputId)?.focus();
      return;
    }
    setShare({ kind: 'posting' });
    try {
      setShare({ kind: 'shared', url: await createShareLink(result) });
    } catch (error) {
      setShare({ kind: 'failed', message: error instanceof Error ? error.message : 'Could not create a share link.' });
    }
  };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {allowShare && (
          <button
            type="button"
            onClick={createLink}
            disabled={share.kind === 'posting'}
            className={primaryButton}
          >
            {share.kind === 'posting' ? <SpinnerIcon /> : share.kind === 'shared' ? <CheckIcon /> : <LinkIcon />}
            {share.kind === 'shared' ? 'Link created' : 'Share link'}
          </button>
        )}
        <button type="button" onClick={() => downloadResult(result)} className={secondaryButton}>
          <DownloadIcon />
          Download JSON
        </button>
        {onRunAgain && (
          <button type="button" onClick={onRunAgain} className={secondaryButton}>
            <RefreshIcon />
            Run again
          </button>
        )}
      </div>
      <SharePanel state={share} onRetry={createLink} inputId={inputId} />
    </div>
  );
}
