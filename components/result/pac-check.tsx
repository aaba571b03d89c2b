'use client';
/**
 * "Check your PAC file" (issue 20): the admin pastes or uploads the PAC file, netready evaluates FindProxyForURL in
 * its sandbox for every host and port this run used (POST /api/pac/evaluate, nothing stored), and the table puts
 * each decision next to what the run observed, flagging contradictions in words (./pac-check-model.ts). The file is
 * read in the browser (File.text()): netready's server never fetches a PAC URL. Every value is a text node. Not
 * printed: a printed share page has no use for an empty form.
 */
import { Fragment, useId, useState } from 'react';
import type { PacCheckResponse } from '../../lib/pac/compare';
import type { Result } from '../../lib/schema/result';
import { secondaryButton } from '../ui/button-styles';
import { buildPacRequest, pacCheckView, pacErrorMessage, pacTextProblem, type PacCheckRow } from './pac-check-model';

type State = { kind: 'idle' } | { kind: 'checking' } | { kind: 'failed'; message: string } | { kind: 'done'; view: ReturnType<typeof pacCheckView> };

/** The panel: textarea, file picker, button, and the table once checked. */
export function PacCheck({ result }: { result: Result }) {
  const [pac, setPac] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const textId = useId();
  const fileId = useId();

  async function check() {
    const problem = pacTextProblem(pac);
    if (problem) {
      setState({ kind: 'failed', message: problem });
      return;
    }
    setState({ kind: 'checking' });
    try {
      const response = await fetch('/api/pac/evaluate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildPacRequest(result, pac)) });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        setState({ kind: 'failed', message: pacErrorMessage(response.status, body) });
        return;
      }
      setState({ kind: 'done', view: pacCheckView(result, body as PacCheckResponse) });
    } catch {
      setState({ kind: 'failed', message: 'The check could not reach netready’s server; try again.' });
    }
  }

  return (
    <section aria-labelledby="pac-check-heading" className="rounded-xl border border-slate-200 bg-white p-4 print:hidden">
      <h2 id="pac-check-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
        Check your PAC file
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        Paste your proxy auto-config (PAC) file or choose it: netready runs its FindProxyForURL for every host and port this test used and shows where
        the browser would send each one next to what the test saw. The file is not stored, and netready never fetches PAC files or resolves names from
        them — inside your network, <code className="font-mono text-xs">netready check --pac &lt;url|file&gt;</code> gives the answer with your DNS.
      </p>
      <label htmlFor={textId} className="mt-3 block text-xs font-medium text-slate-700">
        PAC file contents
      </label>
      <textarea
        id={textId}
        value={pac}
        onChange={(event) => setPac(event.target.value)}
        rows={6}
        spellCheck={false}
        placeholder={'function FindProxyForURL(url, host) {\n  return "PROXY proxy.example:3128; DIRECT";\n}'}
        className="mt-1 w-full rounded-lg border border-slate-300 p-2 font-mono text-xs text-slate-900"
      />
      <div className="mt-2 flex flex-wrap items-center gap-3">
        <label htmlFor={fileId} className="text-xs text-slate-700">
          Or choose the file:
        </label>
        <input
          id={fileId}
          type="file"
          accept=".pac,.dat,.js,application/x-ns-proxy-autoconfig,text/plain"
          className="text-xs text-slate-700"
          onChange={async (event) => {
            const file = event.target.files?.[0];
            if (file) setPac(await file.text());
          }}
        />
        <button type="button" className={secondaryButton} disabled={state.kind === 'checking'} onClick={() => void check()}>
          {state.kind === 'checking' ? 'Checking…' : 'Check PAC file'}
        </button>
      </div>
      <div role="status" className="mt-3 text-sm">
        {state.kind === 'failed' && <p className="text-red-800">{state.message}</p>}
        {state.kind === 'done' && (
          <p className="text-slate-800">
            {state.view.contradictions === 0
              ? 'The PAC file agrees with what this test saw.'
              : `${state.view.contradictions} contradiction${state.view.contradictions === 1 ? '' : 's'} between the PAC file and what this test saw (marked below).`}
          </p>
        )}
      </div>
      {state.kind === 'done' && (
        <>
          {state.view.notes.length > 0 && (
            <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
              {state.view.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
          <PacCheckTable rows={state.view.rows} />
        </>
      )}
    </section>
  );
}

/** The decisions table: host · port · PAC decision · what the test saw · contradiction (its words on a line below). */
export function PacCheckTable({ rows }: { rows: readonly PacCheckRow[] }) {
  return (
    <div className="relative mt-3 overflow-x-auto" role="region" aria-label="PAC decisions" tabIndex={0}>
      <table className="w-full border-collapse text-xs">
        <caption className="sr-only">Where the PAC file sends each host and port of this test, next to what the test saw</caption>
        <thead>
          <tr>
            {['Host', 'Port', 'PAC decision', 'What the test saw', 'Contradiction'].map((title) => (
              <th key={title} scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
                {title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <Fragment key={row.key}>
              <tr className={row.contradiction ? 'bg-amber-50' : undefined}>
                <td className={`min-w-36 px-2 py-1 align-top ${row.contradiction ? '' : 'border-b border-slate-100'}`}>
                  <span className="font-mono break-all text-slate-900">{row.host}</span>
                  <span className="block text-slate-600">{row.usedFor}</span>
                </td>
                <td className={`px-2 py-1 align-top font-mono text-slate-900 tabular-nums ${row.contradiction ? '' : 'border-b border-slate-100'}`}>{row.port}</td>
                <td className={`min-w-36 px-2 py-1 align-top ${row.contradiction ? '' : 'border-b border-slate-100'}`}>
                  <span className="font-semibold text-slate-900">{row.routeLabel}</span>
                  <code className="block font-mono break-all text-slate-700">{row.decision}</code>
                </td>
                <td className={`px-2 py-1 align-top text-slate-700 ${row.contradiction ? '' : 'border-b border-slate-100'}`}>{row.observed}</td>
                <td className={`px-2 py-1 align-top ${row.contradiction ? 'font-semibold text-amber-900' : 'border-b border-slate-100 text-slate-700'}`}>{row.contradiction ? 'Yes ⚠' : 'No'}</td>
              </tr>
              {row.contradiction && (
                <tr className="bg-amber-50">
                  <td colSpan={5} className="border-b border-slate-200 px-2 pb-2 text-slate-900">
                    <span className="font-semibold">Contradiction: </span>
                    {row.contradiction}
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
