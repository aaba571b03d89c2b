'use client';
/**
 * The embedded pre-join check (`/embed`, issue 14): compact, themeable (light/dark/auto, the host's accent colour),
 * in English or German, and the check's side of the postMessage protocol (./embed-bridge.ts): `netready:ready` once
 * loaded, `netready:progress` per probe and for the connectivity verdict, `netready:result`, `netready:error`, and
 * `netready:resize` whenever its height changes. A run starts from the host's `netready:start`, from the Start button,
 * or at once with `?autostart=1`.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { createProgressTracker } from '../../lib/embed/progress';
import { resultMessage, type ResolvedStart } from '../../lib/embed/check-side';
import { EMBED_PLANS, type EmbedPlan, type ThemeMode } from '../../lib/embed/protocol';
import { accentColours } from '../../lib/embed/theme';
import type { Finding, Result, Verdict } from '../../lib/schema/result';
import { CheckIcon, CopyIcon, CrossIcon, LinkIcon, QuestionIcon, RefreshIcon, SpinnerIcon, WarnIcon } from '../ui/icons';
import { INITIAL_PROGRESS, progressReducer } from '../runner/progress-state';
import type { MediaAccessReport } from '../../lib/probes/types';
import { createEmbedBridge, type BridgeWindow, type EmbedBridge } from './embed-bridge';
import { EMBED_LOCALES, pickLocale, type EmbedStrings } from './strings';

/** The run chunk (components/runner/run-chunk.ts, the same one `/` loads), fetched when a run starts. */
type RunChunk = typeof import('../runner/run-chunk');
const loadRunChunk = (): Promise<RunChunk> => import('../runner/run-chunk');

/** Props of EmbedCheck, from the server's configuration and the iframe's query (pages/embed.tsx). */
export interface EmbedCheckProps {
  probeUrl: string;
  budgetMs: number;
  probeTimeoutMs: number;
  configName: string;
  /** The operator's `embed.allowedOrigins`. */
  allowedOrigins: string[];
  /** The deployment's vendor target names. */
  targets: string[];
  /** This request's CSP nonce: the initial accent goes into a nonced <style> (CSP blocks style attributes). */
  styleNonce?: string;
  /** From the query (`plan`, `locale`, `theme`, `accent`, `autostart`, `share`), so the first paint is right. */
  initial: { plan: EmbedPlan; locale?: string; theme: ThemeMode; accent?: string; autostart: boolean; share: boolean };
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'asking' }
  | { kind: 'running' }
  | { kind: 'finished'; result: Result; shareUrl?: string; shareError?: string }
  | { kind: 'failed'; message: string };

const VERDICT_STYLE: Record<Verdict, { box: string; Icon: typeof CheckIcon }> = {
  ready: { box: 'border-emerald-300 bg-emerald-50 text-emerald-950 nr-dark:border-emerald-700 nr-dark:bg-emerald-950 nr-dark:text-emerald-50', Icon: CheckIcon },
  degraded: { box: 'border-amber-300 bg-amber-50 text-amber-950 nr-dark:border-amber-700 nr-dark:bg-amber-950 nr-dark:text-amber-50', Icon: WarnIcon },
  blocked: { box: 'border-red-300 bg-red-50 text-red-950 nr-dark:border-red-700 nr-dark:bg-red-950 nr-dark:text-red-50', Icon: CrossIcon },
  inconclusive: { box: 'border-slate-300 bg-slate-50 text-slate-900 nr-dark:border-slate-600 nr-dark:bg-slate-800 nr-dark:text-slate-50', Icon: QuestionIcon },
};

const BUTTON =
  'inline-flex h-10 items-center justify-center gap-2 rounded-lg px-4 text-sm font-semibold whitespace-nowrap disabled:cursor-not-allowed disabled:opacity-70';
/** The main action in the host's accent (its ink computed for contrast, lib/embed/theme.ts). */
const ACCENT_BUTTON = `${BUTTON} bg-(--nr-accent) text-(--nr-accent-ink) hover:brightness-95`;
const PLAIN_BUTTON = `${BUTTON} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 nr-dark:border-slate-600 nr-dark:bg-slate-800 nr-dark:text-slate-100 nr-dark:hover:bg-slate-700`;
const MUTED = 'text-slate-600 nr-dark:text-slate-300';

