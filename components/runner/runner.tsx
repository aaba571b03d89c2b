'use client';
/**
 * The test runner of the landing page: Start → live progress → result with actions (`/embed` has its own compact
 * check, components/embed/). A run is an object owned by this component (an AbortController per run); events of a
 * run that was replaced or unmounted are ignored.
 *
 * When a run finishes it is handed to `window.__netreadyReport(result)` if present (the CLI injects it with
 * Playwright's exposeFunction). This page never posts messages to other windows.
 */
import { useCallback, useEffect, useReducer, useRef, useState, type ReactNode } from 'react';
import type { Result, Verdict } from '../../lib/schema/result';
import { heroButton } from '../ui/button-styles';
import { SpinnerIcon } from '../ui/icons';
import { statusLabel } from '../ui/status-badge';
import { ProbeProgress } from './probe-progress';
import { INITIAL_PROGRESS, progressReducer } from './progress-state';
import type { MediaAccessReport } from '../../lib/probes/types';
import { DeepCheckExplanation } from './deep-check';
import { browserMediaHost, requestMediaAccess } from './media-access';

/** The run chunk (./run-chunk.ts): engine, probes, result view; loaded when the first run starts. */
type RunChunk = typeof import('./run-chunk');

/** Loads the run chunk; the bundler fetches it once and hands every later call the same module. */
const loadRunChunk = (): Promise<RunChunk> => import('./run-chunk');

/** Starts fetching the run chunk before it is needed (never throws; Start reports a chunk that cannot load). */
function prefetchRunChunk(): void {
  loadRunChunk().catch(() => undefined);
}

/** Props of Runner, all from the server's configuration. */
export interface RunnerProps {
  /** Probe server HTTP base URL as the browser reaches it. */
  probeUrl: string;
  /** Overall time budget of a run in ms. */
  budgetMs: number;
  /** Per-probe deadline in ms (config `run.probeTimeoutMs`); startRun's default when absent. */
  probeTimeoutMs?: number;
  /** Deployment name recorded in the result. */
  configName: string;
  /** Start immediately on load (`?autostart=1`, used by the CLI). */
  autostart?: boolean;
  /**
   * `?deep=1`: Start runs the deep check (media permission first, issue 11) without the explanation step — for the
   * CLI, whose browser answers the permission itself.
   */
  deep?: boolean;
  /** Shown while idle: the explanation of what a run does, passed in by the page (pages/index.tsx). */
  idleIntro?: ReactNode;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'asking' }
  | { kind: 'running' }
  | { kind: 'finished'; result: Result; chunk: RunChunk }
  | { kind: 'failed'; message: string };

const VERDICT_HEADING_ID = 'run-verdict';
const DEEP_PANEL_ID = 'deep-check-explanation';
/** The deep check's outcome when the person went on without answering the browser's prompt. */
const UNANSWERED: MediaAccessReport = { requested: true, state: 'unavailable', error: 'the browser\'s permission prompt was not answered; the test ran without it' };
/** The deep check's entry: a clearly secondary choice, a text button beside the hero Start. */
const DEEP_TOGGLE_CLASS =
  'rounded text-left text-sm font-semibold text-blue-800 underline decoration-blue-300 underline-offset-4 hover:text-blue-900 hover:decoration-blue-700 ' +
  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700';

/** Tells the CLI hook that the run broke without a result, so it need not wait for its timeout. Never throws. */
function reportFailure(message: string): void {
  try {
    const pending = window.__netreadyFailed?.(message);
    if (pending) pending.catch(() => undefined);
  } catch {
    // The hook is optional; the page already shows the failure.
  }
}

/** What the connectivity verdict means, shown while the quality measurement still runs (issue 16). */
const CONNECTIVITY_WORDS: Record<Verdict, string> = {
  ready: 'Calls can connect directly.',
  degraded: 'Calls can connect, through a fallback path.',
  blocked: 'Calls cannot connect from this network.',
  inconclusive: 'The test server could not be reached.',
};

/** Hands the connectivity verdict to the CLI hook, if present. Never throws. */
function reportConnectivity(connectivity: { verdict: Verdict; atMs: number }): void {
  try {
    const pending = window.__netreadyConnectivity?.(connectivity);
    if (pending) pending.catch(() => undefined);
  } catch {
    // The hook is optional; the page shows it anyway.
  }
}

/** Hands a finished result to the CLI hook, if present. Never throws. */
function reportResult(result: Result): void {
  try {
    const pending = window.__netreadyReport?.(result);
    if (pending) pending.catch((error: unknown) => console.warn('netready: __netreadyReport failed', error));
  } catch (error) {
    console.warn('netready: __netreadyReport failed', error);
  }
}

