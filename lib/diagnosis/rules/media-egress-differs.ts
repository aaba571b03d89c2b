/**
 * Rule `media-egress-differs` (issue 11, information): netready's web server and its STUN server saw this browser come
 * from different addresses of the same IP family, and no proxy explains it. That is what a split-tunnel VPN does (web
 * traffic one way, audio and video the other), or a firewall with several public addresses. Without media
 * permission the browser shows only its default route, so which interface carries the call is not known: the deep
 * check ("Also check every network interface") tells, and then `vpn-path` replaces this finding where it applies.
 */
import type { Finding } from '../../schema/result';
import { PROXY_DECISION } from '../facts-proxy';
import type { Rule } from '../types';

/** media-egress-differs */
export const mediaEgressDiffers: Rule = {
  code: 'media-egress-differs',
  evaluate(facts): Finding | null {
    const paths = facts.paths;
    if (!paths.egressDiffers || paths.detour || !paths.httpEgress) return null;
    if ((facts.proxy?.score ?? 0) >= PROXY_DECISION.httpProxyMinScore) return null;
    const media = paths.enumeration === 'all' ? paths.networks.find((n) => n.selected)?.egress : (paths.selected?.egress ?? paths.stunEgress[0]);
    const deep = paths.enumeration === 'all';
    return {
      code: 'media-egress-differs',
      severity: 'info',
      category: 'network',
      title: 'Calls and web traffic leave your network from different addresses',
      detail:
        `netready's web server saw this browser come from ${paths.httpEgress}, its media servers from ${media ?? paths.stunEgress.join(', ')}. ` +
        'That is what a VPN with split tunnelling does — web traffic directly, audio and video through the tunnel, or the other way round — or a firewall that uses several public addresses. ' +
        (deep
          ? 'The interface check found no other interface that reaches netready from the web traffic\'s address, so there is no detour to avoid.'
          : 'Without microphone permission the browser shows a page only its default network path, so which interface the call uses is not known yet.'),
      remediation: deep
        ? 'Nothing to change for calls. If a VPN is connected and calls should not use it, check its split-tunnel settings for the meeting service\'s media ranges.'
        : 'Run the test again with "Also check every network interface" to see which interface and path the call takes. If a VPN is connected, check whether its split-tunnel settings should send the meeting service\'s media directly.',
      evidence: paths.evidence,
    };
  },
};
