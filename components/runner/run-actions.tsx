'use client';
/**
 * What a person can do with a finished run: download the result JSON, create a share link (POST
 * /api/results) and copy it, or run the test again. Errors are shown in words, never as status codes alone, with a
 * Retry button that posts the same result again wherever that can help (storage down, rate limit, network).
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { Result } from '../../lib/schema/result';
import { primaryButton, secondaryButton } from '../ui/button-styles';
import { createShareLink, deleteSharedResult, ShareError, type SharedLink } from './share-link';
import { formatTimestamp } from '../result/labels';
import { CheckIcon, CopyIcon, DownloadIcon, LinkIcon, RefreshIcon, SpinnerIcon } from '../ui/icons';

type ShareState =
  | { kind: 'idle' }
  | { kind: 'posting' }
  | { kind: 'shared'; link: SharedLink }
  | { kind: 'deleted' }
  | { kind: 'failed'; message: string; retryable: boolean };

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


/** The share link in a read-only field with a Copy button; the private delete token and "Delete now" below it. */
function SharePanel({ state, onRetry, onDeleted, inputId }: { state: ShareState; onRetry: () => void; onDeleted: () => void; inputId: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [deleting, setDeleting] = useState<'idle' | 'deleting' | { failed: string }>('idle');
  const resetTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(resetTimer.current), []);

  if (state.kind === 'idle') return null;
  if (state.kind === 'deleted') {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-800" role="status">
        The stored result was deleted: its link no longer works. The result is still on this page until you leave it.
      </p>
    );
  }
  if (state.kind === 'posting') {
    return (
      <p className="flex items-center gap-2 text-sm text-slate-700">
        <SpinnerIcon /> Creating a share link…
      </p>
    );
  }
  if (state.kind === 'failed') {
    return (
      <div className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900" role="alert">
        <p className="font-semibold">No share link was created.</p>
        <p className="mt-1">{state.message}</p>
        {state.retryable && (
          <button type="button" onClick={onRetry} className={`${secondaryButton} mt-3`}>
            <RefreshIcon />
            Retry
          </button>
        )}
      </div>
    );
  }
  const { link } = state;
  const copy = async () => {
    clearTimeout(resetTimer.current);
    try {
      await navigator.clipboard.writeText(link.url);
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
          value={link.url}
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
      {link.deleteToken && (
        <div className="mt-2 border-t border-slate-200 pt-2 text-xs text-slate-700" data-testid="delete-token">
          <p>
            {link.expiresAt && (
              <>
                Stored until <time dateTime={link.expiresAt}>{formatTimestamp(link.expiresAt)}</time>, then deleted by the server.{' '}
              </>
            )}
            To delete it earlier, keep this private delete token (shown only now):{' '}
            <code className="rounded bg-slate-100 px-1 font-mono break-all text-slate-900">{link.deleteToken}</code>
          </p>
          <button
            type="button"
            className={`${secondaryButton} mt-2`}
            disabled={deleting === 'deleting'}
            onClick={async () => {
              setDeleting('deleting');
              try {
                await deleteSharedResult(link.url, link.deleteToken);
                onDeleted();
              } catch (error) {
                setDeleting({ failed: error instanceof Error ? error.message : String(error) });
              }
            }}
          >
            {deleting === 'deleting' && <SpinnerIcon />}
            Delete the stored result now
          </button>
          {typeof deleting === 'object' && (
            <p className="mt-1 text-red-800" role="alert">
              {deleting.failed}
            </p>
          )}
        </div>
      )}
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
  const [note, setNote] = useState('');
  const inputId = useId();
  const noteId = useId();
  const createLink = async () => {
    // One link per run: once created, the button takes the user back to it instead of storing a copy.
    if (share.kind === 'shared' || share.kind === 'deleted') {
      document.getElementById(inputId)?.focus();
      return;
    }
    setShare({ kind: 'posting' });
    try {
      setShare({ kind: 'shared', link: await createShareLink(result, note) });
    } catch (error) {
      setShare(
        error instanceof ShareError
          ? { kind: 'failed', message: error.message, retryable: error.retryable }
          : { kind: 'failed', message: 'Could not create a share link.', retryable: true },
      );
    }
  };
  return (
    <div className="space-y-3">
      {allowShare && (share.kind === 'idle' || share.kind === 'failed') && (
        <div className="max-w-xl">
          <label htmlFor={noteId} className="text-sm font-semibold text-slate-900">
            Note for support <span className="font-normal text-slate-600">(optional, stored with the link)</span>
          </label>
          <input
            id={noteId}
            type="text"
            maxLength={500}
            value={note}
            onChange={(event) => setNote(event.currentTarget.value)}
            placeholder="Ticket number, site, contact"
            className="mt-1 h-10 w-full rounded-lg border border-slate-300 bg-white px-3 text-sm text-slate-900 placeholder:text-slate-500"
          />
        </div>
      )}
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
      <SharePanel state={share} onRetry={createLink} onDeleted={() => setShare({ kind: 'deleted' })} inputId={inputId} />
    </div>
  );
}
