import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../schema/result';
import { diagnose } from '../diagnose';
import { derivePathFacts } from '../facts-paths';
import { deepInterfaces as deep, outcomesFor, serverSaw, stunFrom } from '../testing/outcomes';

const WEB = '198.51.100.7';
const VPN = '192.0.2.77';
function codes(probes: Record<string, ProbeOutcome>): string[] {
  return diagnose(probes).findings.map((f) => f.code);
}

describe('path rules', () => {
  it('reports vpn-path when ICE chose an interface whose egress is not the web traffic\'s while another reaches netready from it', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom(VPN), ...serverSaw(WEB, { udp: VPN }), interfaces: deep([{ host: '10.9.0.2', egress: VPN, selected: true }, { host: '10.1.0.2', egress: WEB }]) };
    const { findings, verdict } = diagnose(probes);
    const finding = findings.find((f) => f.code === 'vpn-path');
    expect(finding).toMatchObject({ severity: 'warning', category: 'network' });
    expect(finding?.detail).toContain(`chose 10.9.0.2 (likely a VPN), whose traffic reaches netready from ${VPN}`);
    expect(finding?.detail).toContain(`although 10.1.0.2 (ethernet) reaches it directly from ${WEB} — the address your web traffic leaves from.`);
    expect(finding?.remediation).toMatch(/split-tunnel/);
    expect(findings.map((f) => f.code)).not.toContain('media-egress-differs');
    expect(verdict).toBe('ready');
  });

  it('reports vpn-path on the browser\'s word alone when the chosen interface is a VPN and a non-VPN one works', () => {
    const probes = { ...outcomesFor({}), ...serverSaw(VPN, {}), interfaces: deep([{ host: '10.9.0.2', egress: VPN, selected: true, networkType: 'vpn' }, { host: '10.1.0.2', egress: WEB }]) };
    expect(codes(probes)).toContain('vpn-path');
  });

  it('finds no detour when the VPN is the only interface that reaches netready (full tunnel)', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom(VPN), ...serverSaw(VPN, { udp: VPN }), interfaces: deep([{ host: '10.9.0.2', egress: VPN, selected: true }, { host: '10.1.0.2' }]) };
    const found = codes(probes);
    expect(found).not.toContain('vpn-path');
    expect(found).not.toContain('media-egress-differs');
  });

  it('finds no detour when ICE chose the interface the web traffic uses', () => {
    const probes = { ...outcomesFor({}), ...serverSaw(WEB, {}), interfaces: deep([{ host: '10.1.0.2', egress: WEB, selected: true }, { host: '10.9.0.2', egress: VPN }]) };
    expect(codes(probes)).not.toContain('vpn-path');
  });

  it('says only that web and media leave from different addresses in default mode, and asks for the interface check', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom(VPN), ...serverSaw(WEB, { udp: VPN, tcp: VPN }) };
    const finding = diagnose(probes).findings.find((f) => f.code === 'media-egress-differs');
    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding?.detail).toContain(`from ${WEB}, its media servers from ${VPN}`);
    expect(finding?.remediation).toContain('Also check every network interface');
    expect(codes(probes)).not.toContain('vpn-path');
  });

  it('does not compare an IPv6 web egress with an IPv4 media egress', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom(VPN), ...serverSaw('2001:db8::7', {}) };
    expect(derivePathFacts(probes).egressDiffers).toBe(false);
    expect(codes(probes)).not.toContain('media-egress-differs');
  });

  it('does not compare a loopback web egress (a test server on this computer) with the LAN address WebRTC uses', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom('192.0.2.2'), ...serverSaw('127.0.0.1', {}), interfaces: deep([{ host: '192.0.2.2', egress: '192.0.2.2', selected: true }]) };
    expect(derivePathFacts(probes).egressDiffers).toBe(false);
    expect(codes(probes)).not.toContain('media-egress-differs');
  });

  it('stays silent where web and media leave from the same address', () => {
    const probes = { ...outcomesFor({}), ...serverSaw('198.51.100.7', { udp: '198.51.100.7' }) };
    expect(codes(probes)).not.toContain('media-egress-differs');
  });

  it('names the browser policy, not a firewall, when no UDP candidate exists at all but TURN over TCP came directly', () => {
    const base = outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }, { port: 3479, ok: false }], turn: { udp: 'no-relay' } });
    const stun = base['stun-udp']!;
    const ports = (stun.data.ports as Array<Record<string, unknown>>).map((p) => ({ ...p, hostCandidates: 0 }));
    const probes = { ...base, 'stun-udp': { ...stun, data: { ports } }, ...serverSaw(WEB, { tcp: WEB, tls: WEB }) };
    const { findings, verdict, probes: explained } = diagnose(probes);
    const found = findings.map((f) => f.code);
    expect(found).toContain('webrtc-ip-handling-restricted');
    for (const code of ['udp-blocked', 'turn-udp-failed', 'relay-only', 'unexplained-failure']) expect(found).not.toContain(code);
    const finding = findings.find((f) => f.code === 'webrtc-ip-handling-restricted');
    expect(finding).toMatchObject({ severity: 'warning', category: 'browser' });
    expect(finding?.detail).toContain('disable_non_proxied_udp');
    expect(finding?.remediation).toContain('WebRtcIPHandlingPolicy');
    expect(explained['stun-udp']?.explainedBy).toEqual(['webrtc-ip-handling-restricted']);
    expect(verdict).toBe('degraded');
  });

  it('keeps calling it a UDP block when the browser still offered its local address', () => {
    const probes = { ...outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }, { port: 3479, ok: false }], turn: { udp: 'no-relay' } }), ...serverSaw(WEB, { tcp: WEB }) };
    const found = codes(probes);
    expect(found).toContain('udp-blocked');
    expect(found).not.toContain('webrtc-ip-handling-restricted');
  });

  it('does not claim the policy without proof of a direct route (no default route looks the same)', () => {
    const base = outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }, { port: 3479, ok: false }], turn: { udp: 'no-relay' } });
    const stun = base['stun-udp']!;
    const ports = (stun.data.ports as Array<Record<string, unknown>>).map((p) => ({ ...p, hostCandidates: 0 }));
    const probes = { ...base, 'stun-udp': { ...stun, data: { ports } }, ...serverSaw(WEB, { tcp: '203.0.113.99' }) };
    expect(codes(probes)).not.toContain('webrtc-ip-handling-restricted');
  });

  it('reports default_public_interface_only as information when STUN answers but no local address was offered', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom(WEB, 0), ...serverSaw(WEB, { udp: WEB }) };
    const finding = diagnose(probes).findings.find((f) => f.code === 'webrtc-ip-handling-restricted');
    expect(finding).toMatchObject({ severity: 'info', category: 'browser' });
    expect(finding?.detail).toContain('default_public_interface_only');
  });
});
