/**
 * The embedded check's own words, per language (issue 14: the host's `locale`). Finding titles and remediation come
 * from the diagnosis and stay English; hosts that show their own words decide by the finding `code`.
 */
import type { ProbeStatus, Verdict } from '../../lib/schema/result';

/** Every string of the compact check. */
export interface EmbedStrings {
  heading: string;
  intro: (seconds: number) => string;
  start: string;
  startDeep: string;
  running: string;
  asking: string;
  runWithoutMicrophone: string;
  preparing: string;
  progress: (done: number, total: number) => string;
  progressLabel: string;
  connectivity: Record<Verdict, string>;
  stillMeasuring: string;
  verdict: Record<Verdict, { title: string; sentence: string }>;
  findingsHeading: string;
  noFindings: string;
  whatToDo: string;
  severity: Record<'blocker' | 'warning' | 'info', string>;
  notYourNetwork: Record<'deployment' | 'browser', string>;
  status: Record<ProbeStatus, string>;
  runAgain: string;
  tookSeconds: (seconds: string) => string;
  shareCreate: string;
  sharing: string;
  shareLabel: string;
  shareHint: string;
  shareFailed: string;
  copy: string;
  copied: string;
  copyFailed: string;
  failedTitle: string;
  failedBody: string;
  tryAgain: string;
  /** Announced to screen readers. */
  started: string;
  finished: (title: string) => string;
}

const EN: EmbedStrings = {
  heading: 'Check your connection before the call',
  intro: (seconds) => `Tests whether your network lets calls through. Takes up to ${seconds} seconds; nothing to install.`,
  start: 'Start check',
  startDeep: 'Start check (asks for the microphone)',
  running: 'Checking…',
  asking: 'Answer your browser’s question about the microphone; the check starts right after.',
  runWithoutMicrophone: 'Check without the microphone',
  preparing: 'Preparing…',
  progress: (done, total) => `${done} of ${total} checks done`,
  progressLabel: 'Checks done',
  connectivity: {
    ready: 'Calls can connect directly.',
    degraded: 'Calls can connect, through a fallback path.',
    blocked: 'Calls cannot connect from this network.',
    inconclusive: 'The test server could not be reached.',
  },
  stillMeasuring: 'Still measuring call quality…',
  verdict: {
    ready: { title: 'Ready for calls', sentence: 'Your network lets audio and video through directly.' },
    degraded: { title: 'Calls will work, with limitations', sentence: 'Calls connect only through a fallback path, which can add delay or lower quality.' },
    blocked: { title: 'Calls will not connect', sentence: 'Your network blocks every path audio and video need. Send the result to your IT team.' },
    inconclusive: { title: 'Could not complete the check', sentence: 'The test could not reach its servers, so nothing can be said about calls yet.' },
  },
  findingsHeading: 'What the check found',
  noFindings: 'Nothing to fix.',
  whatToDo: 'What to change',
  severity: { blocker: 'Blocker', warning: 'Warning', info: 'Note' },
  notYourNetwork: { deployment: 'test set-up — not your network', browser: 'this browser — not your network' },
  status: { pass: 'passed', warn: 'warning', fail: 'failed', skipped: 'skipped', inconclusive: 'inconclusive' },
  runAgain: 'Check again',
  tookSeconds: (seconds) => `Took ${seconds} s.`,
  shareCreate: 'Get a link for support',
  sharing: 'Creating a link…',
  shareLabel: 'Link for support',
  shareHint: 'Anyone with this link can see this result.',
  shareFailed: 'No link was created.',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Copying is not allowed here: select the link and copy it.',
  failedTitle: 'The check could not finish.',
  failedBody: 'Check your connection and try again.',
  tryAgain: 'Try again',
  started: 'Check started.',
  finished: (title) => `Check finished: ${title}.`,
};

