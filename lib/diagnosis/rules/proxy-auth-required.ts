/**
 * Rule `proxy-auth-required`: a proxy on the way to netready's servers answered the browser's requests with
 * "407 Proxy Authentication Required" and the browser had no credentials it could use (facts-proxy.ts; only a
 * program driving the browser — the CLI — can see this). A meeting's relay connections over TCP/TLS pass the same
 * proxy and can only use credentials the browser already holds, so without a sign-in they are refused. Information
 * while UDP goes direct (calls do not need the proxy); a warning otherwise.
 */
import { DNS_LOOKUP_PROBE_ID } from '../../probes/dns-lookup';
import { DNS_VENDOR_HOSTS_PROBE_ID } from '../../probes/dns-vendor-hosts';
import { PROXY_AUTH_PROBE_ID } from '../../probes/proxy-auth';
import { WEBSOCKET_PROBE_ID } from '../../probes/websocket';
import type { Rule } from '../types';

/**
 * Web requests a proxy refuses without a sign-in fail as plain network errors in the page; when the proxy asked for
 * credentials, that is what explains these probes' failures.
 */
export const PROXY_SIGN_IN_PROBES: readonly string[] = [DNS_LOOKUP_PROBE_ID, WEBSOCKET_PROBE_ID, DNS_VENDOR_HOSTS_PROBE_ID];

/** How admins write the schemes Chromium reports in lower case. */
const SCHEME_NAMES: Readonly<Record<string, string>> = { basic: 'Basic', digest: 'Digest', ntlm: 'NTLM', negotiate: 'Negotiate (Kerberos)' };

/** proxy-auth-required */
export const proxyAuthRequired: Rule = {
  code: 'proxy-auth-required',
  evaluate(facts) {
    const auth = facts.proxyAuth;
    if (!auth || auth.challenges.length === 0) return null;
    const direct = facts.stun.mediaPortReached;
    const proxies = [...new Set(auth.challenges.map((c) => c.proxy))];
    const how = [...new Set(auth.challenges.map((c) => `${SCHEME_NAMES[c.scheme] ?? c.scheme}${c.realm ? `, realm "${c.realm}"` : ''}`))];
    const failedRelays = (['tcp', 'tls'] as const).filter((t) => facts.turn[t].ran && !facts.turn[t].carriesData && !facts.turn[t].inconclusive);
    return {
      code: 'proxy-auth-required',
      severity: direct ? 'info' : 'warning',
      title: 'The proxy asks for a sign-in before it lets traffic through',
      detail:
        `The proxy ${proxies.join(' and ')} answered ${auth.challengedRequests} of this browser's requests to the test servers with ` +
        `"407 Proxy Authentication Required" (sign-in: ${how.join('; ')}), and the browser had no credentials it could use. ` +
        'The relay connections that carry a call\'s audio and video cannot ask for a sign-in; they only reuse credentials the browser already holds. ' +
        (direct
          ? 'Calls here still take the direct UDP path, so only the web parts of a meeting app and its fallback relays depend on the sign-in.'
          : failedRelays.length > 0
            ? `Without direct UDP every call has to pass this proxy, and the relays over ${failedRelays.map((t) => t.toUpperCase()).join(' and ')} did not get through.`
            : 'Without direct UDP every call has to pass this proxy.'),
      remediation:
        'Exempt the conferencing provider\'s domains and relay servers (TURN over TCP/TLS, port 443) from proxy authentication, or let them bypass the proxy ' +
        '(a PAC-file exception or a direct-route rule). If the proxy must authenticate them, use a scheme browsers answer without asking ' +
        '(Kerberos/Negotiate with single sign-on) so the credentials are in place before a call starts.',
      evidence: auth.evidence,
      probes: [
        PROXY_AUTH_PROBE_ID,
        ...PROXY_SIGN_IN_PROBES.filter((id) => facts.outcomes[id]?.status === 'fail' || facts.outcomes[id]?.status === 'warn'),
      ],
    };
  },
};
