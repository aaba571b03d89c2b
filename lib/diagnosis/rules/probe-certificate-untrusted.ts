/**
 * Rule `probe-certificate-untrusted` (a deployment finding, never a network one): this browser does not trust the
 * certificate of netready's own test server, so TURN over TLS and the secure checks could not be made. The network
 * may be perfectly fine; the probes concerned are reported as not tested (facts-deployment.ts reclassifies them),
 * and the person is told how to fix netready's set-up — trust the development CA, or give netready a real
 * certificate.
 */
import { SERVER_VIEW_PROBE_ID } from '../../probes/server-view';
import type { Rule } from '../types';
import { CERTIFICATE_UNTRUSTED_CODE } from '../facts-deployment';

const WHAT_FAILS: Record<string, string> = {
  'turn-tls': 'the TURN relay over TLS',
  'tls-mirror': 'the TLS-inspection check',
  websocket: 'the secure WebSocket check',
  'dns-lookup': 'the DNS timing check (it fetches fresh names over HTTPS)',
};

/** probe-certificate-untrusted */
export const probeCertificateUntrusted: Rule = {
  code: CERTIFICATE_UNTRUSTED_CODE,
  evaluate(facts) {
    const cert = facts.deployment.certificate;
    if (!cert.untrusted) return null;
    const dev = cert.source === 'development';
    const untested = cert.affectedProbes.map((id) => WHAT_FAILS[id]).filter((w): w is string => Boolean(w));
    const seen =
      cert.basis === 'server-saw-rejection'
        ? `netready's test server saw this browser abort the secure connection with the TLS alert "${cert.rejections[0]?.alert ?? 'certificate_unknown'}" — the browser's way of saying it does not trust the certificate.`
        : 'The secure connections to netready\'s test server failed at once while the plain ones worked, and the server uses its own development certificate, which browsers do not trust until told to.';
    return {
      code: CERTIFICATE_UNTRUSTED_CODE,
      severity: 'warning',
      category: 'deployment',
      title: 'This browser does not trust the test server\'s certificate — a netready set-up issue, not your network',
      detail:
        `${seen} ` +
        (untested.length > 0 ? `So ${untested.join(', ')} could not be tested; they are shown as "not tested", not as network problems. ` : '') +
        (dev
          ? 'netready is running with a development certificate made on its first start (typical for a local installation).'
          : 'The certificate netready\'s server presents is not accepted by this browser (expired, issued for another name, an incomplete chain, or a private CA).'),
      remediation: dev
        ? 'On the computer running the browser, in the netready folder, run "npx netready trust" (undo with "npx netready untrust"), then restart the browser and run the test again. ' +
          'For a deployment other people use, give netready a real certificate instead: ACME (tls.acme) or your own files (tls.certFile / tls.keyFile), with probe.publicHost set to the name it covers.'
        : 'Check the certificate configured for netready (tls.certFile or ACME): it must be valid now, name the host in probe.publicHost, and include the intermediate certificates. ' +
          'If it comes from a private CA, that CA must be trusted on this computer.',
      evidence: cert.evidence,
      probes: [...cert.affectedProbes, ...(cert.basis === 'server-saw-rejection' ? [SERVER_VIEW_PROBE_ID] : [])],
    };
  },
};
