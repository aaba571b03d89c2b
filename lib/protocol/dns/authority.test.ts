import { describe, expect, it } from 'vitest';
import { DnsAuthority, DnsConfigError, MAX_UDP_AMPLIFICATION, type DnsAction, type DnsSource, type GeoAnswer } from './authority';
import { MAX_UDP_PAYLOAD, RCODE_BADVERS, RCODE_FORMERR, RCODE_NOTIMP } from './constants';
import { ANSWER_V4, ANSWER_V6, ZONE, buildQuery, decodeResponse, hex, type QueryOptions } from './testing/queries';

const UDP: DnsSource = { ip: '198.51.100.53', port: 40000, transport: 'udp' };
const TCP: DnsSource = { ...UDP, transport: 'tcp' };
const NOW = 1_700_000_000_000;

function authority(ipv6: string[] = []): DnsAuthority {
  return new DnsAuthority({ zone: ZONE, ipv4: [ANSWER_V4], ipv6, ttlS: 5 });
}

function sent(action: DnsAction): Uint8Array {
  if (action.type !== 'send') throw new Error(`expected a response, got ignore (${action.reason})`);
  return action.bytes;
}

interface Case {
  name: string;
  query: string;
  options?: QueryOptions;
  ipv6?: string[];
  rcode: string;
  aa: boolean;
  answers: Array<{ type: string; data: unknown }>;
  authority?: string[];
}

const CASES: Case[] = [
  { name: 'answers A for the zone apex', query: ZONE, rcode: 'NOERROR', aa: true, answers: [{ type: 'A', data: ANSWER_V4 }] },
  { name: 'answers A for turn.<zone>', query: `turn.${ZONE}`, rcode: 'NOERROR', aa: true, answers: [{ type: 'A', data: ANSWER_V4 }] },
  { name: 'answers A for a unique probe label (wildcard)', query: `nr-0123456789abcdef.${ZONE}`, rcode: 'NOERROR', aa: true, answers: [{ type: 'A', data: ANSWER_V4 }] },
  { name: 'answers case-insensitively and keeps the asked case (0x20)', query: `TuRn.PROBE.netready.TEST`, rcode: 'NOERROR', aa: true, answers: [{ type: 'A', data: ANSWER_V4 }] },
  {
    name: 'answers NODATA with the SOA for AAAA when no IPv6 address is configured',
    query: `stun.${ZONE}`,
    options: { type: 'AAAA' },
    rcode: 'NOERROR',
    aa: true,
    answers: [],
    authority: ['SOA'],
  },
  { name: 'answers AAAA when an IPv6 address is configured', query: `probe.${ZONE}`, options: { type: 'AAAA' }, ipv6: [ANSWER_V6], rcode: 'NOERROR', aa: true, answers: [{ type: 'AAAA', data: ANSWER_V6 }] },
  { name: 'answers NODATA for a type it has no records of (HTTPS)', query: `nr-0123456789abcdef.${ZONE}`, options: { type: 'HTTPS' }, rcode: 'NOERROR', aa: true, answers: [], authority: ['SOA'] },
  { name: 'answers NXDOMAIN with the SOA for a name two levels below the apex', query: `a.b.${ZONE}`, rcode: 'NXDOMAIN', aa: true, answers: [], authority: ['SOA'] },
  { name: 'refuses a name outside the zone', query: 'example.com', rcode: 'REFUSED', aa: false, answers: [] },
  { name: 'refuses a name that only ends like the zone', query: `xprobe.netready.test`, rcode: 'REFUSED', aa: false, answers: [] },
  { name: 'refuses the root', query: '.', rcode: 'REFUSED', aa: false, answers: [] },
  { name: 'refuses a zone transfer', query: ZONE, options: { type: 'AXFR' }, rcode: 'REFUSED', aa: false, answers: [] },
  { name: 'refuses class CHAOS (version.bind style)', query: ZONE, options: { type: 'TXT', class: 'CH' }, rcode: 'REFUSED', aa: false, answers: [] },
  { name: 'answers SOA at the apex', query: ZONE, options: { type: 'SOA' }, rcode: 'NOERROR', aa: true, answers: [{ type: 'SOA', data: expect.objectContaining({ mname: `ns.${ZONE}`, minimum: 5 }) }] },
  { name: 'answers NS at the apex', query: ZONE, options: { type: 'NS' }, rcode: 'NOERROR', aa: true, answers: [{ type: 'NS', data: `ns.${ZONE}` }] },
  {
    name: 'answers ANY minimally with the address records (RFC 8482)',
    query: `turn.${ZONE}`,
    options: { type: 'ANY' },
    ipv6: [ANSWER_V6],
    rcode: 'NOERROR',
    aa: true,
    answers: [{ type: 'A', data: ANSWER_V4 }, { type: 'AAAA', data: ANSWER_V6 }],
  },
];

