import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Result } from '../schema/result';
import { buildCaptureKit, PROFILE_PATH } from './capture-kit';
import { fileStem } from './capture-commands';
import { isIpv6, parseServerUrl, readRunServers } from './run-servers';
import { compileCaptureFilter, compileDisplayFilters, tsharkReadsWith } from './testing/wireshark';
import { keyLogGuide } from './tls-keys';
import { passed as outcome, readRealResult } from './testing/real-results';

const REAL_DEEP_RUN = readRealResult('chromium-156-loopback-deep.json');
const REAL_DNS_RUN = readRealResult('chromium-156-loopback-dns.json');

/** The real DNS run as if its server were a public one: 203.0.113.10, IPv6 2001:db8::10, a host name, a vendor target. */
function productionRun(): Result {
  const moved = JSON.parse(JSON.stringify(REAL_DNS_RUN).replaceAll('127.0.0.1', '203.0.113.10')) as Result;
  const session = moved.probes.session!.data as { stun: unknown[]; turn: Array<{ transport: string; url: string }> };
  session.stun.push({ port: 3480, url: 'stun:203.0.113.10:3480', role: 'vendor', target: 'Acme Meetings' });
  session.turn = session.turn.map((t) => (t.transport === 'tls' ? { ...t, url: 'turns:probe.example.org:443?transport=tcp' } : t));
  (moved.probes.nat!.data as { endpoints: unknown[] }).endpoints.push({ role: 'ipv6', url: 'stun:[2001:db8::10]:28003' });
  moved.probes['dns-vendor-hosts'] = outcome({ hosts: [{ target: 'Acme Meetings', host: 'media.acme.example' }] });
  return moved;
}

/** A shared result crafted to smuggle shell syntax and filter syntax into the kit's command lines. */
function hostileRun(): Result {
  const hostile = structuredClone(REAL_DEEP_RUN);
  hostile.config.probeUrl = 'http://$(reboot):8080';
  const session = hostile.probes.session!.data as { stun: unknown[] };
  session.stun.push({ port: 3478, url: 'stun:1.2.3.4;rm -rf ~:3478', role: 'vendor', target: 'x"; rm -rf ~' });
  session.stun.push({ port: 99999, url: 'stun:198.51.100.1:99999', role: 'alternate' });
  hostile.probes['dns-lookup'] = outcome({ zone: 'probe.example.org" || 1', attempts: [] });
  hostile.probes['dns-vendor-hosts'] = outcome({ hosts: [{ target: 'Acme', host: "evil.example'; rm -rf ~ #" }] });
  hostile.id = "../../x'; rm -rf ~";
  return hostile;
}

/** A run whose session never opened, against a probe server named by host name only. */
function unreachableRun(): Result {
  return { ...structuredClone(REAL_DEEP_RUN), config: { name: 'netready', probeUrl: 'https://probe.example.org' }, probes: { session: outcome({ url: 'https://probe.example.org/v1/sessions', elapsedMs: 3000, timedOut: true }, 'fail') } };
}