const DE: EmbedStrings = {
  heading: 'Verbindung vor dem Anruf prüfen',
  intro: (seconds) => `Prüft, ob Ihr Netzwerk Anrufe durchlässt. Dauert höchstens ${seconds} Sekunden; keine Installation.`,
  start: 'Prüfung starten',
  startDeep: 'Prüfung starten (fragt nach dem Mikrofon)',
  running: 'Wird geprüft…',
  asking: 'Beantworten Sie die Frage Ihres Browsers zum Mikrofon; die Prüfung beginnt gleich danach.',
  runWithoutMicrophone: 'Ohne Mikrofon prüfen',
  preparing: 'Wird vorbereitet…',
  progress: (done, total) => `${done} von ${total} Prüfungen erledigt`,
  progressLabel: 'Erledigte Prüfungen',
  connectivity: {
    ready: 'Anrufe kommen direkt zustande.',
    degraded: 'Anrufe kommen zustande, über einen Umweg.',
    blocked: 'Aus diesem Netzwerk kommen keine Anrufe zustande.',
    inconclusive: 'Der Testserver war nicht erreichbar.',
  },
  stillMeasuring: 'Die Anrufqualität wird noch gemessen…',
  verdict: {
    ready: { title: 'Bereit für Anrufe', sentence: 'Ihr Netzwerk lässt Audio und Video direkt durch.' },
    degraded: { title: 'Anrufe funktionieren, mit Einschränkungen', sentence: 'Anrufe laufen nur über einen Umweg, der Verzögerung oder schlechtere Qualität bringen kann.' },
    blocked: { title: 'Anrufe kommen nicht zustande', sentence: 'Ihr Netzwerk sperrt alle Wege für Audio und Video. Senden Sie das Ergebnis an Ihre IT.' },
    inconclusive: { title: 'Prüfung nicht abgeschlossen', sentence: 'Die Testserver waren nicht erreichbar; über Anrufe lässt sich noch nichts sagen.' },
  },
  findingsHeading: 'Was die Prüfung gefunden hat',
  noFindings: 'Nichts zu beheben.',
  whatToDo: 'Was zu ändern ist',
  severity: { blocker: 'Blockiert', warning: 'Warnung', info: 'Hinweis' },
  notYourNetwork: { deployment: 'Test-Einrichtung — nicht Ihr Netzwerk', browser: 'dieser Browser — nicht Ihr Netzwerk' },
  status: { pass: 'bestanden', warn: 'Warnung', fail: 'fehlgeschlagen', skipped: 'übersprungen', inconclusive: 'ohne Ergebnis' },
  runAgain: 'Erneut prüfen',
  tookSeconds: (seconds) => `Dauer: ${seconds} s.`,
  shareCreate: 'Link für den Support erstellen',
  sharing: 'Link wird erstellt…',
  shareLabel: 'Link für den Support',
  shareHint: 'Jeder mit diesem Link kann das Ergebnis sehen.',
  shareFailed: 'Es wurde kein Link erstellt.',
  copy: 'Kopieren',
  copied: 'Kopiert',
  copyFailed: 'Kopieren ist hier nicht erlaubt: Link markieren und selbst kopieren.',
  failedTitle: 'Die Prüfung konnte nicht abgeschlossen werden.',
  failedBody: 'Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  tryAgain: 'Erneut versuchen',
  started: 'Prüfung gestartet.',
  finished: (title) => `Prüfung beendet: ${title}.`,
};

/** The languages of the check's own words. */
export const EMBED_LOCALES: Readonly<Record<string, EmbedStrings>> = { en: EN, de: DE };

/** The supported language for a BCP 47 tag: exact, else its primary language, else English. */
export function pickLocale(requested: string | undefined): string {
  if (!requested) return 'en';
  const tag = requested.toLowerCase();
  if (EMBED_LOCALES[tag]) return tag;
  const language = tag.split('-')[0]!;
  return EMBED_LOCALES[language] ? language : 'en';
}
