/**
 * Rule `http-proxy`: web traffic from this network goes through an HTTP proxy or gateway (facts-proxy.ts scores
 * the signals; this rule fires at PROXY_DECISION.httpProxyMinScore). Calls are fine when UDP goes direct (info);
 * when it does not, everything — relays included — depends on the proxy (warning).
 */
import { PROXY_DECISION } from '../facts-proxy';
import type { Rule } from '../types';

/** http-proxy */
export const httpProxy: Rule = {
  code: 'http-proxy',
  explains: ['proxy-echo', 'proxy-paths'],
  evaluate(facts) {
    const proxy = facts.proxy;
    if (!proxy || proxy.score < PROXY_DECISION.httpProxyMinScore) return null;
    const direct = facts.stun.mediaPortReached;
    const via = proxy.proxyHeaders.find(([name]) => name.toLowerCase() === 'via')?.[1];
    return {
      code: 'http-proxy',
      severity: direct ? 'info' : 'warning',
      title: 'Web traffic goes through a proxy',
      detail:
        `This network sends web requests through a proxy${via ? ` (it identifies itself as "${via}")` : ''}: ${proxy.signals.map((s) => s.summary).join('; ')}. ` +
        (direct
          ? 'Audio and video still take the direct UDP path, so calls are not affected; only the web parts of the meeting app (sign-in, chat, signalling) pass the proxy.'
          : 'Without direct UDP, calls can only connect through a relay over TCP or TLS, and those connections must pass the proxy too: expect more delay, and no call at all if the proxy does not allow them.'),
      remediation:
        'Let the conferencing provider\'s domains bypass the proxy (a PAC-file exception or a direct-route rule), and allow outbound UDP to their media servers. ' +
        'If traffic must use the proxy, make sure it allows CONNECT to port 443 of the provider\'s relay servers and passes WebSocket upgrades.',
      evidence: proxy.signals.flatMap((s) => s.evidence),
    };
  },
};