const CASES: Array<{ name: string; result: Result; bpf: string; display: string; listeners: string | null; rejected: number }> = [
  {
    name: 'the real DNS run on loopback',
    result: REAL_DNS_RUN,
    bpf: 'host 127.0.0.1 or port 53',
    display: 'ip.addr == 127.0.0.1 || dns.qry.name contains "probe.netready.test" || tls.handshake.extensions_server_name contains "probe.netready.test"',
    listeners: '(ip.addr == 127.0.0.1 && (udp.port in {28003, 28005, 28010..28019} || tcp.port in {28001..28004, 28007}))',
    rejected: 0,
  },
  {
    name: 'the real deep run on loopback (no DNS zone)',
    result: REAL_DEEP_RUN,
    bpf: 'host 127.0.0.1 or port 53',
    display: 'ip.addr == 127.0.0.1',
    listeners: '(ip.addr == 127.0.0.1 && (udp.port in {24003, 24005, 24010..24019} || tcp.port in {24001..24004, 24007}))',
    rejected: 0,
  },
  {
    name: 'a public server with IPv6, a TURN/TLS host name and a vendor target',
    result: productionRun(),
    bpf: 'host 203.0.113.10 or host 2001:db8::10 or port 53',
    display:
      'ip.addr == 203.0.113.10 || ipv6.addr == 2001:db8::10 || dns.qry.name contains "probe.netready.test" || tls.handshake.extensions_server_name contains "probe.netready.test" || dns.qry.name == "probe.example.org" || tls.handshake.extensions_server_name == "probe.example.org" || dns.qry.name == "media.acme.example" || tls.handshake.extensions_server_name == "media.acme.example"',
    listeners: '(ip.addr == 203.0.113.10 && (udp.port in {3480, 28003, 28005, 28010..28019} || tcp.port in {28001..28004, 28007})) || (ipv6.addr == 2001:db8::10 && udp.port in {28003})',
    rejected: 0,
  },
  {
    name: 'a hostile shared result',
    result: hostileRun(),
    bpf: 'host 127.0.0.1 or port 53',
    display: 'ip.addr == 127.0.0.1',
    listeners: '(ip.addr == 127.0.0.1 && (udp.port in {24003, 24005, 24010..24019} || tcp.port in {24001..24004, 24007}))',
    rejected: 5,
  },
  {
    name: 'a run whose session never opened',
    result: unreachableRun(),
    bpf: 'tcp port 443 or port 53',
    display: 'dns.qry.name == "probe.example.org" || tls.handshake.extensions_server_name == "probe.example.org"',
    listeners: null,
    rejected: 0,
  },
];

describe('buildCaptureKit', () => {
  it.each(CASES)('gives the capture filter, display filters and rejections of $name', ({ result, bpf, display, listeners, rejected }) => {
    const kit = buildCaptureKit(result);
    expect(kit.captureFilter).toBe(bpf);
    expect(kit.displayFilter).toBe(display);
    expect(kit.listenersFilter).toBe(listeners);
    expect(kit.servers.rejected).toBe(rejected);
  });

  it('tells each port of the real DNS run by transport and role, the MTU ladder as one row', () => {
    const rows = buildCaptureKit(REAL_DNS_RUN).rows.map((r) => `${r.transport} ${r.firstPort}${r.lastPort !== r.firstPort ? `–${r.lastPort}` : ''}: ${r.roles.join('; ')}`);
    expect(rows).toEqual([
      'UDP 28003: STUN/TURN; NAT behaviour (STUN)',
      'UDP 28005: STUN, alternate port; NAT behaviour (STUN)',
      'UDP 28010–28019: MTU ladder (padded STUN answers)',
      'UDP 28140: TURN relay ports (server side)',
      'UDP 28277: TURN relay ports (server side)',
      'UDP 28353: TURN relay ports (server side)',
      'UDP 28400: Media peer (server side of the call)',
      'UDP 28403–28406: Media peer (server side of the call)',
      'TCP 28001: netready API (HTTP); HTTP echo: proxy check; WebSocket',
      'TCP 28003: STUN/TURN',
      'TCP 28007: Media peer, ICE over TCP',
      'TLS over TCP 28002: HTTPS: TLS inspection check; WebSocket; HTTPS: DNS lookup names',
      'TLS over TCP 28004: TURN over TLS',
    ]);
  });

  it('says the relay and media-peer port ranges are not in the result, and which address turn.<zone> is', () => {
    const notes = buildCaptureKit(REAL_DNS_RUN).rowNotes.join('\n');
    expect(notes).toMatch(/ranges, which the result does not record/);
    expect(notes).toContain('turn.probe.netready.test is 127.0.0.1');
  });

  it('says a host name without a recorded address cannot be in the capture filter', () => {
    const notes = buildCaptureKit(productionRun()).captureFilterNotes.join('\n');
    expect(notes).toContain('A capture filter cannot match a host name');
    expect(notes).toContain('probe.example.org, media.acme.example');
  });

  it('names the vendor target on the port that stands for its media', () => {
    const row = buildCaptureKit(productionRun()).rows.find((r) => r.firstPort === 3480);
    expect(row?.roles).toEqual(['STUN standing for a vendor media port (Acme Meetings)']);
  });

  it('keeps every value of a hostile result out of the command lines', () => {
    const kit = buildCaptureKit(hostileRun());
    const commands = [...kit.guides, ...kit.keyLog.guides].flatMap((g) => g.steps.map((s) => s.command ?? '')).join('\n') + kit.keyLog.wireshark.map((s) => s.command ?? '').join('\n');
    for (const bad of ['rm -rf', '$(reboot)', '../', '" || 1']) expect(commands).not.toContain(bad);
    expect(fileStem(hostileRun().id)).toBe('netready-xrm-rf');
  });

  it('links the profile, narrowed to a share id only when it is a plain id', () => {
    expect(buildCaptureKit(REAL_DNS_RUN).profileHref).toBe(PROFILE_PATH);
    expect(buildCaptureKit(REAL_DNS_RUN, 'AbC_12-x').profileHref).toBe('/wireshark-profile.zip?result=AbC_12-x');
    expect(buildCaptureKit(REAL_DNS_RUN, 'a&b=c').profileHref).toBe(PROFILE_PATH);
  });
});