/** The interactive runner (client component). */
export function Runner({ probeUrl, budgetMs, probeTimeoutMs, configName, autostart = false, deep = false, idleIntro }: RunnerProps) {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [progress, dispatch] = useReducer(progressReducer, INITIAL_PROGRESS);
  const [nowMs, setNowMs] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const controllerRef = useRef<AbortController | null>(null);
  const runStartRef = useRef(0);
  const titlesRef = useRef<Record<string, string>>({});
  const [explaining, setExplaining] = useState(false);
  /** Whether the last run was the deep check ("Run again" repeats the same kind). */
  const lastDeepRef = useRef(false);
  const deepToggleRef = useRef<HTMLButtonElement>(null);

  const start = useCallback((mediaAccess?: MediaAccessReport) => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    dispatch({ type: 'reset' });
    titlesRef.current = {};
    runStartRef.current = performance.now();
    setNowMs(0);
    setPhase({ kind: 'running' });
    setAnnouncement('Test started.');
    lastDeepRef.current = mediaAccess !== undefined;
    // The engine and probes arrive with the run chunk; a chunk that fails to load fails the run like any error.
    loadRunChunk().then(async (chunk) => {
      const result = await chunk.startRun({
        ...(mediaAccess ? { mediaAccess } : {}),
        probeUrl,
        budgetMs,
        ...(probeTimeoutMs !== undefined ? { probeTimeoutMs } : {}),
        configName,
        signal: controller.signal,
        onEvent: (event) => {
          if (controller.signal.aborted) return;
          if (event.type === 'run-started') {
            runStartRef.current = performance.now();
            titlesRef.current = Object.fromEntries(event.probes.map(({ id, title }) => [id, title]));
          }
          if (event.type === 'probe-finished') {
            setAnnouncement(`${chunk.probeTitle(event.probeId, titlesRef.current)}: ${statusLabel(event.outcome.status)}.`);
          }
          if (event.type === 'connectivity-verdict') {
            setAnnouncement(`${CONNECTIVITY_WORDS[event.verdict]} Now measuring call quality.`);
            reportConnectivity({ verdict: event.verdict, atMs: event.atMs });
          }
          dispatch({ type: 'event', event });
        },
      });
      return { result, chunk };
    }).then(
      ({ result, chunk }) => {
        if (controller.signal.aborted) return;
        setPhase({ kind: 'finished', result, chunk });
        setAnnouncement(`Test finished: ${chunk.VERDICT_COPY[result.verdict].title}.`);
        reportResult(result);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        console.error('netready: run failed', error);
        const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
        setPhase({ kind: 'failed', message: `The test stopped before it could finish${detail}.` });
        setAnnouncement('The test stopped before it could finish.');
        reportFailure(error instanceof Error ? error.message : String(error));
      },
    );
  }, [probeUrl, budgetMs, probeTimeoutMs, configName]);

  // The deep check: ask for media permission (the browser's prompt), release it at once, then run with the outcome.
  // Whatever the answer, the run goes on: the interfaces probe says what it could not see.
  const startDeep = useCallback(() => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setExplaining(false);
    setPhase({ kind: 'asking' });
    setAnnouncement('Waiting for your answer to the browser’s microphone question.');
    void requestMediaAccess(browserMediaHost()).then((report) => {
      if (controller.signal.aborted) return;
      start(report);
    });
  }, [start]);

  const closeExplanation = useCallback(() => {
    setExplaining(false);
    // Back to the control that opened it, for keyboard users.
    requestAnimationFrame(() => deepToggleRef.current?.focus());
  }, []);

  // `?autostart=1`: start on mount. In development React mounts twice; the first run is aborted by cleanup.
  useEffect(() => {
    if (autostart) {
      if (deep) startDeep();
      else start();
    }
    return () => controllerRef.current?.abort();
    // Only on mount (empty deps on purpose): a later prop change must not restart a run.
  }, []);

  // Elapsed time of running probes, ticking ten times a second while a run is in progress.
  useEffect(() => {
    if (phase.kind !== 'running') return;
    const timer = setInterval(() => setNowMs(performance.now() - runStartRef.current), 100);
    return () => clearInterval(timer);
  }, [phase.kind]);

  // Move focus to the verdict so keyboard and screen-reader users land on the answer.
  useEffect(() => {
    if (phase.kind === 'finished') document.getElementById(VERDICT_HEADING_ID)?.focus();
  }, [phase.kind]);

  const titles = Object.fromEntries(progress.rows.map(({ id, title }) => [id, title]));
  const done = progress.rows.filter((row) => row.durationMs !== undefined).length;
  const seconds = Math.ceil(budgetMs / 1000);

  return (
    <div className="space-y-8">
      <section aria-labelledby="runner-heading" className="pt-2 sm:pt-6">
        <h1 id="runner-heading" className="text-3xl font-semibold tracking-tight text-balance text-slate-900 sm:text-4xl">
          Is your network ready for video calls?
        </h1>
        <p className="mt-3 max-w-2xl text-base leading-7 text-pretty text-slate-700 sm:text-lg">
          Checks whether your network lets video calls through, and tells your IT team exactly what to change.
        </p>
        <div className="mt-6">
          {phase.kind === 'finished' ? (
            <phase.chunk.RunActions result={phase.result} onRunAgain={() => (lastDeepRef.current ? startDeep() : start())} />
          ) : (
            <div className="space-y-3">
              <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
                <button
                  type="button"
                  onClick={() => (deep ? startDeep() : start())}
                  // A pointer on its way to Start (or focus on it) fetches the run chunk ahead of the click; a failed
                  // prefetch is retried by the click itself, which reports it.
                  onPointerEnter={prefetchRunChunk}
                  onFocus={prefetchRunChunk}
                  disabled={phase.kind === 'running' || phase.kind === 'asking'}
                  className={heroButton}
                >
                  {(phase.kind === 'running' || phase.kind === 'asking') && <SpinnerIcon className="h-5 w-5" />}
                  {phase.kind === 'running' ? 'Testing…' : phase.kind === 'asking' ? 'Waiting for permission…' : phase.kind === 'failed' ? 'Try again' : 'Start'}
                </button>
                <p className="text-sm text-slate-600">
                  {phase.kind === 'running'
                    ? progress.rows.length > 0
                      ? `${done} of ${progress.rows.length} checks done`
                      : 'Preparing…'
                    : phase.kind === 'asking'
                      ? 'Answer your browser’s question about the microphone; the test starts right after.'
                      : `Takes up to ${seconds} seconds. Nothing to install.`}
                </p>
              </div>
              {phase.kind === 'asking' && (
                // A prompt nobody answers would hold the run forever: the person can go on without it.
                <button type="button" onClick={() => start(UNANSWERED)} className={DEEP_TOGGLE_CLASS}>
                  Run without the microphone
                </button>
              )}
              {!deep && (phase.kind === 'idle' || phase.kind === 'failed') && (
                <button
                  ref={deepToggleRef}
                  type="button"
                  onClick={() => setExplaining((open) => !open)}
                  aria-expanded={explaining}
                  aria-controls={DEEP_PANEL_ID}
                  className={DEEP_TOGGLE_CLASS}
                >
                  Also check every network interface (VPN, Wi-Fi, Ethernet)
                </button>
              )}
              {explaining && (phase.kind === 'idle' || phase.kind === 'failed') && (
                <DeepCheckExplanation id={DEEP_PANEL_ID} onContinue={startDeep} onCancel={closeExplanation} />
              )}
            </div>
          )}
        </div>
      </section>

      {/* Screen-reader narration of the run: start, each finished check, the verdict. */}
      <p className="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>

      {phase.kind === 'idle' && !explaining && idleIntro}

      {phase.kind === 'failed' && (
        <div className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-900" role="alert">
          <p className="font-semibold">The test could not complete.</p>
          <p className="mt-1">{phase.message} Check your connection and press “Try again”. If it keeps failing, the test server may be down.</p>
        </div>
      )}

      {(phase.kind === 'running' || (phase.kind === 'failed' && progress.rows.length > 0)) && (
        <section aria-labelledby="progress-heading">
          <h2 id="progress-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
            Checking your network
          </h2>
          {phase.kind === 'running' && progress.connectivity && (
            <p className="mt-2 rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm text-slate-800" data-testid="connectivity-verdict">
              <span className="font-semibold">{CONNECTIVITY_WORDS[progress.connectivity.verdict]}</span>{' '}
              <span className="text-slate-600">
                Known after {(progress.connectivity.atMs / 1000).toFixed(1)} s; still measuring call quality…
              </span>
            </p>
          )}
          <div className="mt-2" aria-busy={phase.kind === 'running'}>
            <ProbeProgress rows={progress.rows} nowMs={nowMs} />
          </div>
        </section>
      )}

      {phase.kind === 'finished' && (
        <phase.chunk.ResultView result={phase.result} probeTitles={titles} verdictHeadingId={VERDICT_HEADING_ID} />
      )}
    </div>
  );
}