/** The deep check's outcome when the person went on without answering the browser's prompt. */
const UNANSWERED: MediaAccessReport = { requested: true, state: 'unavailable', error: 'the browser\'s permission prompt was not answered; the test ran without it' };

/** The compact check. */
export function EmbedCheck({ probeUrl, budgetMs, probeTimeoutMs, configName, allowedOrigins, targets, initial, styleNonce }: EmbedCheckProps) {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [progress, dispatch] = useReducer(progressReducer, INITIAL_PROGRESS);
  const [theme, setTheme] = useState<{ mode: ThemeMode; accent?: string }>({ mode: initial.theme, ...(initial.accent ? { accent: initial.accent } : {}) });
  const [locale, setLocale] = useState(() => pickLocale(initial.locale));
  const [announcement, setAnnouncement] = useState('');
  const [share, setShare] = useState<{ kind: 'idle' | 'posting' } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const bridgeRef = useRef<EmbedBridge | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const lastStartRef = useRef<ResolvedStart>({ plan: initial.plan, share: initial.share });
  const t: EmbedStrings = EMBED_LOCALES[locale]!;
  const tRef = useRef(t);
  tRef.current = t;

  /** Runs the check with `start`'s options; a host's second start while one runs is refused (`busy`). */
  const run = useCallback(
    async (start: ResolvedStart, mediaAccess?: MediaAccessReport) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      lastStartRef.current = start;
      const bridge = bridgeRef.current;
      dispatch({ type: 'reset' });
      setShare({ kind: 'idle' });
      setPhase({ kind: 'running' });
      setAnnouncement(tRef.current.started);
      const tracker = createProgressTracker();
      try {
        const chunk = await loadRunChunk();
        const result = await chunk.startRun({
          probeUrl,
          budgetMs,
          probeTimeoutMs,
          configName,
          signal: controller.signal,
          plan: { quality: start.plan !== 'connectivity', ...(start.targets ? { targets: start.targets } : {}) },
          ...(mediaAccess ? { mediaAccess } : {}),
          onEvent: (event) => {
            if (controller.signal.aborted) return;
            dispatch({ type: 'event', event });
            const message = tracker.next(event);
            if (message) bridge?.post(message);
            if (event.type === 'connectivity-verdict') setAnnouncement(tRef.current.connectivity[event.verdict]);
          },
        });
        if (controller.signal.aborted) return;
        let shared: { url: string } | { code: string; message: string } | undefined;
        if (start.share) shared = await chunk.shareForHost(result);
        if (controller.signal.aborted) return;
        setPhase({ kind: 'finished', result, ...(shared && 'url' in shared ? { shareUrl: shared.url } : {}) });
        setAnnouncement(tRef.current.finished(tRef.current.verdict[result.verdict].title));
        bridge?.post(resultMessage(result, shared));
      } catch (error) {
        if (controller.signal.aborted) return;
        const message = error instanceof Error && error.message ? error.message : String(error);
        setPhase({ kind: 'failed', message });
        setAnnouncement(tRef.current.failedTitle);
        bridge?.post({ type: 'netready:error', code: 'run-failed', message: `the check stopped before it could finish: ${message}` });
      }
    },
    [probeUrl, budgetMs, probeTimeoutMs, configName],
  );

  /** The deep plan asks for the microphone first (the iframe must allow it); whatever the answer, the run goes on. */
  const begin = useCallback(
    (start: ResolvedStart) => {
      if (start.plan !== 'deep') return void run(start);
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      lastStartRef.current = start;
      setPhase({ kind: 'asking' });
      void loadRunChunk().then(async (chunk) => {
        const report = await chunk.requestMediaAccess(chunk.browserMediaHost());
        if (!controller.signal.aborted) void run(start, report);
      });
    },
    [run],
  );

  const phaseRef = useRef(phase.kind);
  phaseRef.current = phase.kind;

  // The bridge: `netready:ready` at once, starts from the allowed host, resize messages as the content changes.
  useEffect(() => {
    const bridge = createEmbedBridge(window as unknown as BridgeWindow, {
      allowedOrigins,
      targets,
      onStart: (start) => {
        if (phaseRef.current === 'running' || phaseRef.current === 'asking') {
          bridge.post({ type: 'netready:error', code: 'busy', message: 'a check is already running; wait for its netready:result' });
          return;
        }
        if (start.theme) setTheme((current) => ({ mode: start.theme?.mode ?? current.mode, ...((start.theme?.accent ?? current.accent) ? { accent: start.theme?.accent ?? current.accent } : {}) }));
        if (start.locale) setLocale(pickLocale(start.locale));
        begin(start);
      },
    });
    bridgeRef.current = bridge;
    bridge.post({ type: 'netready:ready', plans: [...EMBED_PLANS], locales: Object.keys(EMBED_LOCALES), targets });
    let lastHeight = 0;
    const observer = new ResizeObserver(() => {
      const height = Math.ceil(rootRef.current?.getBoundingClientRect().height ?? 0);
      if (height > 0 && height !== lastHeight) {
        lastHeight = height;
        bridge.post({ type: 'netready:resize', height });
      }
    });
    if (rootRef.current) observer.observe(rootRef.current);
    if (initial.autostart) begin(lastStartRef.current);
    return () => {
      observer.disconnect();
      bridge.close();
      bridgeRef.current = null;
      controllerRef.current?.abort();
    };
    // Once per page: a later prop change must not restart the bridge or a run.
  }, []);

  // The verdict takes focus only when the check has it: a person typing in the host's page keeps their place.
  useEffect(() => {
    if (phase.kind === 'finished' && document.hasFocus()) document.getElementById('embed-verdict')?.focus();
  }, [phase.kind]);

  // The page around the check: transparent in a frame (the host's page shows, the check draws its own box), the theme's
  // background when /embed is opened alone. Set on <html>/<body> through the CSSOM here rather than with a `:has()` rule
  // in CSS: a `body:has(…)` selector makes Chromium re-check the whole document's style on every change in it, which on
  // the runner page (`/`, same stylesheet) costs the measurement stream main-thread time ten times a second.
  // With `auto` it follows the system while the page is open, as the check's own colours do (CSS media query).
  useEffect(() => {
    const system = window.matchMedia('(prefers-color-scheme: dark)');
    const paint = (): void => {
      const dark = theme.mode === 'dark' || (theme.mode === 'auto' && system.matches);
      document.body.style.background = 'transparent';
      document.documentElement.style.background = window.parent !== window ? 'transparent' : dark ? '#0f172a' : '#ffffff';
    };
    paint();
    system.addEventListener('change', paint);
    return () => system.removeEventListener('change', paint);
  }, [theme.mode]);

  // The host's accent, set through the CSSOM (which CSP allows, unlike style attributes) whenever it changes.
  useEffect(() => {
    const root = rootRef.current;
    const current = accentColours(theme.accent);
    if (!root) return;
    if (current) {
      root.style.setProperty('--nr-accent', current.accent);
      root.style.setProperty('--nr-accent-ink', current.ink);
    } else {
      root.style.removeProperty('--nr-accent');
      root.style.removeProperty('--nr-accent-ink');
    }
  }, [theme.accent]);

  const createLink = async () => {
    if (phase.kind !== 'finished') return;
    setShare({ kind: 'posting' });
    const shared = await (await loadRunChunk()).shareForHost(phase.result);
    if ('url' in shared) {
      setPhase({ ...phase, shareUrl: shared.url });
      setShare({ kind: 'idle' });
    } else setShare({ kind: 'failed', message: shared.message });
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };

  const initialColours = accentColours(initial.accent);
  const total = progress.rows.length;
  const done = progress.rows.filter((row) => row.durationMs !== undefined).length;

  return (
    <div
      ref={rootRef}
      lang={locale}
      data-theme={theme.mode}
      className="nr-embed space-y-3 bg-white p-4 text-slate-900 nr-dark:bg-slate-900 nr-dark:text-slate-100"
    >
      {initialColours && (
        // First paint in the host's accent, before the script runs; validated #rrggbb only (lib/embed/theme.ts).
        <style nonce={styleNonce}>{`.nr-embed{--nr-accent:${initialColours.accent};--nr-accent-ink:${initialColours.ink}}`}</style>
      )}
      <main className="space-y-3">
        <h1 className="text-base font-semibold">{t.heading}</h1>

        {(phase.kind === 'idle' || phase.kind === 'failed') && (
          <div className="space-y-3">
            <p className={`text-sm ${MUTED}`}>{t.intro(Math.ceil(budgetMs / 1000))}</p>
            {phase.kind === 'failed' && (
              <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-950 nr-dark:border-red-700 nr-dark:bg-red-950 nr-dark:text-red-50">
                <p className="font-semibold">{t.failedTitle}</p>
                <p>
                  {t.failedBody} ({phase.message})
                </p>
              </div>
            )}
            <button type="button" className={ACCENT_BUTTON} onClick={() => begin(lastStartRef.current)}>
              {phase.kind === 'failed' ? t.tryAgain : lastStartRef.current.plan === 'deep' ? t.startDeep : t.start}
            </button>
          </div>
        )}

        {phase.kind === 'asking' && (
          <div className="space-y-2">
            <p className="flex items-center gap-2 text-sm">
              <SpinnerIcon /> {t.asking}
            </p>
            <button type="button" className={PLAIN_BUTTON} onClick={() => void run(lastStartRef.current, UNANSWERED)}>
              {t.runWithoutMicrophone}
            </button>
          </div>
        )}

        {phase.kind === 'running' && (
          <div className="space-y-2" aria-busy="true">
            <p className="flex items-center gap-2 text-sm font-semibold">
              <SpinnerIcon /> {t.running}
            </p>
            <div
              role="progressbar"
              aria-label={t.progressLabel}
              aria-valuemin={0}
              aria-valuemax={total || 1}
              aria-valuenow={done}
              className="h-2 overflow-hidden rounded-full bg-slate-200 nr-dark:bg-slate-700"
            >
              {/* Rendered only in the browser, so React sets the width through the CSSOM, which CSP allows. */}
              <div className="h-full rounded-full bg-(--nr-accent) transition-[width] motion-reduce:transition-none" style={{ width: `${total ? Math.round((done / total) * 100) : 0}%` }} />
            </div>
            <p className={`text-sm ${MUTED}`}>{total > 0 ? t.progress(done, total) : t.preparing}</p>
            {progress.connectivity && (
              <p className="text-sm" data-testid="embed-connectivity">
                <span className="font-semibold">{t.connectivity[progress.connectivity.verdict]}</span> <span className={MUTED}>{t.stillMeasuring}</span>
              </p>
            )}
          </div>
        )}

        {phase.kind === 'finished' && (
          <EmbedResult
            result={phase.result}
            t={t}
            shareUrl={phase.shareUrl}
            share={share}
            copied={copied}
            onCopy={copy}
            onShare={createLink}
            onRunAgain={() => begin(lastStartRef.current)}
          />
        )}
      </main>
      <p className="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
    </div>
  );
}

