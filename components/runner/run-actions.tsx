'use client';
/**
 * What a person can do with a finished run: download the result JSON, create a share link (POST
 * /api/results) and copy it, or run the test again. Errors are shown in words, never as status codes alone, with a
 * Retry button that posts the same result again wherever that can help (storage down, rate limit, network).
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
  | { kind: 'failed'; message: string; retryable: boolean };

/** Why creating a link failed, in words, and whether posting the same result again can help. */
interface ShareFailure {
  message: string;
  retryable: boolean;
}

/** A share request that failed; `retryable` says whether the page offers Retry. */
class ShareError extends Error {
  readonly retryable: boolean;
  constructor({ message, retryable }: ShareFailure) {
    super(message);
    this.name = 'ShareError';
    this.retryable = retryable;
  }
}

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

/** Explains a failed share request in words (codes: lib/api/api-error.ts). */
function describeShareFailure(status: number, body: unknown, retryAfter: string | null): ShareFailure {
  const envelope = readErrorEnvelope(body);
  const download = 'Use “Download JSON” and send the file instead.';
  switch (envelope?.code) {
    case 'payload_too_large':
      return { message: `This result is too large to store on the server. ${download}`, retryable: false };
    case 'invalid_result':
    case 'invalid_json':
    case 'json_too_deep':
      return { message: `The server did not accept this result (${envelope.message}). ${download}`, retryable: false };
    case 'storage_unavailable':
      return {
        message: 'The server could not save the result: its storage is not available right now. Your result is still here — press Retry in a moment, or use “Download JSON” and send the file instead.',
        retryable: true,
      };
    case 'rate_limited': {
      const seconds = Number(retryAfter);
      const wait = Number.isFinite(seconds) && seconds > 0 ? `about ${Math.ceil(seconds)} seconds` : 'a minute';
      return { message: `Too many share links were created from your network just now. Wait ${wait}, then press Retry.`, retryable: true };
    }
    case 'quota_exceeded':
      return { message: `Your network has stored as many results today as this server allows. ${download}`, retryable: false };
    case 'cross_site_request':
    case 'unsupported_media_type':
      return { message: `The server refused to store a result sent this way (${envelope.message}). ${download}`, retryable: false };
    default:
      return status >= 500
        ? { message: `The server could not store the result right now. Press Retry in a moment, or use “Download JSON”.`, retryable: true }
        : { message: `The server refused to create a link (HTTP ${status}). ${download}`, retryable: false };
  }
}

/** Posts the result to /api/results and resolves with the share URL, or rejects with a ShareError. */
async function createShareLink(result: Result): Promise<string> {
  let response: Response;
  try {
    response = await fetch('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result),
    });
  } catch {
    throw new ShareError({ message: 'Could not reach the server to create a link. Check your connection and press Retry.', retryable: true });
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 201 && typeof body === 'object' && body !== null && typeof (body as { url?: unknown }).url === 'string') {
    return (body as { url: string }).url;
  }
  throw new ShareError(describeShareFailure(response.status, body, response.headers.get('retry-after')));
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
      setShare(
        error instanceof ShareError
          ? { kind: 'failed', message: error.message, retryable: error.retryable }
          : { kind: 'failed', message: 'Could not create a share link.', retryable: true },
      );
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
