/**
 * Rule `websocket-blocked`: a WebSocket to netready's server failed while an ordinary request to the same host
 * and port worked — the network passes web requests but not the WebSocket upgrade. A failing `wss://` is a
 * warning (meeting apps signal over secure WebSockets); a failing `ws://` alone is info.
 */
import type { Rule } from '../types';

/** websocket-blocked */
export const websocketBlocked: Rule = {
  code: 'websocket-blocked',
  explains: ['websocket'],
  evaluate(facts) {
    const ws = facts.proxy?.websocket;
    if (!ws || (!ws.wssBlocked && !ws.wsBlocked)) return null;
    const failed = [ws.wssBlocked, ws.wsBlocked].filter((a) => a !== null);
    return {
      code: 'websocket-blocked',
      severity: ws.wssBlocked ? 'warning' : 'info',
      title: ws.wssBlocked ? 'Secure WebSocket connections are blocked' : 'Unencrypted WebSocket connections are blocked',
      detail:
        `Opening ${failed.map((a) => a.url).join(' and ')} failed, while normal web requests to the same server and port worked. ` +
        'Meeting apps keep a WebSocket open to exchange call set-up messages; when it cannot be opened, joining a meeting fails or hangs.' +
        (ws.wssBlocked ? '' : ' Secure WebSockets (wss://), which meeting apps use, did work.'),
      remediation:
        'Allow WebSocket upgrades (HTTP "Upgrade: websocket") through the proxy or firewall for the conferencing provider\'s domains, ' +
        'and exempt them from TLS inspection if it is in use.',
      evidence: ws.evidence,
    };
  },
};