/** Props of EmbedResult. */
interface EmbedResultProps {
  result: Result;
  t: EmbedStrings;
  shareUrl: string | undefined;
  share: { kind: 'idle' | 'posting' } | { kind: 'failed'; message: string };
  copied: 'idle' | 'copied' | 'failed';
  onCopy(url: string): void;
  onShare(): void;
  onRunAgain(): void;
}

/** The verdict, the findings (title; detail and remediation on demand), and the actions. */
function EmbedResult({ result, t, shareUrl, share, copied, onCopy, onShare, onRunAgain }: EmbedResultProps) {
  const { box, Icon } = VERDICT_STYLE[result.verdict];
  return (
    <div className="space-y-3">
      <div className={`flex gap-3 rounded-lg border p-3 ${box}`}>
        <Icon className="mt-0.5 h-5 w-5 shrink-0" />
        <div>
          <h2 id="embed-verdict" tabIndex={-1} className="font-semibold" data-verdict={result.verdict}>
            {t.verdict[result.verdict].title}
          </h2>
          <p className="text-sm">
            {t.verdict[result.verdict].sentence} {t.tookSeconds((result.durationMs / 1000).toFixed(1))}
          </p>
        </div>
      </div>
      <section aria-labelledby="embed-findings" className="space-y-1">
        <h2 id="embed-findings" className="text-sm font-semibold">
          {t.findingsHeading}
        </h2>
        {result.findings.length === 0 ? (
          <p className={`text-sm ${MUTED}`}>{t.noFindings}</p>
        ) : (
          <ul className="space-y-1">
            {result.findings.map((finding) => (
              <FindingItem key={finding.code} finding={finding} t={t} />
            ))}
          </ul>
        )}
      </section>
      <div className="flex flex-wrap gap-2">
        <button type="button" className={PLAIN_BUTTON} onClick={onRunAgain}>
          <RefreshIcon /> {t.runAgain}
        </button>
        {!shareUrl && (
          <button type="button" className={PLAIN_BUTTON} onClick={onShare} disabled={share.kind === 'posting'}>
            {share.kind === 'posting' ? <SpinnerIcon /> : <LinkIcon />} {share.kind === 'posting' ? t.sharing : t.shareCreate}
          </button>
        )}
      </div>
      {share.kind === 'failed' && (
        <p role="alert" className="text-sm text-red-800 nr-dark:text-red-200">
          {t.shareFailed} {share.message}
        </p>
      )}
      {shareUrl && (
        <div className="space-y-1">
          <label htmlFor="embed-share-url" className="text-sm font-semibold">
            {t.shareLabel}
          </label>
          <p className={`text-xs ${MUTED}`}>{t.shareHint}</p>
          <div className="flex gap-2">
            <input
              id="embed-share-url"
              readOnly
              value={shareUrl}
              onFocus={(event) => event.currentTarget.select()}
              className="h-10 min-w-0 flex-1 rounded-lg border border-slate-300 bg-slate-50 px-2 font-mono text-xs text-slate-900 nr-dark:border-slate-600 nr-dark:bg-slate-800 nr-dark:text-slate-100"
            />
            <button type="button" className={PLAIN_BUTTON} onClick={() => onCopy(shareUrl)}>
              {copied === 'copied' ? <CheckIcon /> : <CopyIcon />} {copied === 'copied' ? t.copied : t.copy}
            </button>
          </div>
          {copied === 'failed' && <p className="text-xs">{t.copyFailed}</p>}
        </div>
      )}
    </div>
  );
}

