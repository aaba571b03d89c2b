/**
 * Rule `tls-interception`: the TLS handshake netready's server received was not the one this browser makes —
 * something between them terminated TLS and opened its own connection (an inspecting proxy, a secure web
 * gateway, local security software). Fires at PROXY_DECISION.tlsInterceptionMinScore, only for a known browser
 * family (facts-proxy.ts). TURN over TLS cannot pass such a box (it does not speak TURN), so this is a warning.
 */
import { PROXY_DECISION } from '../facts-proxy';
import type { Rule } from '../types';

/** tls-interception */
export const tlsInterception: Rule = {
  code: 'tls-interception',
  explains: ['tls-mirror'],
  evaluate(facts) {
    const tls = facts.proxy?.tls;
    if (!tls?.comparison || tls.score < PROXY_DECISION.tlsInterceptionMinScore) return null;
    const { browser, missing, foreign } = tls.comparison;
    const seen: string[] = [];
    if (missing.length > 0) seen.push(`it lacked ${missing.map((m) => m.label).join(', ')}`);
    if (foreign.length > 0) seen.push(`it carried ${foreign.map((f) => f.label).join(', ')}, which ${browser.name} never sends`);
    if (tls.http1WhereH2Offered) seen.push(`the connection used ${tls.nextHopProtocol ?? tls.negotiatedAlpn ?? 'HTTP/1.1'} although the server offers HTTP/2`);
    return {
      code: 'tls-interception',
      severity: 'warning',
      title: 'Encrypted connections are being opened and inspected on the way',
      detail:
        `The test server at ${tls.endpoint} did not receive ${browser.name}'s own TLS handshake (JA4 ${tls.ja4 ?? 'unknown'}): ${seen.join('; ')}. ` +
        'A device or program between this computer and the internet decrypts HTTPS and re-encrypts it with its own certificate (TLS inspection). ' +
        'Meeting apps break under it: relay connections over TLS (TURN on port 443) cannot pass, and certificate checks of the app may fail.',
      remediation:
        `Exclude the conferencing provider's domains (and ${tls.endpoint.replace(/:\d+$/, '')}) from TLS inspection on the proxy or security gateway, ` +
        'and let TURN over TCP/TLS on port 443 to the provider\'s relay servers pass untouched (no decryption, no protocol enforcement).',
      evidence: [
        ...tls.evidence,
        {
          probe: 'tls-mirror',
          kind: 'tls-profile-mismatch',
          summary: `expected ${browser.name} ${browser.majorVersion || ''} (${browser.family}) features; missing: ${missing.map((m) => m.id).join(', ') || 'none'}; foreign: ${foreign.map((f) => f.label).join(', ') || 'none'}; score ${tls.score}`,
          data: { ja4: tls.ja4, missing, foreign, negotiatedAlpn: tls.negotiatedAlpn, nextHopProtocol: tls.nextHopProtocol, score: tls.score },
        },
      ],
    };
  },
};
