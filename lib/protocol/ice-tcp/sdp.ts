/**
 * The SDP edits that put netready's passive ICE-TCP endpoint into a media-peer answer (RFC 6544 §4.5 candidate
 * syntax, RFC 8839 attributes). Pure text functions on whole SDP documents; the media peer itself is untouched.
 */

/** The ICE credentials of an SDP's first media section (RFC 8839 §5.4). */
export interface SdpIceCredentials {
  ufrag: string;
  password: string;
}

function lines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.length > 0);
}

function join(sdpLines: string[]): string {
  return `${sdpLines.join('\r\n')}\r\n`;
}

/**
 * The offer without any remote candidate (`a=candidate`, `a=end-of-candidates`): for an ICE-TCP-only answer the
 * media peer must not reach the browser's UDP candidates itself — its only way to the browser is then the
 * peer-reflexive candidate the ICE-TCP endpoint's datagrams create, so the pair that succeeds is the TCP one.
 */
export function withoutRemoteCandidates(offerSdp: string): string {
  return join(lines(offerSdp).filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates'));
}

/** `a=ice-ufrag` and `a=ice-pwd` of an SDP, or null when either is missing. */
export function readIceCredentials(sdp: string): SdpIceCredentials | null {
  const all = lines(sdp);
  const ufrag = all.find((line) => line.startsWith('a=ice-ufrag:'))?.slice('a=ice-ufrag:'.length);
  const password = all.find((line) => line.startsWith('a=ice-pwd:'))?.slice('a=ice-pwd:'.length);
  return ufrag && password ? { ufrag, password } : null;
}

/** Port of the first UDP host candidate of an SDP (the media peer's socket), or null. */
export function udpHostCandidatePort(sdp: string): number | null {
  for (const line of lines(sdp)) {
    if (!line.startsWith('a=candidate:')) continue;
    const fields = line.split(' ');
    if (fields[2]?.toLowerCase() === 'udp' && fields[7] === 'host') {
      const port = Number(fields[5]);
      if (Number.isInteger(port) && port > 0 && port <= 65535) return port;
    }
  }
  return null;
}

/**
 * RFC 6544 §4.2 priority of a passive host TCP candidate, component 1: type preference 126 (host); local
 * preference (2^13) × direction preference 4 (passive, for a host candidate §4.2 ranks active 6, passive 4,
 * S-O 2) + other preference 8191; component 1.
 */
export const PASSIVE_HOST_TCP_PRIORITY = 126 * 2 ** 24 + ((2 ** 13) * 4 + 8191) * 2 ** 8 + (256 - 1);

/** The RFC 6544 candidate line of a passive TCP endpoint. */
export function passiveTcpCandidateLine(ip: string, port: number): string {
  return `a=candidate:icetcp 1 tcp ${PASSIVE_HOST_TCP_PRIORITY} ${ip} ${port} typ host tcptype passive`;
}

/**
 * The answer with its candidates replaced by the single passive TCP candidate (and `a=end-of-candidates`, so the
 * browser waits for no other): a browser that connects with this answer can only do so over ICE-TCP.
 */
export function withOnlyPassiveTcpCandidate(answerSdp: string, ip: string, port: number): string {
  const out: string[] = [];
  let placed = false;
  for (const line of lines(answerSdp)) {
    if (line === 'a=end-of-candidates') continue;
    if (line.startsWith('a=candidate:')) {
      if (!placed) out.push(passiveTcpCandidateLine(ip, port), 'a=end-of-candidates');
      placed = true;
      continue;
    }
    out.push(line);
  }
  if (!placed) out.push(passiveTcpCandidateLine(ip, port), 'a=end-of-candidates');
  return join(out);
}