/** One finding: severity and title; its detail and what to change behind a disclosure. */
function FindingItem({ finding, t }: { finding: Finding; t: EmbedStrings }) {
  const category = finding.category ?? 'network';
  // Deployment findings' English titles already end "… not your network"; the tag says it in the check's language.
  const tagged = category !== 'network' && !(t === EMBED_LOCALES.en && /not your network$/.test(finding.title));
  const tone =
    finding.severity === 'blocker'
      ? 'text-red-800 nr-dark:text-red-200'
      : finding.severity === 'warning'
        ? 'text-amber-900 nr-dark:text-amber-200'
        : 'text-slate-700 nr-dark:text-slate-300';
  return (
    <li className="rounded-lg border border-slate-200 nr-dark:border-slate-700" data-finding={finding.code}>
      <details>
        <summary className="cursor-pointer px-3 py-2 text-sm">
          <span className={`font-semibold ${tone}`}>{t.severity[finding.severity]}:</span> {finding.title}
          {tagged && <span className={`ml-1 text-xs ${MUTED}`}>({t.notYourNetwork[category]})</span>}
        </summary>
        <div className="space-y-1 px-3 pb-3 text-sm">
          <p>{finding.detail}</p>
          <p>
            <span className="font-semibold">{t.whatToDo}:</span> {finding.remediation}
          </p>
        </div>
      </details>
    </li>
  );
}