describe('DnsAuthority', () => {
  it.each(CASES)('$name', ({ query, options, ipv6, rcode, aa, answers, authority: auth }) => {
    const server = authority(ipv6);
    const response = decodeResponse(sent(server.handle(buildQuery(query, { id: 0xbeef, ...options }), UDP, NOW)));
    expect(response.id).toBe(0xbeef);
    expect(response.flag_qr).toBe(true);
    expect(response.flag_ra).toBe(false);
    expect(response.flag_rd).toBe(true);
    expect(response.rcode).toBe(rcode);
    expect(response.flag_aa).toBe(aa);
    expect(response.questions).toEqual([expect.objectContaining({ name: query === '.' ? '.' : query })]);
    expect((response.answers ?? []).map((a) => ({ type: a.type, data: a.data }))).toEqual(answers);
    for (const a of response.answers ?? []) expect(a.ttl).toBe(5);
    if (auth) expect((response.authorities ?? []).map((a) => a.type)).toEqual(auth);
  });

  it('echoes EDNS with its payload size and the Client Subnet with scope 0', () => {
    const server = authority();
    const response = decodeResponse(sent(server.handle(buildQuery(`nr-0123456789abcdef.${ZONE}`, { ecs: { ip: '198.51.100.0', prefix: 24 } }), UDP, NOW)));
    const opt = response.additionals?.find((a) => a.type === 'OPT');
    expect(opt?.udpPayloadSize).toBe(MAX_UDP_PAYLOAD);
    expect(opt?.options).toEqual([expect.objectContaining({ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '198.51.100.0' })]);
  });

  describe('GeoDNS for media.<zone> (issue 15)', () => {
    const NEAR = '203.0.113.20';
    const FAR = '203.0.113.30';
    // The rule itself lives in the server (GeoIP); here: a client subnet in 198.51.100.0/24 is "far", so is a
    // resolver at 192.0.2.53; everything else gets the default region.
    const choose = (resolverIp: string, subnet: string | undefined): GeoAnswer =>
      subnet ? (subnet.startsWith('198.51.100.') ? { region: 'far', rule: 'client-subnet', ipv4: [FAR] } : { region: 'near', rule: 'client-subnet', ipv4: [NEAR] })
      : resolverIp === '192.0.2.53' ? { region: 'far', rule: 'resolver', ipv4: [FAR] }
      : { region: 'near', rule: 'default', ipv4: [NEAR] };
    const geoServer = (): DnsAuthority => new DnsAuthority({ zone: ZONE, ipv4: [ANSWER_V4], ttlS: 5, geo: { choose } });
    const label = 'nr-00112233445566778899aabbccddee00';

    it('answers media.<zone> and a label under it with the chosen region, and records the choice per probe label', () => {
      const server = geoServer();
      const byEcs = decodeResponse(sent(server.handle(buildQuery(`${label}.media.${ZONE}`, { ecs: { ip: '198.51.100.0', prefix: 24 } }), UDP, NOW)));
      expect(byEcs).toMatchObject({ rcode: 'NOERROR', flags: expect.any(Number), answers: [{ type: 'A', data: FAR, name: `${label}.media.${ZONE}` }] });
      // The answer depends on the whole /24 the resolver sent: scope 24, so it caches the answer per client subnet.
      expect(byEcs.additionals?.find((a) => a.type === 'OPT')?.options).toEqual([expect.objectContaining({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 24 })]);
      const byResolver = decodeResponse(sent(server.handle(buildQuery(`media.${ZONE}`), { ...UDP, ip: '192.0.2.53' }, NOW)));
      expect(byResolver.answers).toEqual([expect.objectContaining({ type: 'A', data: FAR })]);
      const byDefault = decodeResponse(sent(server.handle(buildQuery(`MEDIA.${ZONE}`, { ecs: { ip: '0.0.0.0', prefix: 0 } }), UDP, NOW)));
      expect(byDefault.answers).toEqual([expect.objectContaining({ type: 'A', data: NEAR })]);
      expect(server.labels.get(label, NOW)?.queries).toEqual([expect.objectContaining({ resolverIp: UDP.ip, clientSubnet: '198.51.100.0/24', geo: { region: 'far', rule: 'client-subnet' } })]);
      // Other names keep their answers; without geo, media is an ordinary label and deeper names NXDOMAIN.
      expect(decodeResponse(sent(server.handle(buildQuery(`turn.${ZONE}`), UDP, NOW))).answers).toEqual([expect.objectContaining({ data: ANSWER_V4 })]);
      expect(decodeResponse(sent(authority().handle(buildQuery(`media.${ZONE}`), UDP, NOW))).answers).toEqual([expect.objectContaining({ data: ANSWER_V4 })]);
      expect(decodeResponse(sent(authority().handle(buildQuery(`${label}.media.${ZONE}`), UDP, NOW))).rcode).toBe('NXDOMAIN');
    });

    it('gives NODATA for other types, refuses transfers, and NXDOMAIN deeper than one label under media', () => {
      const server = geoServer();
      expect(decodeResponse(sent(server.handle(buildQuery(`media.${ZONE}`, { type: 'AAAA' }), UDP, NOW)))).toMatchObject({ rcode: 'NOERROR', answers: [], authorities: [expect.objectContaining({ type: 'SOA' })] });
      expect(decodeResponse(sent(server.handle(buildQuery(`media.${ZONE}`, { type: 'AXFR' }), UDP, NOW))).rcode).toBe('REFUSED');
      expect(decodeResponse(sent(server.handle(buildQuery(`a.${label}.media.${ZONE}`), UDP, NOW))).rcode).toBe('NXDOMAIN');
    });
  });

  it('answers an unknown EDNS version with BADVERS', () => {
    const action = authority().handle(buildQuery(ZONE, { ednsVersion: 1 }), UDP, NOW);
    expect(action).toMatchObject({ type: 'send', rcode: RCODE_BADVERS });
    const response = decodeResponse(sent(action));
    expect(response.additionals?.[0]).toMatchObject({ type: 'OPT', extendedRcode: 1 });
  });

  it('records resolver address, transport, type and Client Subnet per probe label', () => {
    const server = authority();
    const label = 'nr-00112233445566778899aabbccddeeff';
    server.handle(buildQuery(`${label}.${ZONE}`, { ecs: { ip: '198.51.100.0', prefix: 24 } }), UDP, NOW);
    server.handle(buildQuery(`${label.toUpperCase()}.${ZONE}`, { type: 'AAAA' }), TCP, NOW + 5);
    server.handle(buildQuery(`turn.${ZONE}`), UDP, NOW);
    const record = server.labels.get(label, NOW + 10);
    expect(record?.queries).toEqual([
      { atMs: NOW, resolverIp: UDP.ip, resolverPort: UDP.port, transport: 'udp', qtype: 'A', clientSubnet: '198.51.100.0/24', edns: true },
      { atMs: NOW + 5, resolverIp: UDP.ip, resolverPort: UDP.port, transport: 'tcp', qtype: 'AAAA', edns: false },
    ]);
    expect(server.labels.get('turn', NOW)).toBeNull();
    expect(server.labels.size).toBe(1);
  });

  it('truncates the 1.2 KB TXT answer of big.<zone> over UDP and serves it in full over TCP', () => {
    const server = authority();
    const query = buildQuery(`big.${ZONE}`, { type: 'TXT', ednsSize: 4096 });
    const udp = server.handle(query, UDP, NOW);
    expect(udp).toMatchObject({ type: 'send', truncated: true });
    const truncated = decodeResponse(sent(udp));
    expect(truncated.flag_tc).toBe(true);
    expect(truncated.answers).toEqual([]);
    expect(sent(udp).length).toBeLessThanOrEqual(query.length * MAX_UDP_AMPLIFICATION);
    const tcp = server.handle(query, TCP, NOW);
    expect(tcp).toMatchObject({ type: 'send', truncated: false });
    const full = decodeResponse(sent(tcp));
    expect(full.flag_tc).toBe(false);
    expect(full.answers?.[0]?.type).toBe('TXT');
    expect(sent(tcp).length).toBeGreaterThan(MAX_UDP_PAYLOAD);
  });

  it('truncates over UDP when the answer exceeds 512 bytes and the query has no EDNS', () => {
    const many = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    const server = new DnsAuthority({ zone: ZONE, ipv4: many });
    const query = buildQuery(`turn.${ZONE}`);
    const udp = server.handle(query, UDP, NOW);
    expect(decodeResponse(sent(udp)).flag_tc).toBe(true);
    expect(decodeResponse(sent(server.handle(query, TCP, NOW))).answers).toHaveLength(40);
  });

  it('never sends a UDP response larger than 4× the query', () => {
    const many = Array.from({ length: 12 }, (_, i) => `192.0.2.${i + 1}`);
    const server = new DnsAuthority({ zone: ZONE, ipv4: many });
    const query = buildQuery(`turn.${ZONE}`, { ednsSize: 1232 });
    const bytes = sent(server.handle(query, UDP, NOW));
    expect(bytes.length).toBeLessThanOrEqual(query.length * MAX_UDP_AMPLIFICATION);
    expect(decodeResponse(bytes).flag_tc).toBe(true);
  });

  it('drops UDP and refuses TCP from a source past its rate limit, and recovers as tokens refill', () => {
    const server = new DnsAuthority({ zone: ZONE, ipv4: [ANSWER_V4], rateLimit: { queriesPerSecond: 10, burst: 3 } });
    const query = buildQuery(`turn.${ZONE}`);
    const actions = Array.from({ length: 4 }, () => server.handle(query, UDP, NOW));
    expect(actions.map((a) => a.type)).toEqual(['send', 'send', 'send', 'ignore']);
    expect(actions[3]).toEqual({ type: 'ignore', reason: 'rate-limited' });
    expect(decodeResponse(sent(server.handle(query, TCP, NOW))).rcode).toBe('REFUSED');
    expect(server.handle(query, { ...UDP, ip: '192.0.2.99' }, NOW).type).toBe('send');
    expect(server.handle(query, UDP, NOW + 100).type).toBe('send');
  });

  interface BadCase {
    name: string;
    bytes: Uint8Array;
    expected: { type: 'ignore'; reason: string } | { type: 'send'; rcode: number };
  }
  const BAD: BadCase[] = [
    { name: 'ignores a datagram shorter than the header', bytes: hex('1234 0100 0001'), expected: { type: 'ignore', reason: 'too-short' } },
    { name: 'ignores a response (QR=1) so two servers never loop', bytes: hex('1234 8100 0000 0000 0000 0000'), expected: { type: 'ignore', reason: 'not-a-query' } },
    { name: 'answers NOTIMP to opcode NOTIFY', bytes: hex('1234 2000 0000 0000 0000 0000'), expected: { type: 'send', rcode: RCODE_NOTIMP } },
    { name: 'answers NOTIMP to opcode UPDATE', bytes: hex('1234 2800 0000 0000 0000 0000'), expected: { type: 'send', rcode: RCODE_NOTIMP } },
    { name: 'answers FORMERR to a query without a question', bytes: hex('1234 0100 0000 0000 0000 0000'), expected: { type: 'send', rcode: RCODE_FORMERR } },
    { name: 'answers FORMERR to two questions', bytes: hex('1234 0100 0002 0000 0000 0000 00 0001 0001 00 0001 0001'), expected: { type: 'send', rcode: RCODE_FORMERR } },
    { name: 'answers FORMERR to a question cut short', bytes: hex('1234 0100 0001 0000 0000 0000 05 7072'), expected: { type: 'send', rcode: RCODE_FORMERR } },
    { name: 'answers FORMERR to a compression pointer loop', bytes: hex('1234 0100 0001 0000 0000 0000 c00c 0001 0001'), expected: { type: 'send', rcode: RCODE_FORMERR } },
    { name: 'answers FORMERR to a forward compression pointer', bytes: hex('1234 0100 0001 0000 0000 0000 c020 0001 0001'), expected: { type: 'send', rcode: RCODE_FORMERR } },
    { name: 'answers FORMERR to an extended label type', bytes: hex('1234 0100 0001 0000 0000 0000 41 00 0001 0001'), expected: { type: 'send', rcode: RCODE_FORMERR } },
    { name: 'answers FORMERR to trailing bytes', bytes: hex('1234 0100 0001 0000 0000 0000 00 0001 0001 ff'), expected: { type: 'send', rcode: RCODE_FORMERR } },
    {
      name: 'answers FORMERR to two OPT records',
      bytes: hex('1234 0100 0001 0000 0000 0002 00 0001 0001 00 0029 04d0 00000000 0000 00 0029 04d0 00000000 0000'),
      expected: { type: 'send', rcode: RCODE_FORMERR },
    },
    {
      name: 'answers FORMERR to a Client Subnet whose address is longer than its prefix',
      bytes: hex('1234 0100 0001 0000 0000 0001 00 0001 0001 00 0029 04d0 00000000 000c 0008 0008 0001 1000 c6336400'),
      expected: { type: 'send', rcode: RCODE_FORMERR },
    },
    {
      name: 'answers FORMERR to a Client Subnet with bits set past its prefix',
      bytes: hex('1234 0100 0001 0000 0000 0001 00 0001 0001 00 0029 04d0 00000000 000b 0008 0007 0001 1700 c63365'),
      expected: { type: 'send', rcode: RCODE_FORMERR },
    },
    {
      name: 'answers FORMERR to a Client Subnet of an unknown family',
      bytes: hex('1234 0100 0001 0000 0000 0001 00 0001 0001 00 0029 04d0 00000000 0008 0008 0004 0003 0000'),
      expected: { type: 'send', rcode: RCODE_FORMERR },
    },
  ];

  it.each(BAD)('$name', ({ bytes, expected }) => {
    const action = authority().handle(bytes, UDP, NOW);
    expect(action).toMatchObject(expected);
    if (action.type === 'send') {
      const response = decodeResponse(action.bytes);
      expect(response.id).toBe(0x1234);
      expect(response.flag_qr).toBe(true);
    }
  });

  it('rejects a zone that is not a host name and an answer address that is not an IP', () => {
    expect(() => new DnsAuthority({ zone: 'bad zone', ipv4: [ANSWER_V4] })).toThrow(DnsConfigError);
    expect(() => new DnsAuthority({ zone: ZONE, ipv4: ['300.1.1.1'] })).toThrow(DnsConfigError);
  });
});

