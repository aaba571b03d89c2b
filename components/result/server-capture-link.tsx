/**
 * "Download the probe server's capture (pcapng)" on the result and share pages (issue 20): the test server's own
 * record of this run's packets, for Wireshark. Rendered only when the result recorded a capture URL of the probe
 * API's shape (server-capture-link-model.ts); no JavaScript needed. Not printed: a download is no use on paper.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { DownloadIcon } from '../ui/icons';
import { serverCaptureUrl } from './server-capture-link-model';

/** The download link with what the file holds and who can fetch it; nothing when the run has no server capture. */
export function ServerCaptureLink({ probes }: { probes: Readonly<Record<string, ProbeOutcome>> }) {
  const url = serverCaptureUrl(probes);
  if (!url) return null;
  return (
    <section aria-labelledby="server-capture-title" className="rounded-xl border border-slate-200 bg-white p-4 print:hidden">
      <h2 id="server-capture-title" className="text-base font-semibold text-slate-900">
        The test server&apos;s side of the capture
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        What netready&apos;s test server received from this browser and sent back during the run, as a packet capture that
        opens in Wireshark: the STUN and TURN messages, relayed packets (the first 256 bytes of each), the DNS queries for the
        test&apos;s names, the TLS ClientHello and the plain-HTTP requests, each with its real addresses, ports and time and a
        comment naming the server. Compare it with a capture taken on the client&apos;s side to see what was lost or changed
        on the way.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        {/* The secondary button's look, but its long label may wrap on a phone instead of overflowing (no fixed height). */}
        <a
          href={url}
          download
          className="inline-flex min-h-10 items-center gap-2 rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 active:bg-slate-100"
        >
          <DownloadIcon className="h-4 w-4 shrink-0" />
          Download the probe server&apos;s capture (pcapng)
        </a>
        <span className="text-xs text-slate-600">Usually 100–250 KB; never more than the server&apos;s limit (1 MB by default).</span>
      </div>
      <p className="mt-2 text-xs text-slate-600">
        It holds this test&apos;s real IP addresses: anyone with this result&apos;s link can download it, for as long as the
        result is kept. It has no packets the server never saw (anything a firewall dropped on the way), nothing from inside
        encrypted connections, and no anonymous STUN requests that could not be tied to this test.
      </p>
    </section>
  );
}
