'use client';
/**
 * The share page's PAC section (issue 20): the PAC check the submitter attached to this result (POST /api/pac/attach,
 * kept beside the result and deleted with it), shown to whoever holds the link, and the form with which the submitter
 * — whoever holds the result's delete token — attaches or replaces one. Nothing is shown when none is attached but
 * the form, folded. Every value is a text node.
 */
import { useId, useState } from 'react';
import type { PacAttachment, PacCheckResponse } from '../../lib/pac/compare';
import { formatTimestamp } from './labels';
import { secondaryButton } from '../ui/button-styles';
import { PacCheckTable } from './pac-check';
import { attachedPacView, pacErrorMessage, pacTextProblem } from './pac-check-model';

/** The attached check (if any) and the submitter's attach form. */
export function PacAttached({ shareId, attachment: initial }: { shareId: string; attachment: PacAttachment | null }) {
  const [attachment, setAttachment] = useState(initial);
  const [pac, setPac] = useState('');
  const [token, setToken] = useState('');
  const [status, setStatus] = useState<{ kind: 'idle' | 'sending' | 'failed'; message?: string }>({ kind: 'idle' });
  const pacId = useId();
  const tokenId = useId();
  const view = attachment ? attachedPacView(attachment) : null;

  async function attach() {
    const problem = pacTextProblem(pac) ?? (token.trim() === '' ? 'Give the delete token you got when you created the link.' : null);
    if (problem) {
      setStatus({ kind: 'failed', message: problem });
      return;
    }
    setStatus({ kind: 'sending' });
    try {
      const response = await fetch('/api/pac/attach', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.trim()}` },
        body: JSON.stringify({ pac, resultId: shareId }),
      });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        setStatus({ kind: 'failed', message: pacErrorMessage(response.status, body) });
        return;
      }
      setAttachment({ pac, check: (body as { check: PacCheckResponse }).check, attachedAt: new Date().toISOString() });
      setStatus({ kind: 'idle', message: 'Attached: everyone with this link now sees this PAC check.' });
    } catch {
      setStatus({ kind: 'failed', message: 'netready’s server could not be reached; try again.' });
    }
  }

  return (
    <section aria-labelledby="pac-attached-heading" className="rounded-xl border border-slate-200 bg-white p-4">
      <h2 id="pac-attached-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
        PAC file attached by the person who shared this
      </h2>
      {attachment && view ? (
        <>
          <p className="mt-1 text-sm text-slate-800">
            Attached on <time dateTime={attachment.attachedAt}>{formatTimestamp(attachment.attachedAt)}</time>, checked against this run:{' '}
            {view.contradictions === 0 ? 'the PAC file agrees with what this test saw.' : `${view.contradictions} contradiction${view.contradictions === 1 ? '' : 's'} (marked below).`}
          </p>
          {view.notes.length > 0 && (
            <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
              {view.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
          <PacCheckTable rows={view.rows} />
          <details className="mt-3 text-sm">
            <summary className="cursor-pointer text-slate-800">The PAC file</summary>
            <pre className="mt-2 max-h-96 overflow-auto rounded-lg bg-slate-50 p-2 font-mono text-xs whitespace-pre-wrap text-slate-900">{attachment.pac}</pre>
          </details>
        </>
      ) : (
        <p className="mt-1 text-sm text-slate-700">None is attached.</p>
      )}
      <details className="mt-3 text-sm print:hidden">
        <summary className="cursor-pointer text-slate-800">{attachment ? 'Replace it' : 'Attach a PAC check'} (only the person who shared this result)</summary>
        <p className="mt-2 text-slate-700">
          The PAC file and its check are stored with this result and deleted with it; everyone with the link sees them. It needs the delete token you
          got when you created the link.
        </p>
        <label htmlFor={pacId} className="mt-2 block text-xs font-medium text-slate-700">
          PAC file contents to attach
        </label>
        <textarea id={pacId} value={pac} onChange={(event) => setPac(event.target.value)} rows={4} spellCheck={false} className="mt-1 w-full rounded-lg border border-slate-300 p-2 font-mono text-xs text-slate-900" />
        <label htmlFor={tokenId} className="mt-2 block text-xs font-medium text-slate-700">
          Delete token
        </label>
        <input id={tokenId} type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} className="mt-1 w-full max-w-md rounded-lg border border-slate-300 p-2 font-mono text-xs text-slate-900" />
        <div className="mt-2">
          <button type="button" className={secondaryButton} disabled={status.kind === 'sending'} onClick={() => void attach()}>
            {status.kind === 'sending' ? 'Attaching…' : 'Attach to this result'}
          </button>
        </div>
      </details>
      <p role="status" className={`mt-2 text-sm ${status.kind === 'failed' ? 'text-red-800' : 'text-slate-800'}`}>
        {status.message ?? ''}
      </p>
    </section>
  );
}
