import { describe, expect, it } from 'vitest';
import { fallsBackToDirect, parsePacDecision, proxiesOf, routeOf } from './decision';

describe('parsePacDecision', () => {
  it.each([
    ['DIRECT', [{ kind: 'DIRECT' }]],
    ['', [{ kind: 'DIRECT' }]],
    ['PROXY proxy.corp.example:3128; DIRECT', [{ kind: 'PROXY', host: 'proxy.corp.example', port: 3128 }, { kind: 'DIRECT' }]],
    ['PROXY a:3128; PROXY b:8080; DIRECT', [{ kind: 'PROXY', host: 'a', port: 3128 }, { kind: 'PROXY', host: 'b', port: 8080 }, { kind: 'DIRECT' }]],
    ['SOCKS5 [2001:db8::1]:1080', [{ kind: 'SOCKS5', host: '[2001:db8::1]', port: 1080 }]],
    ['https 192.0.2.8:443', [{ kind: 'HTTPS', host: '192.0.2.8', port: 443 }]],
    ['PROXY', [{ kind: 'invalid', text: 'PROXY' }]],
    ['BOGUS x:1', [{ kind: 'invalid', text: 'BOGUS x:1' }]],
    ['PROXY a:99999', [{ kind: 'invalid', text: 'PROXY a:99999' }]],
  ])('reads %j as its steps', (decision, steps) => {
    expect(parsePacDecision(decision)).toEqual(steps);
  });
});

describe('routeOf, fallsBackToDirect and proxiesOf', () => {
  it('says where a failover list sends traffic first and whether DIRECT follows the proxies', () => {
    const steps = parsePacDecision('BOGUS; PROXY a:3128; PROXY b:8080; DIRECT');
    expect(routeOf(steps)).toBe('proxy');
    expect(fallsBackToDirect(steps)).toBe(true);
    expect(proxiesOf(steps)).toEqual(['a:3128', 'b:8080']);
  });

  it('calls a decision without any readable step invalid', () => {
    expect(routeOf(parsePacDecision('nonsense'))).toBe('invalid');
    expect(routeOf(parsePacDecision('DIRECT'))).toBe('direct');
    expect(fallsBackToDirect(parsePacDecision('DIRECT; PROXY a:1'))).toBe(false);
  });
});
