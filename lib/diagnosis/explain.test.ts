import { describe, expect, it } from 'vitest';
import { runFakeDeployment, type FakeNetwork, type FakeQualityKnob } from '../engine/testing/fake-deployment';
import type { Result } from '../schema/result';
import { explainOutcomes, UNEXPLAINED_CODE } from './explain';

/** Every probe that failed or warned, or was reclassified, with what explains it. */
function unexplainedIn(result: Result): string[] {
  return Object.entries(result.probes)
    .filter(([, o]) => (o.status === 'fail' || o.status === 'warn' || o.reclassified) && (!o.explainedBy || o.explainedBy.length === 0 || o.explainedBy.includes(UNEXPLAINED_CODE)))
    .map(([id]) => id);
}

/**
 * One row per failure mode of every probe that can end fail or warn: the network that causes it, the probe and the
 * status it must end with (proving the mode really happened), and the finding that must explain it.
 */
const FAILURE_MODES: Array<{ mode: string; network: FakeNetwork; probe: string; status: string; explainedBy: string; withQuality?: boolean }> = [
  { mode: 'session refused', network: { session: 'refused' }, probe: 'session', status: 'fail', explainedBy: 'server-unreachable' },
  { mode: 'session answered HTTP 500', network: { session: 'http-500' }, probe: 'session', status: 'fail', explainedBy: 'server-unreachable' },
  { mode: 'no UDP on any port', network: { stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay' } }, probe: 'stun-udp', status: 'fail', explainedBy: 'udp-blocked' },
  // Issue 16: with no UDP answer on any port, TURN over UDP is stopped early — its failure is implied, udp-blocked says it.
  { mode: 'TURN/UDP with UDP blocked', network: { stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay' } }, probe: 'turn-udp', status: 'skipped', explainedBy: 'udp-blocked' },
  { mode: 'UDP on some ports only', network: { stun: { turnPort: true, altPort: false } }, probe: 'stun-udp', status: 'warn', explainedBy: 'udp-ports-restricted' },
  { mode: 'TURN/UDP no relay while STUN works', network: { turn: { udp: 'no-relay' } }, probe: 'turn-udp', status: 'fail', explainedBy: 'turn-udp-failed' },
  { mode: 'TURN/TCP relay without data', network: { turn: { tcp: 'no-data' } }, probe: 'turn-tcp', status: 'warn', explainedBy: 'turn-tcp-failed' },
  { mode: 'TURN/TCP connection failed (701)', network: { turn: { tcp: 'connect-failed' } }, probe: 'turn-tcp', status: 'fail', explainedBy: 'turn-tcp-failed' },
  { mode: 'TURN/TLS no relay', network: { turn: { tls: 'no-relay' } }, probe: 'turn-tls', status: 'fail', explainedBy: 'turn-tls-failed' },
  {
    mode: 'TURN/TLS rejected certificate (server saw the alert)',
    network: { turn: { tls: 'connect-failed' }, certificateRejectedOn: ['turn-tls'] },
    probe: 'turn-tls',
    status: 'inconclusive',
    explainedBy: 'probe-certificate-untrusted',
  },
  {
    mode: 'dev certificate, server view missing, HTTPS failing at once',
    network: { certificate: 'development', mirror: 'fails', turn: { tls: 'connect-failed' }, websocket: { wss: 'refused' }, dnsLookup: 'all-fail', serverView: 'restarted' },
    probe: 'dns-lookup',
    status: 'inconclusive',
    explainedBy: 'probe-certificate-untrusted',
  },
  { mode: 'quality stream loses every packet', network: { quality: 'no-echo' }, probe: 'media-quality', status: 'fail', explainedBy: 'packet-loss', withQuality: true },
  { mode: 'fresh names all fail while HTTPS works', network: { dnsLookup: 'all-fail' }, probe: 'dns-lookup', status: 'fail', explainedBy: 'dns-lookup-failed' },
  { mode: 'fresh names all time out while HTTPS works', network: { dnsLookup: 'all-time-out' }, probe: 'dns-lookup', status: 'fail', explainedBy: 'dns-lookup-failed' },
  { mode: 'one fresh name fails', network: { dnsLookup: 'one-fails' }, probe: 'dns-lookup', status: 'warn', explainedBy: 'dns-lookup-failed' },
  { mode: 'one fresh name never finishes', network: { dnsLookup: 'one-times-out' }, probe: 'dns-lookup', status: 'warn', explainedBy: 'dns-slow' },
  { mode: 'fresh names fail because HTTPS to the server fails', network: { dnsLookup: 'all-fail', mirror: 'times-out', websocket: { wss: 'silent' } }, probe: 'dns-lookup', status: 'fail', explainedBy: 'probe-https-blocked' },
  { mode: 'fresh names refused by a proxy that wants a sign-in', network: { dnsLookup: 'all-fail', proxyAuth: 'challenged' }, probe: 'dns-lookup', status: 'fail', explainedBy: 'proxy-auth-required' },
  { mode: 'TURN by name: lookup error', network: { turnByName: 'lookup-error' }, probe: 'dns-turn-lookup', status: 'warn', explainedBy: 'dns-turn-lookup-failed' },
  { mode: 'TURN by name: silent', network: { turnByName: 'silent' }, probe: 'dns-turn-lookup', status: 'warn', explainedBy: 'dns-turn-lookup-failed' },
  { mode: 'vendor host unreachable', network: { vendorHost: 'unreachable' }, probe: 'dns-vendor-hosts', status: 'warn', explainedBy: 'vendor-host-unreachable' },
  { mode: 'wss blocked while HTTPS works', network: { websocket: { wss: 'refused' } }, probe: 'websocket', status: 'warn', explainedBy: 'websocket-blocked' },
  { mode: 'ws blocked while HTTP works', network: { websocket: { ws: 'refused' } }, probe: 'websocket', status: 'warn', explainedBy: 'websocket-blocked' },
  { mode: 'wss fails with HTTPS to the server', network: { websocket: { wss: 'silent' }, mirror: 'times-out' }, probe: 'websocket', status: 'warn', explainedBy: 'probe-https-blocked' },
  { mode: 'proxy sign-in required', network: { proxyAuth: 'challenged' }, probe: 'proxy-auth', status: 'fail', explainedBy: 'proxy-auth-required' },
  { mode: 'server gone at the end of the run', network: { serverView: 'gone' }, probe: 'server-view', status: 'fail', explainedBy: 'server-unreachable' },
  { mode: 'server restarted during the run', network: { serverView: 'restarted' }, probe: 'server-view', status: 'fail', explainedBy: 'server-unreachable' },
  {
    mode: 'WebSockets failing while the server went away (HTTPS had worked before)',
    network: { serverView: 'gone', websocket: { wss: 'refused', ws: 'refused' } },
    probe: 'websocket',
    status: 'inconclusive',
    explainedBy: 'server-unreachable',
  },
  {
    mode: 'relays failing while the server went away',
    network: { serverView: 'gone', turn: { tcp: 'no-relay', tls: 'no-data' } },
    probe: 'turn-tcp',
    status: 'inconclusive',
    explainedBy: 'server-unreachable',
  },
  // ICE-TCP (issue 10).
  { mode: 'ICE-TCP: the browser gives up on the TCP connection', network: { iceTcp: 'refused' }, probe: 'ice-tcp', status: 'fail', explainedBy: 'ice-tcp-failed' },
  { mode: 'ICE-TCP: nothing comes back until the deadline', network: { iceTcp: 'silent' }, probe: 'ice-tcp', status: 'fail', explainedBy: 'ice-tcp-failed' },
  { mode: 'ICE-TCP: connected, no echo back', network: { iceTcp: 'no-data' }, probe: 'ice-tcp', status: 'warn', explainedBy: 'ice-tcp-failed' },
  { mode: 'ICE-TCP failing while the server went away', network: { serverView: 'gone', iceTcp: 'refused' }, probe: 'ice-tcp', status: 'inconclusive', explainedBy: 'server-unreachable' },
  // MTU ladder (issue 10): a black hole downstream, upstream and through TURN, dropped fragments, and the transports it explains.
  { mode: 'packets above 1280 bytes lost, no ICMP', network: { mtu: { largestBytes: 1280 } }, probe: 'mtu', status: 'warn', explainedBy: 'mtu-blackhole' },
  { mode: 'the largest DataChannel packet lost upstream', network: { mtu: { upstream: 'lost' } }, probe: 'mtu', status: 'warn', explainedBy: 'mtu-blackhole' },
  { mode: 'ladder ports blocked, TURN/UDP loses packets above 1400 bytes', network: { mtu: { ports: 'blocked', largestBytes: 1400 } }, probe: 'mtu', status: 'warn', explainedBy: 'mtu-blackhole' },
  { mode: 'IP fragments dropped', network: { mtu: { fragments: 'dropped' } }, probe: 'mtu', status: 'warn', explainedBy: 'ip-fragments-dropped' },
  { mode: 'TURN/TCP carries no data under an MTU black hole', network: { mtu: { largestBytes: 1280 }, turn: { tcp: 'no-data' } }, probe: 'turn-tcp', status: 'warn', explainedBy: 'mtu-blackhole' },
  // NAT behaviour (issue 11): a mapping that depends on the destination is the nat probe's only warn.
  { mode: 'NAT maps by destination address and port (symmetric)', network: { nat: { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' } }, probe: 'nat', status: 'warn', explainedBy: 'symmetric-nat' },
  { mode: 'NAT maps by destination address', network: { nat: { mapping: 'address-dependent', filtering: 'address-dependent' } }, probe: 'nat', status: 'warn', explainedBy: 'symmetric-nat' },
  // The browser and how netready was opened in it (issue 18): never a network finding.
  { mode: 'no RTCPeerConnection in this browser', network: { webrtc: 'missing' }, probe: 'stun-udp', status: 'inconclusive', explainedBy: 'webrtc-unavailable' },
  { mode: 'RTCPeerConnection throws (a policy)', network: { webrtc: 'throws' }, probe: 'turn-tcp', status: 'inconclusive', explainedBy: 'webrtc-unavailable' },
  { mode: 'netready on loopback, nothing gathered', network: { loopback: true }, probe: 'stun-udp', status: 'inconclusive', explainedBy: 'probe-on-loopback' },
  { mode: 'netready on loopback: the relays', network: { loopback: true }, probe: 'turn-tls', status: 'inconclusive', explainedBy: 'probe-on-loopback' },
  { mode: 'TURN/TLS by IP address not tried by this browser', network: { turn: { tls: 'not-tried' } }, probe: 'turn-tls', status: 'inconclusive', explainedBy: 'turn-tls-needs-hostname' },
];

describe('no silent failures', () => {
  it('leaves nothing unexplained on the open network', async () => {
    const result = await runFakeDeployment({});
    expect(result.verdict).toBe('ready');
    expect(result.findings).toEqual([]);
    const notPassed = Object.entries(result.probes).filter(([, o]) => o.status !== 'pass' && o.status !== 'skipped');
    expect(notPassed.map(([id, o]) => `${id}:${o.status}`)).toEqual([]);
  });

  it.each(FAILURE_MODES)('$probe ends $status and is explained by $explainedBy when: $mode', async ({ network, probe, status, explainedBy, withQuality }) => {
    const result = await runFakeDeployment(network, { withQuality: withQuality === true });
    expect(result.probes[probe]?.status).toBe(status);
    expect(result.probes[probe]?.explainedBy).toContain(explainedBy);
    expect(result.findings.find((f) => f.code === explainedBy)?.probes).toContain(probe);
    expect(unexplainedIn(result)).toEqual([]);
    expect(result.findings.map((f) => f.code)).not.toContain(UNEXPLAINED_CODE);
  });

  it('reports no MTU finding where the size is only smaller and an ICMP "fragmentation needed" came back', async () => {
    const result = await runFakeDeployment({ mtu: { largestBytes: 1480, icmp: 'learned' } });
    expect(result.probes.mtu?.status).toBe('pass');
    expect(result.findings.map((f) => f.code)).not.toContain('mtu-blackhole');
  });

  it('keeps the verdict ready with a symmetric NAT: the finding is information', async () => {
    const result = await runFakeDeployment({ nat: { mapping: 'address-and-port-dependent' } });
    expect(result.verdict).toBe('ready');
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([['symmetric-nat', 'info']]);
  });

  it('reports IPv6 as information only where the server offered it and nothing came back', async () => {
    const missing = await runFakeDeployment({ nat: { ipv6: 'unavailable' } });
    expect(missing.verdict).toBe('ready');
    expect(missing.probes.nat?.status).toBe('pass');
    expect(missing.findings.map((f) => [f.code, f.severity])).toEqual([['ipv6-unavailable', 'info']]);
    const present = await runFakeDeployment({ nat: { ipv6: 'available' } });
    expect(present.findings).toEqual([]);
    expect((present.probes.nat?.data as { ipv6?: { state: string } }).ipv6?.state).toBe('available');
  });

  it('derives no network finding from what failed because the server went away', async () => {
    const result = await runFakeDeployment({ serverView: 'gone', websocket: { wss: 'refused', ws: 'refused' }, turn: { tcp: 'no-relay' }, dnsLookup: 'all-fail' });
    expect(result.verdict).toBe('inconclusive');
    expect(result.findings.map((f) => f.code)).toEqual(['server-unreachable']);
  });

  it('names a failure no rule explains in the unexplained-failure finding instead of dropping it', () => {
    const { probes, findings } = explainOutcomes(
      {
        session: { status: 'pass', durationMs: 1, data: {}, evidence: [] },
        'new-probe': { status: 'fail', durationMs: 1, reason: 'something new broke', data: {}, evidence: [{ kind: 'x', summary: 'what it saw' }] },
      },
      [],
    );
    expect(probes['new-probe']?.explainedBy).toEqual([UNEXPLAINED_CODE]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: UNEXPLAINED_CODE, severity: 'info', probes: ['new-probe'] });
    expect(findings[0]?.detail).toContain('something new broke');
    expect(findings[0]?.evidence).toEqual([{ kind: 'x', summary: 'what it saw' }]);
  });
});

/**
 * The media-quality probe passes whenever it measured (it decides nothing); what it measured must still surface as
 * a finding, in per-direction words, and netready's own limits never as the network's ("never blame the network").
 */
const QUALITY_FINDINGS: Array<{ knob: FakeQualityKnob; findings: string[]; verdict: string; words?: string; category?: string }> = [
  { knob: 'works', findings: [], verdict: 'ready' },
  { knob: 'lossy-up', findings: ['packet-loss'], verdict: 'degraded', words: 'loss towards the server 10 % (4 of 40 packets), loss from the server 0 % (0 of 40 packets)' },
  { knob: 'lossy-down', findings: ['packet-loss'], verdict: 'degraded', words: 'loss towards the server 0 % (0 of 40 packets), loss from the server 10 % (4 of 40 packets)' },
  { knob: 'slow', findings: ['high-rtt'], verdict: 'degraded', words: 'about 1' },
  { knob: 'low-bandwidth', findings: ['low-bandwidth'], verdict: 'degraded', words: 'Not HD video' },
  { knob: 'server-overloaded', findings: ['probe-server-overloaded'], verdict: 'ready', words: '98 % of a CPU core', category: 'deployment' },
  { knob: 'server-busy', findings: ['probe-server-overloaded'], verdict: 'ready', words: 'refused the burst as busy', category: 'deployment' },
];

describe('quality findings, per direction, never blaming the network for netready', () => {
  it.each(QUALITY_FINDINGS)('quality "$knob" gives [$findings] and verdict $verdict', async ({ knob, findings, verdict, words, category }) => {
    const result = await runFakeDeployment({ quality: knob }, { withQuality: true });
    expect(result.probes['media-quality']?.status).toBe('pass');
    expect(result.findings.map((f) => f.code)).toEqual(findings);
    expect(result.verdict).toBe(verdict);
    if (words) expect(result.findings[0]?.detail).toContain(words);
    if (category) expect(result.findings[0]?.category).toBe(category);
    expect(unexplainedIn(result)).toEqual([]);
  });
});

/**
 * The interfaces probe (issue 11) records and never judges: it passes when a pair was selected and data flowed, and
 * otherwise ends `inconclusive` with its reason — never `fail`, since a blocked path is the transport probes' story —
 * so none of its ends can be a silent failure, and none raises a finding of its own. What it recorded can: the `deep`
 * network has ICE on a VPN-typed interface while Ethernet reaches netready too — the detour, `vpn-path`.
 */
const INTERFACES_ENDS: Array<{ end: string; network: FakeNetwork; status: string; reason?: RegExp; findings?: string[] }> = [
  { end: 'default mode, masked host candidates', network: {}, status: 'pass' },
  { end: 'deep check, every interface shown', network: { interfaces: 'deep', mediaAccess: { requested: true, state: 'granted' } }, status: 'pass', findings: ['vpn-path'] },
  { end: 'deep check denied', network: { mediaAccess: { requested: true, state: 'denied', error: 'NotAllowedError: Permission denied' } }, status: 'pass' },
  { end: 'no pair before the deadline', network: { interfaces: 'no-pair' }, status: 'inconclusive', reason: /No candidate pair .* was selected within \d+ ms/ },
  { end: 'ICE failed', network: { interfaces: 'ice-failed' }, status: 'inconclusive', reason: /ICE failed/ },
  { end: 'connected, no echo back', network: { interfaces: 'no-data' }, status: 'inconclusive', reason: /no echo came back/ },
  { end: 'the media peer refused the offer', network: { interfaces: 'signalling' }, status: 'inconclusive', reason: /could not start: the test server did not accept the media offer/ },
];

describe('the interfaces probe: every end explained, none a network finding', () => {
  it.each(INTERFACES_ENDS)('ends $status when: $end', async ({ network, status, reason, findings = [] }) => {
    const result = await runFakeDeployment(network);
    const outcome = result.probes.interfaces;
    expect(outcome?.status).toBe(status);
    if (reason) expect(outcome?.reason).toMatch(reason);
    expect(unexplainedIn(result)).toEqual([]);
    expect(result.findings.map((f) => f.code)).toEqual(findings);
    expect(result.verdict).toBe('ready');
  });
});

/**
 * Issue 18: the browser is part of the diagnosis. Without WebRTC, on loopback, or with TURN/TLS by IP address that the
 * browser does not try, the WebRTC probes say "not tested" and no network finding is derived from them.
 */
const NETWORK_FINDINGS = ['udp-blocked', 'udp-ports-restricted', 'turn-udp-failed', 'turn-tcp-failed', 'turn-tls-failed', 'relay-only', 'ice-tcp-failed', 'mtu-blackhole', 'ip-fragments-dropped', 'symmetric-nat', 'packet-loss'];
const WEBRTC_PROBE_IDS = ['stun-udp', 'turn-udp', 'turn-tcp', 'turn-tls', 'dns-turn-lookup', 'ice-tcp', 'mtu', 'nat', 'interfaces'];

describe('the browser and how netready was opened are never blamed on the network', () => {
  it.each(['missing', 'throws'] as const)('reports webrtc-unavailable as the only finding, verdict inconclusive, when RTCPeerConnection is %s', async (webrtc) => {
    const result = await runFakeDeployment({ webrtc });
    expect(result.verdict).toBe('inconclusive');
    expect(result.findings.map((f) => [f.code, f.severity, f.category])).toEqual([['webrtc-unavailable', 'blocker', 'browser']]);
    expect(result.client.webrtc?.peerConnection).toBe(false);
    for (const id of WEBRTC_PROBE_IDS) {
      expect(result.probes[id]?.status, id).toBe('inconclusive');
      expect(result.probes[id]?.reason, id).toMatch(/^Not tested: WebRTC is switched off or missing in this browser/);
      expect(result.probes[id]?.reason, id).not.toContain('could not run');
    }
    const text = `${result.findings[0]?.detail} ${result.findings[0]?.remediation}`;
    for (const words of ['WebRtcIPHandlingPolicy', 'WebRtcLocalIpsAllowedUrls', 'media.peerconnection.enabled', 'Preferences policy', 'desktop app']) expect(text).toContain(words);
    expect(unexplainedIn(result)).toEqual([]);
  });

  it('reports probe-on-loopback and no network finding when every STUN/TURN address is loopback and nothing was gathered', async () => {
    const result = await runFakeDeployment({ loopback: true });
    expect(result.verdict).toBe('inconclusive');
    expect(result.findings.map((f) => [f.code, f.category])).toEqual([['probe-on-loopback', 'deployment']]);
    expect(result.findings[0]?.remediation).toContain('probe.publicIp');
    for (const id of ['stun-udp', 'turn-udp', 'turn-tcp', 'turn-tls']) expect(result.probes[id]?.status, id).toBe('inconclusive');
    expect(unexplainedIn(result)).toEqual([]);
  });

  it('keeps a network that drops everything blocked: loopback is decided from addresses, not from failure alone', async () => {
    const result = await runFakeDeployment({ stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' }, iceTcp: 'refused' });
    expect(result.findings.map((f) => f.code)).toContain('udp-blocked');
    expect(result.findings.map((f) => f.code)).not.toContain('probe-on-loopback');
  });

  it('reports turn-tls-needs-hostname, not turn-tls-failed, when the browser ended gathering without trying an IP-literal turns: URL', async () => {
    const result = await runFakeDeployment({ turn: { tls: 'not-tried' } });
    expect(result.verdict).toBe('ready');
    expect(result.findings.map((f) => [f.code, f.category])).toEqual([['turn-tls-needs-hostname', 'deployment']]);
    expect(result.findings[0]?.remediation).toContain('probe.publicHost');
    expect(unexplainedIn(result)).toEqual([]);
  });

  it('tells a by-name TURN/TLS handshake (SNI, the DNS probe\'s) from one by IP address (none): Firefox in the lab', async () => {
    const byName = await runFakeDeployment({ turn: { tls: 'not-tried' }, turnTlsCompleted: ['turn.nrx.test'] });
    expect(byName.findings.map((f) => f.code)).toEqual(['turn-tls-needs-hostname']);
    // A handshake without a name may have been this URL's: the browser did try it, so it is not "not tried".
    const byIp = await runFakeDeployment({ turn: { tls: 'not-tried' }, turnTlsCompleted: [null] });
    expect(byIp.findings.map((f) => f.code)).not.toContain('turn-tls-needs-hostname');
  });

  it('still reports turn-tls-failed when TURN/TLS stays silent until the deadline (a firewall, not the browser)', async () => {
    const result = await runFakeDeployment({ turn: { tls: 'no-relay' } });
    expect(result.findings.map((f) => f.code)).toEqual(['turn-tls-failed']);
  });

  it('still reports turn-tls-failed when TURN over TCP does not work either: the relay itself may be unreachable', async () => {
    const result = await runFakeDeployment({ turn: { tls: 'not-tried', tcp: 'no-relay' } });
    expect(result.findings.map((f) => f.code)).toContain('turn-tls-failed');
    expect(result.findings.map((f) => f.code)).not.toContain('turn-tls-needs-hostname');
  });

  it.each([
    ['TURN/TLS by IP address not tried', { turn: { tls: 'not-tried' } }, 'turn-tls-needs-hostname'],
    ['netready on loopback', { loopback: true }, 'probe-on-loopback'],
  ] as const)('explains turn-tls by the browser finding, not the untrusted certificate, when %s while HTTPS was rejected', async (_name, network, code) => {
    // What real Firefox 153 gave against the dev certificate: it rejected HTTPS, and never opened TURN/TLS at all.
    const result = await runFakeDeployment({ ...network, certificateRejectedOn: ['https'], websocket: { wss: 'refused' } });
    expect(result.findings.map((f) => f.code)).toContain('probe-certificate-untrusted');
    expect(result.probes['turn-tls']?.explainedBy).toEqual([code]);
    expect(result.probes['turn-tls']?.reclassified).toEqual({ from: 'fail', because: code });
    expect(result.findings.find((f) => f.code === 'probe-certificate-untrusted')?.probes).not.toContain('turn-tls');
    expect(unexplainedIn(result)).toEqual([]);
  });

  it('records the engine, its version and the WebRTC capabilities in the client block', async () => {
    const result = await runFakeDeployment({});
    expect(result.client).toMatchObject({ browser: 'Chrome', engine: 'blink', engineVersion: '156.0.0.0', webrtc: { peerConnection: true, relayProtocol: true } });
  });

  it('derives none of the network findings in any of these cases', async () => {
    for (const network of [{ webrtc: 'missing' }, { loopback: true }, { turn: { tls: 'not-tried' } }] as const) {
      const result = await runFakeDeployment(network);
      expect(result.findings.map((f) => f.code).filter((c) => NETWORK_FINDINGS.includes(c)), JSON.stringify(network)).toEqual([]);
    }
  });
});
