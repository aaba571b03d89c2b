/**
 * Rule `dns-lookup-failed`: fresh names under netready's probe zone could not be fetched, while the same test
 * server answered HTTPS by its address — so the names did not resolve: the network's resolver does not look up
 * external names it has never seen (a resolver without Internet access, a DNS filter, a split-horizon server that
 * answers NXDOMAIN for everything outside the company). Meeting apps then cannot find their servers, or only after
 * long timeouts. Names that merely resolved slowly are `dns-slow`'s; a proxy that wanted a sign-in is
 * `proxy-auth-required`'s; HTTPS to the server failing as a whole is `probe-https-blocked`'s.
 */
import { DNS_LOOKUP_PROBE_ID } from '../../probes/dns-lookup';
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';

/** dns-lookup-failed */
export const dnsLookupFailed: Rule = {
  code: 'dns-lookup-failed',
  explains: [DNS_LOOKUP_PROBE_ID],
  evaluate(facts): Finding | null {
    const lookup = facts.dns?.lookup;
    if (!lookup || (facts.proxyAuth?.challenges.length ?? 0) > 0) return null;
    // HTTPS to the test server by address must work, or this is not about names at all (probe-https-blocked).
    if (facts.proxy?.tls && !facts.proxy.tls.reached) return null;
    // With some names answered, unanswered-in-time ones are dns-slow's ("some never finished"); with none, both count.
    const failed = lookup.answered === 0 ? lookup.failed + lookup.timedOut : lookup.failed;
    if (failed === 0) return null;
    const all = lookup.answered === 0;
    const how = [lookup.failed > 0 ? `${lookup.failed} failed at once` : '', all && lookup.timedOut > 0 ? `${lookup.timedOut} got no answer in time` : '']
      .filter(Boolean)
      .join(', ');
    return {
      code: 'dns-lookup-failed',
      severity: 'warning',
      category: 'network',
      title: all ? 'This network\'s DNS does not resolve new Internet names' : 'Some new Internet names could not be resolved',
      detail:
        `The browser could not fetch ${failed} of ${lookup.attempts} names under ${lookup.zone} that nobody had looked up before (${how}), ` +
        'while the same test server answered over HTTPS when reached by its address. So the names themselves could not be resolved. ' +
        'Meeting apps look up their servers by name (signalling, relays, media, content delivery); when a lookup fails they cannot connect, or only after long timeouts.',
      remediation:
        'Check the DNS resolver this network hands out: it must resolve external names (forward to the Internet or to a resolver that does), ' +
        'and must not filter or rewrite the conferencing provider\'s domains. If only a proxy may resolve names, make the browser and the meeting app ' +
        'send all web traffic through that proxy (PAC file), and know that WebRTC\'s own lookups of relay servers will still fail.',
      evidence: lookup.evidence,
    };
  },
};
