/**
 * Rule `probe-https-blocked`: secure (HTTPS/TLS) connections to netready's test server did not complete, although
 * the plain-HTTP session with the same server worked and the browser does trust netready's certificate (or that
 * could not be the cause: the server saw no rejection). So something between stops or breaks TCP/TLS to that port:
 * a firewall that allows only some ports, or a path that drops large packets (the TLS handshake's first packets are
 * the largest a page sends — an MTU black hole). The checks that need it (TLS inspection, secure WebSockets, DNS
 * timing) could not run. A warning when the port is 443 (what meeting services use), information otherwise.
 */
import { DNS_LOOKUP_PROBE_ID } from '../../probes/dns-lookup';
import { TLS_MIRROR_PROBE_ID, type TlsMirrorData } from '../../probes/tls-mirror';
import { WEBSOCKET_PROBE_ID } from '../../probes/websocket';
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';
import { blackholeSentence } from '../facts-mtu';

function endpointOf(url: string | undefined): { host: string; port: string } {
  try {
    const parsed = new URL(url ?? '');
    return { host: parsed.hostname, port: parsed.port || '443' };
  } catch {
    return { host: 'the test server', port: '443' };
  }
}

/** probe-https-blocked */
export const probeHttpsBlocked: Rule = {
  code: 'probe-https-blocked',
  evaluate(facts): Finding | null {
    const tls = facts.proxy?.tls;
    const mirror = facts.outcomes[TLS_MIRROR_PROBE_ID];
    if (!tls || tls.reached || !mirror || mirror.reclassified || !facts.session.ok) return null;
    if ((facts.proxyAuth?.challenges.length ?? 0) > 0 || facts.deployment.certificate.untrusted) return null;
    const data = mirror.data as Partial<TlsMirrorData>;
    // An HTTP error status is an answer: the port is open (something else is wrong and the mirror says so).
    if (typeof data.httpStatus === 'number') return null;
    const { host, port } = endpointOf(data.url);
    const timedOut = data.timedOut === true;
    const alsoFailed = [WEBSOCKET_PROBE_ID, DNS_LOOKUP_PROBE_ID].filter((id) => ['fail', 'warn'].includes(facts.outcomes[id]?.status ?? ''));
    // A stall with a measured MTU black hole is not a guess any more (the mtu probe lists these probes too).
    const mtuNote = timedOut ? blackholeSentence(facts.mtu) : null;
    return {
      code: 'probe-https-blocked',
      severity: port === '443' ? 'warning' : 'info',
      category: 'network',
      title: `Secure connections to the test server's port ${port} do not get through`,
      detail:
        `The browser's HTTPS request to ${host} port ${port} ${timedOut ? 'got no answer in time' : 'failed at once'}, while the plain-HTTP test session with the same server worked` +
        (facts.deployment.server.lost ? '' : ', and the server saw no certificate rejection from this browser') +
        '. ' +
        (mtuNote
          ? `${mtuNote} The TLS handshake's first packet is the largest a browser sends, so it never arrives. `
          : timedOut
            ? 'Either a firewall silently drops this port, or large packets are lost on the way (a VPN or tunnel with a smaller MTU whose "fragmentation needed" messages are blocked: the TLS handshake\'s first packet is the largest a browser sends). '
            : 'Something between refused or reset the connection. ') +
        'The checks that need it — TLS inspection, secure WebSockets, DNS timing — could not run.' +
        (port === '443' ? ' Meeting services use this port for everything.' : ` Meeting services use port 443, not ${port}, so this matters for the test more than for calls.`),
      remediation:
        `Allow outbound TCP to ${host} port ${port}. If it is allowed and connections still stall, check the MTU of VPNs and tunnels on the path and let ICMP "fragmentation needed" (type 3 code 4) through.`,
      evidence: mirror.evidence,
      probes: [TLS_MIRROR_PROBE_ID, ...alsoFailed],
    };
  },
};
