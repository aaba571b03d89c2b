import { describe, expect, it } from 'vitest';
import { createOfflinePacFunctions, ipv4InNet, ipv4InPrefix, ipv4ToNumber, type PacDnsFunction } from './offline-sandbox';

describe('IPv4 helpers', () => {
  it.each([
    ['192.0.2.1', '192.0.2.0', '255.255.255.0', true],
    ['192.0.2.1', '198.51.100.0', '255.255.255.0', false],
    ['203.0.113.77', '203.0.0.0', '255.255.0.0', true],
    ['203.0.113.77', '0.0.0.0', '0.0.0.0', true],
    ['corp.example', '10.0.0.0', '255.0.0.0', false],
  ])('isInNet(%s, %s, %s) is %s', (ip, pattern, mask, expected) => {
    expect(ipv4InNet(ip, pattern, mask)).toBe(expected);
  });

  it('reads dotted quads and refuses octets above 255', () => {
    expect(ipv4ToNumber('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToNumber('256.1.1.1')).toBeNull();
    expect(ipv4InPrefix('198.51.100.9', '198.51.100.0/24')).toBe(true);
    expect(ipv4InPrefix('198.51.101.9', '198.51.100.0/24')).toBe(false);
  });
});

describe('createOfflinePacFunctions', () => {
  it('records every DNS question about a name and answers it as unresolvable, without any lookup', () => {
    const asked: Array<[PacDnsFunction, string]> = [];
    const pac = createOfflinePacFunctions('192.0.2.10', (fn, name) => asked.push([fn, name]));
    expect(pac.dnsResolve('intranet.corp.example')).toBeNull();
    expect(pac.isResolvable('intranet.corp.example')).toBe(false);
    expect(pac.isInNet('wiki.corp.example', '10.0.0.0', '255.0.0.0')).toBe(false);
    expect(asked).toEqual([
      ['dnsResolve', 'intranet.corp.example'],
      ['isResolvable', 'intranet.corp.example'],
      ['isInNet', 'wiki.corp.example', ],
    ]);
  });

  it('answers IP literals exactly, as a browser does without DNS, and asks nothing', () => {
    const asked: string[] = [];
    const pac = createOfflinePacFunctions('192.0.2.10', (_fn, name) => asked.push(name));
    expect(pac.dnsResolve('198.51.100.4')).toBe('198.51.100.4');
    expect(pac.isInNet('198.51.100.4', '198.51.100.0', '255.255.255.0')).toBe(true);
    expect(pac.isResolvableEx('2001:db8::1')).toBe(true);
    expect(pac.myIpAddress()).toBe('192.0.2.10');
    expect(asked).toEqual([]);
  });
});
