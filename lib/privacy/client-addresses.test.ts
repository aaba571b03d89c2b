import { describe, expect, it } from 'vitest';
import { sampleResult } from '../api/testing/sample-result';
import { ResultSchema } from '../schema/result';
import { ADDRESS_NOT_STORED, applyClientAddressPolicy, truncateAddress } from './client-addresses';

const SERVER = '203.0.113.10';

describe('the client-address policy of stored results', () => {
  it.each([
    ['198.51.100.77', '198.51.100.0/24'],
    ['10.1.2.3', '10.1.2.0/24'],
    ['2001:db8:1234:5678::9', '2001:db8:1234::/48'],
    ['::ffff:198.51.100.77', '198.51.100.0/24'],
  ])('truncates %s to %s', (address, network) => {
    expect(truncateAddress(address.startsWith('::ffff:') ? '198.51.100.77' : address)).toBe(network);
  });

  const result = {
    ...sampleResult,
    probes: {
      nat: {
        status: 'pass' as const,
        durationMs: 10,
        data: { mapped: ['198.51.100.77:51234', '[2001:db8:1234:5678::9]:3478'], server: `${SERVER}:3478`, at: '2025-11-25T10:00:00.000Z', hostCandidates: { '192.168.1.20': 'wifi' } },
        evidence: [{ kind: 'candidate', summary: `srflx 198.51.100.77:51234 via stun:${SERVER}:3478, seen at 10:00:00` }],
      },
    },
  };

  it('keeps everything under full', () => {
    expect(applyClientAddressPolicy(result, 'full', [SERVER])).toBe(result);
  });

  it('truncates every client address, in values and keys, and keeps the server’s', () => {
    const stored = applyClientAddressPolicy(result, 'truncated', [SERVER]);
    const text = JSON.stringify(stored);
    expect(text).not.toContain('198.51.100.77');
    expect(text).not.toContain('2001:db8:1234:5678::9');
    expect(text).not.toContain('192.168.1.20');
    expect(stored.probes.nat!.data).toMatchObject({
      mapped: ['198.51.100.0/24:51234', '[2001:db8:1234::/48]:3478'],
      server: `${SERVER}:3478`,
      at: '2025-11-25T10:00:00.000Z',
      hostCandidates: { '192.168.1.0/24': 'wifi' },
    });
    expect(stored.probes.nat!.evidence[0]!.summary).toBe(`srflx 198.51.100.0/24:51234 via stun:${SERVER}:3478, seen at 10:00:00`);
    expect(ResultSchema.safeParse(stored).success).toBe(true);
  });

  it('removes every client address under none', () => {
    const stored = applyClientAddressPolicy(result, 'none', [SERVER]);
    expect(stored.probes.nat!.data).toMatchObject({ mapped: [`${ADDRESS_NOT_STORED}:51234`, `[${ADDRESS_NOT_STORED}]:3478`], server: `${SERVER}:3478` });
    expect(JSON.stringify(stored)).not.toMatch(/198\.51\.100|192\.168|2001:db8:1234/);
  });

  it('leaves times, ports, user agents and versions alone', () => {
    const text = 'seen at 10:00:00 on 2025-11-25, port 3478, ratio 1.5';
    const withHeaders = {
      ...sampleResult,
      config: { name: text },
      probes: { echo: { status: 'pass' as const, durationMs: 1, data: { headers: { 'user-agent': 'Mozilla/5.0 Chrome/156.0.0.0' }, from: '198.51.100.77' }, evidence: [] } },
    };
    const stored = applyClientAddressPolicy(withHeaders, 'none', []);
    expect(stored.config.name).toBe(text);
    expect(stored.client).toEqual(sampleResult.client);
    expect(stored.probes.echo!.data).toEqual({ headers: { 'user-agent': 'Mozilla/5.0 Chrome/156.0.0.0' }, from: ADDRESS_NOT_STORED });
  });
});
