/**
 * Words and ordering for showing a Result: verdict copy, severity order, duration and time formats (probe titles:
 * ./probe-title.ts). Deterministic (no locale or time zone of the machine), so server and browser render the same text.
 */
import type { Finding, Severity, Verdict } from '../../lib/schema/result';

/** How each verdict is presented: headline, one explaining sentence, colour tone. */
export const VERDICT_COPY: Record<Verdict, { title: string; sentence: string; tone: 'green' | 'amber' | 'red' | 'grey' }> = {
  ready: {
    title: 'Ready for calls',
    sentence: 'Your network lets audio and video through directly. Calls should connect quickly and sound clear.',
    tone: 'green',
  },
  degraded: {
    title: 'Calls will work, with limitations',
    sentence:
      'Calls can connect, but only through a fallback path, which can add delay or lower quality. The findings below tell your IT team what to change.',
    tone: 'amber',
  },
  blocked: {
    title: 'Calls will not connect',
    sentence: 'Your network blocks every path that audio and video need. Send this result to your IT team: the findings say what to open.',
    tone: 'red',
  },
  inconclusive: {
    title: 'Could not complete the test',
    sentence: 'The test servers could not be reached, so nothing can be said about calls yet. Check your connection and run the test again.',
    tone: 'grey',
  },
};

/**
 * Issue 18: the sentence under "Could not complete the test" when the browser, not the connection, is why — the
 * default sentence ("check your connection") would send the person after their network. By finding code.
 */
export const INCONCLUSIVE_BECAUSE: Readonly<Record<string, string>> = {
  'webrtc-unavailable': 'This browser has WebRTC switched off or missing, so no call connection could be tried. Your network was not tested; what to change is below.',
  'probe-on-loopback': 'netready was opened on a loopback address that this browser does not use for calls, so no call connection could be tried. Your network was not tested; how to open it instead is below.',
};

/** Whether a finding is about the network (absent category: results from before the field existed). */
export function isNetworkFinding(finding: Finding): boolean {
  return (finding.category ?? 'network') === 'network';
}

/** A short tag for findings that are not about the network, so nobody sends them to the network's admin. */
export const CATEGORY_TAG: Readonly<Record<'deployment' | 'browser', string>> = {
  deployment: 'netready set-up — not your network',
  browser: 'this browser — not your network',
};

/** Severity words. */
export const SEVERITY_LABEL: Record<Severity, string> = { blocker: 'Blocker', warning: 'Warning', info: 'Note' };

/** Findings in display order (lib/schema/finding-order.ts). */
export { sortFindings } from '../../lib/schema/finding-order';

/** Formats milliseconds for people (./format-duration.ts, apart so the live progress needs nothing else of this file). */
export { formatDuration } from './format-duration';

/** Formats an ISO timestamp as "2025-11-25 09:14:03 UTC" (UTC so the share page reads the same everywhere). */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * Plain words on what a proxy or TLS inspection means for a call, shown under those findings — the finding says
 * what was seen; this says why a person should care.
 */
export const CALL_IMPACT: Readonly<Record<string, string>> = {
  'http-proxy':
    'A proxy is a go-between that your company\'s network sends web traffic through. Calls work best when their audio and video skip it and travel directly; when they have to pass the proxy, they arrive later and can stutter, and the call fails if the proxy does not let them through.',
  'tls-interception':
    'TLS inspection means a security device opens your encrypted connections to look inside, then re-encrypts them. Meeting apps notice the swapped certificate or cannot get their call traffic through it, so joining can fail or audio and video can be missing.',
  'websocket-blocked':
    'A WebSocket is the always-open line a meeting app uses to ring, join and keep a call in sync. If the network blocks it, the app may never get into the meeting even though web pages load fine.',
  'proxy-auth-required':
    'The proxy wants a user name and password before it lets traffic through. For web pages the browser can ask you or sign in for you, but a call\'s audio and video connections cannot ask: they get through only if the browser has already signed in — so calls can fail while web pages work.',
  'probe-certificate-untrusted':
    'Nothing for your calls: meeting services use certificates every browser already trusts. Only this test could not check its secure connections, so those checks are shown as not tested.',
  'dns-lookup-failed':
    'Before an app can connect to a server it has to look up the server\'s name. If new names cannot be looked up, the meeting app cannot find its servers, or finds them only after long delays.',
  'probe-https-blocked':
    'Meeting apps load, sign in and signal over secure web connections. If those stall or are refused on the way to a server, the app cannot use that server.',
  'low-bandwidth':
    'Video needs a steady stream of data each way. On a narrow link the meeting app lowers the picture quality, freezes video, or turns it off so that audio keeps working.',
  'probe-server-overloaded':
    'Nothing about your network: netready\'s own test server was busy, so it could not tell how much your connection carries. Delay, jitter and loss were still measured.',
};