describe('DnsAuthority ACME DNS-01 challenges', () => {
  const VALUE_A = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
  const VALUE_B = 'yxuL3BhwVr5UBmBvCrOPmMDDbTA2CPEDbUEtXqTjDs8';
  /** The TXT strings of a response, as text. */
  const txtOf = (action: DnsAction): string[] =>
    (decodeResponse(sent(action)).answers ?? []).filter((a) => a.type === 'TXT').flatMap((a) => (a.data as Buffer[]).map((b) => b.toString()));

  it('answers TXT at _acme-challenge.<name> two levels below the apex only while the challenge is pending', () => {
    const server = authority();
    const query = buildQuery(`_acme-challenge.turn.${ZONE}`, { type: 'TXT' });
    expect(decodeResponse(sent(server.handle(query, UDP, NOW))).rcode).toBe('NXDOMAIN');
    server.addAcmeChallenge(`turn.${ZONE}`, VALUE_A);
    const pending = decodeResponse(sent(server.handle(query, UDP, NOW)));
    expect(pending.rcode).toBe('NOERROR');
    expect(pending.flag_aa).toBe(true);
    expect(txtOf(server.handle(query, UDP, NOW))).toEqual([VALUE_A]);
    server.removeAcmeChallenge(`turn.${ZONE}`, VALUE_A);
    expect(decodeResponse(sent(server.handle(query, UDP, NOW))).rcode).toBe('NXDOMAIN');
  });

  it('answers both values when the zone and its wildcard are validated at once, and case-insensitively', () => {
    const server = authority();
    server.addAcmeChallenge(ZONE, VALUE_A);
    server.addAcmeChallenge(`*.${ZONE}`, VALUE_B);
    const query = buildQuery(`_ACME-Challenge.${ZONE.toUpperCase()}`, { type: 'TXT' });
    expect(txtOf(server.handle(query, UDP, NOW)).sort()).toEqual([VALUE_A, VALUE_B].sort());
    server.removeAcmeChallenge(`*.${ZONE}`, VALUE_B);
    expect(txtOf(server.handle(query, UDP, NOW))).toEqual([VALUE_A]);
  });

  it('keeps the wildcard A answer for _acme-challenge.<zone> and gives NODATA for A at a deeper pending name', () => {
    const server = authority();
    server.addAcmeChallenge(ZONE, VALUE_A);
    server.addAcmeChallenge(`probe.${ZONE}`, VALUE_B);
    const apexA = decodeResponse(sent(server.handle(buildQuery(`_acme-challenge.${ZONE}`), UDP, NOW)));
    expect(apexA.answers?.map((a) => a.data)).toEqual([ANSWER_V4]);
    const deepA = decodeResponse(sent(server.handle(buildQuery(`_acme-challenge.probe.${ZONE}`), UDP, NOW)));
    expect(deepA).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(deepA.authorities?.map((a) => a.type)).toEqual(['SOA']);
  });

  it('refuses to hold a challenge for a name outside its zone, and still refuses such queries', () => {
    const server = authority();
    expect(() => server.addAcmeChallenge('example.com', VALUE_A)).toThrow(DnsConfigError);
    expect(() => server.addAcmeChallenge(`x${ZONE}`, VALUE_A)).toThrow(/is not in the zone/);
    const outside = decodeResponse(sent(server.handle(buildQuery('_acme-challenge.example.com', { type: 'TXT' }), UDP, NOW)));
    expect(outside.rcode).toBe('REFUSED');
  });
});

