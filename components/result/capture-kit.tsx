/**
 * "Capture it yourself" (issue 20): the filters, command lines and TLS key log steps to capture a run of this test in
 * Wireshark, built from the result by lib/capture-kit (pure), and the link to netready's Wireshark profile. Shown on
 * the runner's finished view and the share page (result-view.tsx); collapsed by default, and left out of print: it is
 * work to do at a computer, and it made the printed share page five pages longer. Every value is a React text node;
 * long lines scroll inside their box on a phone.
 */
import type { ReactNode } from 'react';
import { buildCaptureKit } from '../../lib/capture-kit/capture-kit';
import type { CaptureStep } from '../../lib/capture-kit/capture-commands';
import type { Result } from '../../lib/schema/result';
import { ChevronIcon, DownloadIcon } from '../ui/icons';
import { CopyTextButton } from './capture-kit-copy';

/** Props of CaptureKit. */
export interface CaptureKitProps {
  result: Result;
  /** The share page's id: the profile link then narrows its "netready session" button to this result's servers. */
  shareId?: string;
  /**
   * Placed beside the profile download: e.g. the share page's "Download the server's capture" link (issue 20, item 2),
   * so both captures are offered in one place.
   */
  serverCapture?: ReactNode;
}

const H3 = 'text-sm font-semibold text-slate-900';
const NOTE = 'text-xs leading-5 text-slate-600';

/** A line to copy: scrolls sideways inside its box, wraps in print. */
function Code({ code, label }: { code: string; label: string }) {
  return (
    <div className="mt-1 flex min-w-0 items-start gap-2">
      <pre
        className="min-w-0 flex-1 overflow-x-auto rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-xs leading-5 text-slate-900 print:overflow-visible print:break-all print:whitespace-pre-wrap"
        tabIndex={0}
        aria-label={label}
      >
        <code>{code}</code>
      </pre>
      <CopyTextButton text={code} label={`Copy: ${label}`} />
    </div>
  );
}

/** Numbered steps, each with its command. */
function Steps({ steps, label }: { steps: readonly CaptureStep[]; label: string }) {
  return (
    <ol className="mt-1 list-decimal space-y-2 pl-5 text-sm text-slate-800">
      {steps.map((step, i) => (
        <li key={i} className="min-w-0">
          <p>{step.text}</p>
          {step.command !== undefined && <Code code={step.command} label={`${label}, step ${i + 1}`} />}
        </li>
      ))}
    </ol>
  );
}

function portText(first: number, last: number): string {
  return first === last ? String(first) : `${first}–${last}`;
}

