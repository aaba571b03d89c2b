import { describe, expect, it } from 'vitest';
import { deepInterfaces, outcomesFor, serverSaw, stunFrom } from '../../lib/diagnosis/testing/outcomes';
import { buildPathPicture } from './path-picture-model';

const WEB = '198.51.100.7';
const VPN = '192.0.2.77';

describe('path picture model', () => {
  it('draws the VPN detour: the chosen VPN interface on the bold path, the direct interface beside it', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom(VPN), ...serverSaw(WEB, { udp: VPN }), interfaces: deepInterfaces([{ host: '10.9.0.2', egress: VPN, selected: true }, { host: '10.1.0.2', egress: WEB }]) };
    const model = buildPathPicture(probes)!;
    expect(model.detour).toBe(true);
    expect(model.masked).toBe(false);
    expect(model.nodes.find((n) => n.id === 'if:0')).toMatchObject({ label: '10.9.0.2', sublabel: 'likely VPN', tone: 'vpn' });
    expect(model.nodes.find((n) => n.id === 'if:1')).toMatchObject({ label: '10.1.0.2', tone: 'normal' });
    const bold = model.edges.filter((e) => e.selected).map((e) => `${e.from}>${e.to}`);
    expect(bold).toEqual(['if:0>eg:192.0.2.77', 'eg:192.0.2.77>srv:udp']);
    expect(model.edges).toContainEqual({ from: 'if:1', to: `eg:${WEB}`, label: 'UDP', selected: false });
    expect(model.edges).toContainEqual({ from: `eg:${WEB}`, to: 'srv:http', label: 'HTTP', selected: false });
    expect(model.caption).toContain(`Detour: ICE chose 10.9.0.2 (likely VPN, leaving from ${VPN}) although 10.1.0.2 reaches netready directly from ${WEB}`);
    expect(model.summary).toContain('chosen by ICE');
  });

  it('shows the browser behind its default route in default mode, with every address the servers saw', () => {
    const probes = { ...outcomesFor({}), 'stun-udp': stunFrom(VPN), ...serverSaw(WEB, { udp: VPN, tcp: VPN, tls: VPN }) };
    const model = buildPathPicture(probes)!;
    expect(model.masked).toBe(true);
    expect(model.nodes.filter((n) => n.column === 0)).toEqual([{ id: 'if:browser', column: 0, label: 'This browser', sublabel: 'default route only', tone: 'normal' }]);
    expect(model.nodes.filter((n) => n.column === 1).map((n) => `${n.label} ${n.sublabel}`)).toEqual([`${WEB} web`, `${VPN} media`]);
    expect(model.nodes.filter((n) => n.column === 2).map((n) => `${n.label} ${n.sublabel}`)).toEqual(['Web / API HTTP(S)', 'STUN · media UDP', 'TURN relay UDP', 'TURN relay TCP', 'TURN relay TLS']);
    expect(model.caption).toContain('only its default route');
  });

  it('marks an interface nothing got through as muted, and draws no line from it', () => {
    const probes = { ...outcomesFor({}), ...serverSaw(VPN, { udp: VPN }), interfaces: deepInterfaces([{ host: '10.9.0.2', egress: VPN, selected: true }, { host: '10.1.0.2' }]) };
    const model = buildPathPicture(probes)!;
    expect(model.detour).toBe(false);
    expect(model.nodes.find((n) => n.id === 'if:1')).toMatchObject({ tone: 'muted', sublabel: 'nothing got through' });
    expect(model.edges.some((e) => e.from === 'if:1')).toBe(false);
  });

  it('draws nothing when no server saw the client', () => {
    expect(buildPathPicture(outcomesFor({ sessionOk: false }))).toBeNull();
  });
});
