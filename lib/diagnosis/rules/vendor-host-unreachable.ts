/**
 * Rule `vendor-host-unreachable`: one of the meeting vendor's own host names (config `targets[].hosts`) could not be
 * reached from this browser — its name did not resolve, or the connection or TLS handshake failed (the page cannot
 * tell which; the probe asks in no-cors mode, so missing CORS headers do not count). The meeting app needs those
 * hosts, so this is a warning even when netready's own servers work. A proxy that wanted a sign-in is
 * `proxy-auth-required`'s story.
 */
import { DNS_VENDOR_HOSTS_PROBE_ID, type VendorHostAttempt } from '../../probes/dns-vendor-hosts';
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';

/** vendor-host-unreachable */
export const vendorHostUnreachable: Rule = {
  code: 'vendor-host-unreachable',
  explains: [DNS_VENDOR_HOSTS_PROBE_ID],
  evaluate(facts): Finding | null {
    const outcome = facts.outcomes[DNS_VENDOR_HOSTS_PROBE_ID];
    if (!outcome || outcome.reclassified || (facts.proxyAuth?.challenges.length ?? 0) > 0) return null;
    const hosts = Array.isArray(outcome.data.hosts) ? (outcome.data.hosts as VendorHostAttempt[]) : [];
    const unreachable = hosts.filter((h) => h && typeof h.host === 'string' && !h.answered);
    if (unreachable.length === 0) return null;
    const names = unreachable.map((h) => `${h.host} (${h.target}${h.timedOut ? ', no answer in time' : ', failed'})`).join(', ');
    return {
      code: 'vendor-host-unreachable',
      severity: 'warning',
      category: 'network',
      title: `The meeting service's host${unreachable.length > 1 ? 's' : ''} ${unreachable.map((h) => h.host).join(', ')} cannot be reached`,
      detail:
        `This browser could not open https:// to ${names}. Any answer from the host would have counted, so the name did not resolve, ` +
        'or the connection or its TLS handshake was blocked on the way. The meeting app needs these hosts to sign in, signal and join calls.',
      remediation:
        'Allow outbound HTTPS (TCP 443) to these host names in the firewall and proxy, make sure this network\'s DNS resolves them, ' +
        'and exempt them from TLS inspection if the meeting app pins its certificates.',
      evidence: outcome.evidence.filter((e) => e.kind !== 'http'),
    };
  },
};