/** The kit, collapsed under one summary line. */
export function CaptureKit({ result, shareId, serverCapture }: CaptureKitProps) {
  const kit = buildCaptureKit(result, shareId);
  const { keyLog } = kit;
  return (
    <details className="group/capture rounded-xl border border-slate-200 bg-white print:hidden" data-testid="capture-kit">
      <summary className="flex cursor-pointer items-center gap-2 rounded-xl px-4 py-3 text-base font-semibold text-slate-900 select-none hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 [&::-webkit-details-marker]:hidden">
        <ChevronIcon className="h-4 w-4 shrink-0 transition-transform group-open/capture:rotate-90" />
        <span id="capture-kit-heading">Capture it yourself: Wireshark filters and commands</span>
      </summary>
      <div className="min-w-0 space-y-5 px-4 pb-4">
        <p className="text-sm text-slate-700">
          To see this test on the wire, run it again while capturing on this computer (or at the firewall), then open the capture in
          Wireshark. The filters below match the servers this run talked to.
        </p>

        <section aria-labelledby="capture-filter-heading" className="min-w-0">
          <h3 id="capture-filter-heading" className={H3}>
            Capture filter (dumpcap, tcpdump -f)
          </h3>
          <Code code={kit.captureFilter} label="Capture filter" />
          <ul className={`mt-2 list-disc space-y-1 pl-5 ${NOTE}`}>
            {[...kit.captureFilterNotes, ...kit.caveats].map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="display-filter-heading" className="min-w-0">
          <h3 id="display-filter-heading" className={H3}>
            Display filter (Wireshark)
          </h3>
          <Code code={kit.displayFilter} label="Display filter" />
          {kit.listenersFilter !== null && (
            <>
              <p className={`mt-2 ${NOTE}`}>Only netready’s own listeners, by port (when the server’s address carries other traffic, or on loopback):</p>
              <Code code={kit.listenersFilter} label="Display filter, netready's listeners" />
            </>
          )}
        </section>

        <section aria-labelledby="profile-heading" className="min-w-0">
          <h3 id="profile-heading" className={H3}>
            Wireshark profile
          </h3>
          <p className="mt-1 text-sm text-slate-700">
            Filter buttons for DNS, STUN/TURN, the proxy’s CONNECT, denoise, TLS Client Hellos, TCP retransmissions, ICMP “too
            big”, RTCP and this netready deployment; columns for delta time, TLS SNI and the STUN message type; colouring rules.
            Import it in Wireshark: Edit › Configuration Profiles › Import › from zip file.
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2 print:hidden">
            <a
              href={kit.profileHref}
              download
              className="inline-flex h-10 items-center gap-2 rounded-lg border border-slate-300 bg-white px-4 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
            >
              <DownloadIcon />
              Download the Wireshark profile
            </a>
            {serverCapture}
          </div>
        </section>

        <section aria-labelledby="capture-commands-heading" className="min-w-0 space-y-3">
          <h3 id="capture-commands-heading" className={H3}>
            Capture commands
          </h3>
          {kit.guides.map((guide) => (
            <div key={guide.os} className="min-w-0">
              <h4 className="text-sm font-medium text-slate-800">{guide.title}</h4>
              <Steps steps={guide.steps} label={guide.title} />
            </div>
          ))}
        </section>

        <section aria-labelledby="tls-keys-heading" className="min-w-0 space-y-3">
          <h3 id="tls-keys-heading" className={H3}>
            Decrypting HTTPS: {keyLog.browserName}’s TLS keys
          </h3>
          {keyLog.supported ? (
            <>
              <p className="text-sm text-slate-700">
                {keyLog.browserName} writes the keys of its TLS connections to the file named by the SSLKEYLOGFILE environment variable
                when it starts (Chrome, Edge and other Chromium browsers, and Firefox — ESR too — read it; Safari does not). With the
                key file, Wireshark decrypts the test page’s HTTPS and WebSocket requests. Anyone holding the file can decrypt
                everything the browser sent while it was set: delete it afterwards.
              </p>
              {keyLog.guides.map((guide) => (
                <div key={guide.os} className="min-w-0">
                  <h4 className="text-sm font-medium text-slate-800">{guide.title}</h4>
                  <Steps steps={guide.steps} label={`TLS keys, ${guide.title}`} />
                </div>
              ))}
              <div className="min-w-0">
                <h4 className="text-sm font-medium text-slate-800">In Wireshark</h4>
                <Steps steps={keyLog.wireshark} label="TLS keys in Wireshark" />
              </div>
            </>
          ) : (
            <p className="text-sm text-slate-700">
              Safari (and every browser on iPhone and iPad, which all use Safari’s engine) cannot write its TLS keys: it has no
              SSLKEYLOGFILE. Capture anyway — the TLS handshakes with their server names, STUN, TURN and DNS are readable without
              keys — or run the test in Chrome, Edge or Firefox to decrypt HTTPS.
            </p>
          )}
        </section>

        <section aria-labelledby="run-servers-heading" className="min-w-0">
          <h3 id="run-servers-heading" className={H3}>
            What this run talked to
          </h3>
          <div className="relative mt-1 overflow-x-auto print:overflow-visible" role="region" aria-labelledby="run-servers-heading" tabIndex={0}>
            <table className="w-full min-w-[30rem] border-collapse text-xs print:min-w-0">
              <thead>
                <tr>
                  <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
                    Transport
                  </th>
                  <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
                    Port
                  </th>
                  <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
                    What for
                  </th>
                  <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700">
                    Host
                  </th>
                </tr>
              </thead>
              <tbody>
                {kit.rows.map((row) => (
                  <tr key={`${row.transport}-${row.firstPort}`}>
                    <td className="border-b border-slate-100 px-2 py-1 align-top whitespace-nowrap text-slate-800">{row.transport}</td>
                    <td className="border-b border-slate-100 px-2 py-1 align-top font-mono whitespace-nowrap text-slate-800 tabular-nums">{portText(row.firstPort, row.lastPort)}</td>
                    <td className="border-b border-slate-100 px-2 py-1 align-top text-slate-800">{row.roles.join('; ')}</td>
                    <td className="border-b border-slate-100 px-2 py-1 align-top font-mono wrap-anywhere text-slate-800">{row.hosts.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul className={`mt-2 list-disc space-y-1 pl-5 ${NOTE}`}>
            {kit.rowNotes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>
      </div>
    </details>
  );
}
