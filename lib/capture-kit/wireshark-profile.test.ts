import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, type ConfigInput } from '../config/schema';
import { readRunServers } from './run-servers';
import { readRealResult } from './testing/real-results';
import { compileDisplayFilters, currentPreferences, installProfile, temporaryFolder, tsharkReadsWith } from './testing/wireshark';
import { COLUMNS, PROFILE_NAME, colourRules, filterButtons, profileFiles, scopeForResult, scopeFromConfig, sessionFilter } from './wireshark-profile';

const REAL_DNS_RUN = readRealResult('chromium-156-loopback-dns.json');
const config = (input: ConfigInput = {}) => ConfigSchema.parse(input);

/** A public deployment: its own addresses, a host name, a probe zone, a vendor's media ports, moved ports. */
const PUBLIC: ConfigInput = {
  probe: {
    publicIp: '203.0.113.10',
    stunAltIp: '203.0.113.11',
    publicIpv6: '2001:db8::10',
    publicHost: 'turn.example.org',
    turnTls: { port: 443, ip: '203.0.113.12' },
    https: { port: 8443 },
    publicHttpsUrl: 'https://probe.example.org:8443',
    relayPortMin: 50000,
    relayPortMax: 50999,
    peerPortMin: 51000,
    peerPortMax: 51099,
  },
  dns: { zone: 'probe.example.org' },
  targets: [{ name: 'Acme Meetings', mediaUdpPorts: [8801, 8802], hosts: ['media.acme.example'] }],
};

/** Reads a UAT line's quoted fields back (`\x22` is a double quote, `\\` a backslash). */
function uatFields(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\x22/g, '"').replace(/\\\\/g, '\\'));
}

describe('the "this netready session" filter', () => {
  it.each([
    {
      name: 'the default configuration',
      input: {},
      filter: '(ip.addr == 127.0.0.1 && (udp.port in {3478, 3479, 3490..3499, 49152..60999} || tcp.port in {3478, 5349, 7881, 8080, 8443}))',
    },
    {
      name: 'a public deployment with a zone and a vendor target',
      input: PUBLIC,
      filter:
        '((ip.addr == 203.0.113.10 || ip.addr == 203.0.113.11 || ipv6.addr == 2001:db8::10) && (udp.port in {3478, 3479, 3490..3499, 8801, 8802, 50000..51099} || tcp.port in {443, 3478, 7881, 8080, 8443})) || dns.qry.name contains "probe.example.org" || tls.handshake.extensions_server_name contains "probe.example.org" || dns.qry.name == "turn.example.org" || tls.handshake.extensions_server_name == "turn.example.org"',
    },
  ])('covers the servers of $name', ({ input, filter }) => {
    expect(sessionFilter(scopeFromConfig(config(input)))).toBe(filter);
  });

  it("narrows to a result's server addresses, keeping the deployment's ports and the result's zone", () => {
    const scope = scopeForResult(config(PUBLIC), readRunServers(REAL_DNS_RUN), 'abc');
    expect(scope.addresses).toEqual(['127.0.0.1']);
    expect(scope.zone).toBe('probe.netready.test');
    expect(scope.udpPorts).toEqual(expect.arrayContaining([3478, 8801, 28003, 28019, 50000]));
    expect(scope.tcpPorts).toEqual(expect.arrayContaining([443, 28001, 28004, 28007]));
    expect(scope.source).toBe('the addresses of result abc');
  });

  it('has every button the issue asks for', () => {
    const filters = filterButtons(scopeFromConfig(config())).map((b) => b.filter);
    for (const wanted of ['dns', 'stun', 'http.request.method == "CONNECT"', '!(arp || ssdp || llmnr || mdns || nbns', 'tls.handshake.type == 1', 'tcp.analysis.retransmission', 'tcp.analysis.duplicate_ack', 'icmp.type == 3 && icmp.code == 4', 'icmpv6.type == 2', 'rtcp', 'ip.addr == 127.0.0.1']) {
      expect(filters.some((f) => f.includes(wanted))).toBe(true);
    }
  });
});

describe('the profile in tshark', () => {
  const home = temporaryFolder('netready-profile-');
  const scopes = [scopeFromConfig(config()), scopeFromConfig(config(PUBLIC)), scopeForResult(config(PUBLIC), readRunServers(REAL_DNS_RUN), 'abc')];
  beforeAll(() => {
    installProfile(home.dir, PROFILE_NAME, profileFiles(scopes[1]!));
  });
  afterAll(() => home.remove());

  it('loads with -C and its colour filters with no warning on stderr', () => {
    expect(tsharkReadsWith('frame', { home: home.dir, name: PROFILE_NAME })).toEqual({ status: 0, warnings: [] });
  });

  it('applies its columns and preferences', () => {
    const prefs = currentPreferences(home.dir, PROFILE_NAME);
    expect(prefs.warnings).toEqual([]);
    const columns = /^gui\.column\.format:\s*\n((?:\t.*\n)+)/m.exec(prefs.stdout)?.[1] ?? '';
    for (const [title, format] of COLUMNS) expect(columns).toContain(`"${title}", "${format}"`);
    expect(prefs.stdout).toMatch(/^http\.tls\.port: 443,8443$/m);
  });

  it('notices a profile it cannot load (the check can fail)', () => {
    const broken = temporaryFolder('netready-profile-broken-');
    try {
      installProfile(broken.dir, 'broken', { preferences: 'gui.no_such_preference: 1\n', colorfilters: '@bad@stunn@[0,0,0][65535,65535,65535]\n' });
      expect(tsharkReadsWith('frame', { home: broken.dir, name: 'broken' }).warnings.join('\n')).toMatch(/No such preference[\s\S]*Could not compile "bad"/);
    } finally {
      broken.remove();
    }
  });

  it("compiles every button's, saved filter's and colour rule's filter, as the files spell them", () => {
    const filters = scopes.flatMap((scope) => {
      const files = profileFiles(scope);
      const buttons = files.dfilter_buttons!.trim().split('\n').map((line) => uatFields(line));
      expect(buttons.map((fields) => fields.length)).toEqual(buttons.map(() => 4));
      const saved = files.dfilters!.trim().split('\n').map((line) => /^"[^"]*" (.*)$/.exec(line)![1]!);
      const colours = files.colorfilters!.trim().split('\n').map((line) => line.split('@')[2]!);
      expect(buttons.map((fields) => fields[2])).toEqual(filterButtons(scope).map((b) => b.filter));
      expect(colours).toEqual(colourRules(scope).map((r) => r.filter));
      return [...buttons.map((fields) => fields[2]!), ...saved, ...colours];
    });
    expect(compileDisplayFilters(filters).filter((v) => !v.ok)).toEqual([]);
    expect(tsharkReadsWith([...new Set(filters)].map((f) => `(${f})`).join(' || '))).toEqual({ status: 0, warnings: [] });
  });
});