describe('parseServerUrl and isIpv6', () => {
  it.each([
    ['stun:127.0.0.1:28003', { scheme: 'stun', host: '127.0.0.1', port: 28003 }],
    ['turn:127.0.0.1:28003?transport=tcp', { scheme: 'turn-tcp', host: '127.0.0.1', port: 28003 }],
    ['turns:probe.example.org?transport=tcp', { scheme: 'turns', host: 'probe.example.org', port: 5349 }],
    ['stun:[2001:db8::10]:3478', { scheme: 'stun', host: '2001:db8::10', port: 3478 }],
    ['https://probe.example.org/v1/echo', { scheme: 'https', host: 'probe.example.org', port: 443 }],
    ['ws://198.51.100.7:8080/ws', { scheme: 'ws', host: '198.51.100.7', port: 8080 }],
    ['ftp://x', null],
  ])('reads %s', (url, expected) => {
    expect(parseServerUrl(url)).toEqual(expected);
  });

  it.each([
    ['2001:db8::10', true],
    ['::1', true],
    ['::ffff:192.0.2.1', true],
    ['2001:db8::1::2', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['fe80::1%eth0', false],
    ['127.0.0.1', false],
  ])('tells whether %s is an IPv6 address (%s)', (text, expected) => {
    expect(isIpv6(text)).toBe(expected);
  });
});

describe('keyLogGuide', () => {
  it.each([
    { client: { browser: 'Chrome', engine: 'blink' as const, os: 'Windows' }, os: ['windows'], command: 'setx SSLKEYLOGFILE "%USERPROFILE%\\Desktop\\netready-r1-keys.log"' },
    { client: { browser: 'Firefox', engine: 'gecko' as const, os: 'Mac OS' }, os: ['macos'], command: 'SSLKEYLOGFILE=~/Desktop/netready-r1-keys.log /Applications/Firefox.app/Contents/MacOS/firefox' },
    { client: { browser: 'Edge', engine: 'blink' as const, os: 'Linux' }, os: ['linux'], command: 'SSLKEYLOGFILE=~/netready-r1-keys.log microsoft-edge' },
    { client: { browser: 'Chrome Headless', engine: 'blink' as const, os: 'Linux' }, os: ['linux'], command: 'SSLKEYLOGFILE=~/netready-r1-keys.log google-chrome' },
    { client: { browser: 'Chrome', engine: 'blink' as const, os: 'Android' }, os: ['windows', 'macos', 'linux'], command: 'setx SSLKEYLOGFILE "%USERPROFILE%\\Desktop\\netready-r1-keys.log"' },
  ])('gives $client.browser on $client.os the steps for $os', ({ client, os, command }) => {
    const guide = keyLogGuide(client, 'r1');
    expect(guide.supported).toBe(true);
    expect(guide.guides.map((g) => g.os)).toEqual(os);
    expect(guide.guides[0]!.steps[0]!.command).toBe(command);
    expect(guide.guides.flatMap((g) => g.steps.map((s) => s.text)).join(' ')).toMatch(/delete the key file/);
  });

  it('says Safari writes no key log, with no steps that would not work', () => {
    const guide = keyLogGuide({ browser: 'Mobile Safari', engine: 'webkit', os: 'iOS' }, 'r1');
    expect(guide).toMatchObject({ browser: 'safari', browserName: 'Safari', supported: false, guides: [] });
  });
});

describe('the kit against real Wireshark tools', () => {
  const kits = CASES.map(({ name, result }) => ({ name, kit: buildCaptureKit(result) }));

  it('has display filters that Wireshark compiles without warnings', () => {
    const filters = kits.flatMap(({ kit }) => [kit.displayFilter, ...(kit.listenersFilter ? [kit.listenersFilter] : [])]);
    expect(compileDisplayFilters(filters).filter((v) => !v.ok)).toEqual([]);
    // tshark itself, once, on all of them together (each in parentheses: one that did not compile fails the whole).
    const together = tsharkReadsWith(filters.map((f) => `(${f})`).join(' || '));
    expect(together).toEqual({ status: 0, warnings: [] });
  });

  it('has a display filter check that does reject a broken filter', () => {
    expect(compileDisplayFilters(['ip.addr == 127.0.0.1', 'udp.port in {3478 3479}'])[1]).toMatchObject({ ok: false });
    expect(tsharkReadsWith('stunn').status).not.toBe(0);
  });

  it.each(['lo', 'any'] as const)('has capture filters that libpcap compiles for %s', (iface) => {
    const verdicts = kits.map(({ kit }) => compileCaptureFilter(kit.captureFilter, iface));
    if (verdicts.includes(null)) {
      // Without capture rights dumpcap cannot open the interface to learn its link type; CI runs as root.
      expect(process.getuid?.()).not.toBe(0);
      return;
    }
    expect(verdicts.filter((v) => !v!.ok)).toEqual([]);
    expect(compileCaptureFilter('host 127.0.0.1 or hostt', iface)).toMatchObject({ ok: false });
  });

  it('puts the filters into command lines a POSIX shell parses, unchanged', () => {
    for (const { kit } of kits) {
      const posix = [...kit.guides, ...kit.keyLog.guides].filter((g) => g.os !== 'windows').flatMap((g) => g.steps.flatMap((s) => (s.command ? [s.command] : [])));
      for (const command of [...posix, ...kit.keyLog.wireshark.flatMap((s) => (s.command ? [s.command] : []))]) {
        const syntax = spawnSync('bash', ['-n', '-c', command], { encoding: 'utf8' });
        expect({ command, stderr: syntax.stderr }).toEqual({ command, stderr: '' });
      }
      const capture = kit.guides.find((g) => g.os === 'linux')!.steps[1]!.command!;
      expect(capture).toContain(`-f '${kit.captureFilter}'`);
      expect(kit.guides.find((g) => g.os === 'linux')!.steps[2]!.command).toContain(`-Y '${kit.displayFilter}'`);
      expect(kit.guides.find((g) => g.os === 'windows')!.steps[1]!.command).toContain(`-f "${kit.captureFilter}"`);
    }
  });
});

describe('readRunServers', () => {
  it('reads IPv6 endpoints without brackets', () => {
    expect(readRunServers(productionRun()).addresses).toEqual(['203.0.113.10', '2001:db8::10']);
  });
});
