/**
 * Issue 18: which browser ran the test, and what its answers mean for a meeting held elsewhere. Many people join from
 * a desktop app (Teams, Zoom, Webex …), not from the browser they tested in: the network's answers carry over, the
 * browser's own do not. Plain text only (results come from share links).
 */
import type { Result } from '../../lib/schema/result';

/** "Firefox 153 on Linux", "Chrome 156 on Windows 10", or undefined when the User-Agent told neither. */
export function browserName(client: Result['client']): string | undefined {
  const browser = [client.browser, client.browserVersion?.split('.')[0]].filter(Boolean).join(' ');
  const os = [client.os, client.osVersion].filter(Boolean).join(' ');
  return [browser, os].filter(Boolean).join(' on ') || undefined;
}

/** The codes of the findings that are about this browser rather than the network (category `browser`). */
function browserFindings(result: Result): string[] {
  return result.findings.filter((f) => f.category === 'browser').map((f) => f.code);
}

/** The paragraph under "About this run": tested in which browser, and what carries over to a desktop app. */
export function BrowserScope({ result }: { result: Result }) {
  const own = browserFindings(result);
  return (
    <div className="mt-3 border-t border-slate-100 pt-3 text-sm leading-6 text-slate-700">
      <p>
        Tested in <span className="font-medium text-slate-900">{browserName(result.client) ?? 'an unknown browser'}</span>. If your meetings run
        in a desktop app instead, most of this result still applies to it: which ports and protocols get out, proxies and
        TLS inspection on the way, DNS, packet sizes, NAT, delay and loss are properties of the network.
      </p>
      <p className="mt-1">
        What does not carry over: this browser&apos;s own settings and policies
        {own.length > 0 ? (
          <>
            {' '}(here:{' '}
            {own.map((code, i) => (
              <span key={code}>
                {i > 0 && ', '}
                <code className="font-mono text-xs">{code}</code>
              </span>
            ))}
            )
          </>
        ) : null}
        , the proxy it was told to use (an app may use the system proxy, its own, or none), and which network interface
        or VPN route it picks — run the test in the browser you meet in, or ask the app&apos;s vendor how it connects.
      </p>
    </div>
  );
}
