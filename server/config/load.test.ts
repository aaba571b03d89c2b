import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, probePublicUrl } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('gives a documented default for every field when nothing is configured', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.web.port).toBe(3000);
    expect(config.probe.turnUdp.port).toBe(3478);
    expect(config.probe.turnTls.port).toBe(5349);
    expect(config.turn.credentialTtlS).toBe(600);
    expect(config.dataDir).toBe(path.join(dir, 'data'));
    expect(probePublicUrl(config)).toBe('http://127.0.0.1:8080');
  });

  it('merges the JSON file and lets environment variables override it', () => {
    writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify({ name: 'Acme', probe: { http: { port: 9000 } } }));
    const config = loadConfig({ env: { NETREADY_HTTP_PORT: '9100', NETREADY_STUN_ALT_PORTS: '3480,3481' }, cwd: dir });
    expect(config.name).toBe('Acme');
    expect(config.probe.http.port).toBe(9100);
    expect(config.probe.stunAltPorts).toEqual([3480, 3481]);
  });

  it.each([
    [{ probe: { turnUdp: { port: 70000 } } }, 'probe.turnUdp.port'],
    [{ probe: { publicIp: 'example' } }, 'probe.publicIp'],
    [{ turn: { credentialTtlS: 3600 } }, 'turn.credentialTtlS'],
    [{ probe: { relayPortMin: 60000, relayPortMax: 50000 } }, 'probe.relayPortMax'],
    [{ probe: { stunAltPorts: [3478] } }, 'probe.stunAltPorts'],
    [{ bogus: true }, 'bogus'],
    [{ probe: { connections: { handshakeTimeoutMs: 100 } } }, 'probe.connections.handshakeTimeoutMs'],
    [{ probe: { connections: { maxHandshakesPerAddress: 300 } } }, 'probe.connections.maxHandshakesPerAddress'],
    [{ probe: { connections: { maxPerAddress: 500, maxTotal: 400 } } }, 'probe.connections.maxPerAddress'],
    [{ probe: { maxLiveSessions: 0 } }, 'probe.maxLiveSessions'],
    [{ probe: { maxSessionsPerMinutePerSubnet: -1 } }, 'probe.maxSessionsPerMinutePerSubnet'],
    // MTU ladder: sizes a STUN datagram cannot have, out of order, fragment sizes inside the ladder or past Firefox's limit,
    // ports that clash with another UDP listener or range, an IPv6 field that is not one.
    [{ probe: { mtu: { sizes: [576, 1350] } } }, 'probe.mtu.sizes'],
    [{ probe: { mtu: { sizes: [1500, 1280] } } }, 'probe.mtu.sizes'],
    [{ probe: { mtu: { fragmentSizes: [1400] } } }, 'probe.mtu.fragmentSizes'],
    [{ probe: { mtu: { fragmentSizes: [2400] } } }, 'probe.mtu.fragmentSizes'],
    [{ probe: { mtu: { firstPort: 3470 } } }, 'probe.mtu.firstPort'],
    [{ probe: { mtu: { firstPort: 49150 } } }, 'probe.mtu.firstPort'],
    [{ probe: { mtu: { ipv6: '10.0.0.1' } } }, 'probe.mtu.ipv6'],
  ])('stops with an error naming the field for %j', (raw, field) => {
    writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(raw));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
  });

  it('defaults the MTU ladder to ten UDP ports from 3490, eight DF sizes and two fragment sizes, TURN ladder on, no IPv6', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.probe.mtu).toEqual({ enabled: true, firstPort: 3490, sizes: [576, 1200, 1280, 1348, 1400, 1448, 1480, 1500], fragmentSizes: [1600, 2000], turn: true });
  });

  it('reads the MTU ladder overrides from the environment', () => {
    const config = loadConfig({ env: { NETREADY_MTU_FIRST_PORT: '4000', NETREADY_MTU_SIZES: '1200,1280', NETREADY_MTU_FRAGMENT_SIZES: '1600', NETREADY_MTU_IPV6: '2001:db8::10', NETREADY_MTU_ENABLED: 'false' }, cwd: dir });
    expect(config.probe.mtu).toMatchObject({ enabled: false, firstPort: 4000, sizes: [1200, 1280], fragmentSizes: [1600], ipv6: '2001:db8::10' });
  });

  it('defaults the connection and session limits so one NAT address can run several tests at once', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.probe.connections).toEqual({
      maxPerAddress: 256,
      maxHandshakesPerAddress: 128,
      maxTotal: 8192,
      handshakeTimeoutMs: 5000,
      idleTimeoutMs: 10000,
      requestTimeoutMs: 30000,
    });
    expect(config.probe.maxSessionsPerMinutePerSubnet).toBe(240);
    expect(config.probe.maxLiveSessions).toBe(10000);
  });

  it('takes the connection caps and the live-session cap from the environment', () => {
    const config = loadConfig({ env: { NETREADY_MAX_CONNECTIONS: '20000', NETREADY_MAX_CONNECTIONS_PER_ADDRESS: '512', NETREADY_MAX_LIVE_SESSIONS: '500' }, cwd: dir });
    expect(config.probe.connections.maxTotal).toBe(20000);
    expect(config.probe.connections.maxPerAddress).toBe(512);
    expect(config.probe.maxLiveSessions).toBe(500);
  });

  it('gives the TURN UDP listeners a 4 MiB receive buffer by default and takes another from the environment', () => {
    expect(loadConfig({ env: {}, cwd: dir }).turn.udpReceiveBufferBytes).toBe(4_194_304);
    expect(loadConfig({ env: { NETREADY_TURN_UDP_RECEIVE_BUFFER_BYTES: '1048576' }, cwd: dir }).turn.udpReceiveBufferBytes).toBe(1_048_576);
  });

  it('stops start-up naming turn.udpReceiveBufferBytes when it is below 64 KiB', () => {
    expect(() => loadConfig({ env: { NETREADY_TURN_UDP_RECEIVE_BUFFER_BYTES: '1024' }, cwd: dir })).toThrow(/udpReceiveBufferBytes/);
  });

  it('names the variable when an environment override is not a number', () => {
    expect(() => loadConfig({ env: { NETREADY_WEB_PORT: 'http' }, cwd: dir })).toThrow(/NETREADY_WEB_PORT/);
  });

  it('reports a config file that is not JSON, and a missing explicit file', () => {
    writeFileSync(path.join(dir, 'netready.config.json'), '{ nope');
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ env: { NETREADY_CONFIG: 'missing.json' }, cwd: dir })).toThrow(/cannot read config file/);
  });

  it('requires certFile and keyFile together', () => {
    expect(() => loadConfig({ env: { NETREADY_TLS_CERT: 'cert.pem' }, cwd: dir })).toThrow(/certFile and keyFile/);
  });

  it('requires zoneCertFile and zoneKeyFile together, and only with a probe zone', () => {
    expect(() => loadConfig({ env: { NETREADY_TLS_ZONE_CERT: 'zone.pem', NETREADY_DNS_ZONE: 'probe.example.org' }, cwd: dir })).toThrow(/zoneCertFile and zoneKeyFile/);
    expect(() => loadConfig({ env: { NETREADY_TLS_ZONE_CERT: 'zone.pem', NETREADY_TLS_ZONE_KEY: 'zone-key.pem' }, cwd: dir })).toThrow(/tls\.zoneCertFile: set only with dns\.zone/);
    const config = loadConfig({ env: { NETREADY_TLS_ZONE_CERT: 'zone.pem', NETREADY_TLS_ZONE_KEY: 'zone-key.pem', NETREADY_DNS_ZONE: 'probe.example.org' }, cwd: dir });
    expect(config.tls.zoneCertFile).toBe(path.join(dir, 'zone.pem'));
  });

  describe('tls.acme', () => {
    const write = (raw: unknown): void => writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(raw));

    it('fills the documented defaults and resolves caFile against cwd', () => {
      write({ probe: { publicHost: 'probe.example.org' }, tls: { acme: { termsOfServiceAgreed: true, caFile: 'pebble-ca.pem' } } });
      const acme = loadConfig({ env: {}, cwd: dir }).tls.acme;
      expect(acme).toEqual({
        directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory',
        termsOfServiceAgreed: true,
        challenge: 'http-01',
        http01Port: 80,
        renewDaysBefore: 30,
        caFile: path.join(dir, 'pebble-ca.pem'),
      });
    });

    it('is turned on and filled by NETREADY_ACME_* variables', () => {
      const config = loadConfig({
        env: {
          NETREADY_ACME_DIRECTORY_URL: 'https://acme-staging-v02.api.letsencrypt.org/directory',
          NETREADY_ACME_EMAIL: 'ops@example.org',
          NETREADY_ACME_DOMAINS: 'probe.example.org, turn.probe.example.org',
          NETREADY_ACME_CHALLENGE: 'dns-01',
          NETREADY_ACME_TOS_AGREED: 'yes',
          NETREADY_DNS_ZONE: 'probe.example.org',
        },
        cwd: dir,
      });
      expect(config.tls.acme).toMatchObject({
        directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory',
        email: 'ops@example.org',
        domains: ['probe.example.org', 'turn.probe.example.org'],
        challenge: 'dns-01',
        termsOfServiceAgreed: true,
      });
      expect(() => loadConfig({ env: { NETREADY_ACME_TOS_AGREED: 'sure' }, cwd: dir })).toThrow(/NETREADY_ACME_TOS_AGREED: "sure" is not true or false/);
    });

    it.each<[unknown, RegExp]>([
      [{ probe: { publicHost: 'probe.example.org' }, tls: { acme: {} } }, /tls\.acme\.termsOfServiceAgreed: must be true/],
      [{ tls: { acme: { termsOfServiceAgreed: true } } }, /tls\.acme\.domains: needed: no probe\.publicHost/],
      [{ probe: { publicHost: '203.0.113.10' }, tls: { acme: { termsOfServiceAgreed: true } } }, /tls\.acme\.domains: needed: probe\.publicHost 203\.0\.113\.10 is an IP address/],
      [{ tls: { certFile: 'c.pem', keyFile: 'k.pem', acme: { termsOfServiceAgreed: true, domains: ['a.example.org'] } } }, /tls\.acme: give either tls\.acme or tls\.certFile/],
      [{ tls: { acme: { termsOfServiceAgreed: true, domains: ['a.example.org'], challenge: 'dns-01' } } }, /tls\.acme\.challenge: dns-01 needs dns\.zone/],
      [{ dns: { zone: 'probe.example.org' }, tls: { acme: { termsOfServiceAgreed: true, domains: ['www.example.org'], challenge: 'dns-01' } } }, /tls\.acme\.domains: with dns-01 every name must be probe\.example\.org or under it .*: www\.example\.org/],
      [{ tls: { acme: { termsOfServiceAgreed: true, domains: ['*.example.org'] } } }, /tls\.acme\.domains: a wildcard name needs challenge "dns-01"/],
      [{ tls: { acme: { termsOfServiceAgreed: true, domains: ['not a name'] } } }, /tls\.acme\.domains\.0: must be a DNS name/],
      [{ probe: { http: { port: 80 } }, tls: { acme: { termsOfServiceAgreed: true, domains: ['a.example.org'] } } }, /tls\.acme\.http01Port: must differ from probe\.http\.port \(80\)/],
      [{ tls: { acme: { termsOfServiceAgreed: true, domains: ['a.example.org'], challenge: 'tls-alpn-01' } } }, /tls\.acme\.challenge/],
    ])('stops start-up naming the field for %j', (raw, message) => {
      write(raw);
      expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(message);
    });
  });
});
