/**
 * Rule `webrtc-unavailable` (issue 18; a browser finding, never a network one): this browser has no WebRTC —
 * `RTCPeerConnection` is missing or its constructor throws. Enterprise policies, privacy extensions, Firefox's
 * `media.peerconnection.enabled` and many in-app web views do this. A blocker: no call can connect from this browser,
 * whatever the network. The WebRTC probes are reported as not tested (facts-browser.ts reclassifies them).
 */
import type { Rule } from '../types';
import { WEBRTC_UNAVAILABLE_CODE } from '../facts-browser';

/** webrtc-unavailable */
export const webrtcUnavailable: Rule = {
  code: WEBRTC_UNAVAILABLE_CODE,
  evaluate(facts) {
    const missing = facts.browser.webrtcUnavailable;
    if (!missing) return null;
    return {
      code: WEBRTC_UNAVAILABLE_CODE,
      severity: 'blocker',
      category: 'browser',
      title: 'WebRTC is switched off or missing in this browser — calls cannot connect from it',
      detail:
        `Browser-based meetings need WebRTC, and this browser does not offer it (${missing.error}). ` +
        'So none of the call-connection checks could run; they are shown as "not tested". This says nothing about your network: ' +
        'it is a setting of this browser, a policy set by whoever manages it, an extension, or an app that shows web pages without WebRTC.',
      remediation:
        'Chrome or Edge: open chrome://policy (edge://policy) and look for WebRtcIPHandlingPolicy or WebRtcLocalIpsAllowedUrls, and check extensions that block WebRTC ' +
        '("WebRTC Leak Prevent", "uBlock Origin: prevent WebRTC from leaking local IP addresses" and the like). ' +
        'Firefox: in about:config, media.peerconnection.enabled must be true; if it is locked, an enterprise policy (the Preferences policy, about:policies) sets it. ' +
        'If this page was opened inside another app (a mail or chat app\'s built-in browser), open it in your normal browser instead. ' +
        'Then ask whoever manages the browsers to allow WebRTC for meeting sites, or join meetings with the meeting service\'s desktop app, which does not depend on the browser.',
      evidence: missing.evidence,
      probes: missing.affectedProbes,
    };
  },
};
