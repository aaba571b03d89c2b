import { describe, expect, it } from 'vitest';
import type { NatBindingSeen, NatRole } from '../schema/session';
import { classifyFiltering, classifyMapping, type MappingInput } from './nat-classify';

const P = { address: '203.0.113.7', port: 40000 };
const ALL: NatRole[] = ['primary', 'alt-port', 'alt-address'];
const seen = (role: NatRole, address: string, port: number): NatBindingSeen => ({ role, address, port, atMs: 10 });
const input = (over: Partial<MappingInput>): MappingInput => ({ srflx: {}, local: [], seen: [], offered: ALL, missingWhy: {}, ...over });

describe('classifyMapping (RFC 4787 §4.1)', () => {
  it.each<{ name: string; in: Partial<MappingInput>; mapping: string; why?: RegExp }>([
    { name: 'one srflx, and the server saw that same mapping on both other endpoints (Chromium dropped the duplicates)', in: { srflx: { primary: P }, seen: [seen('primary', P.address, P.port), seen('alt-port', P.address, P.port), seen('alt-address', P.address, P.port)] }, mapping: 'endpoint-independent' },
    { name: 'three srflx with the same address and port', in: { srflx: { primary: P, 'alt-port': P, 'alt-address': P } }, mapping: 'endpoint-independent' },
    { name: 'another port for the other port of the same address', in: { srflx: { primary: P, 'alt-port': { ...P, port: 40001 }, 'alt-address': { ...P, port: 40002 } } }, mapping: 'address-and-port-dependent' },
    { name: 'the same for the other port, another for the other address', in: { srflx: { primary: P, 'alt-address': { ...P, port: 40002 } }, seen: [seen('alt-port', P.address, P.port)] }, mapping: 'address-dependent' },
    { name: 'another mapping for the other address while the other port never answered', in: { srflx: { primary: P, 'alt-address': { ...P, port: 40002 } }, offered: ['primary', 'alt-address'], missingWhy: { 'alt-port': 'no alternate port (probe.stunAltPorts)' } }, mapping: 'endpoint-dependent', why: /probe\.stunAltPorts/ },
    { name: 'the same for two ports, and no second address configured', in: { srflx: { primary: P }, seen: [seen('alt-port', P.address, P.port)], offered: ['primary', 'alt-port'], missingWhy: { 'alt-address': 'no second address (probe.stunAltIp)' } }, mapping: 'unknown', why: /endpoint-independent or address-dependent — no second address \(probe\.stunAltIp\)/ },
    { name: 'one srflx and the other endpoints never heard from this socket', in: { srflx: { primary: P }, seen: [seen('alt-port', P.address, 50000)] }, mapping: 'unknown', why: /never heard from this computer's socket/ },
    { name: 'no srflx at all', in: {}, mapping: 'unknown', why: /no server-reflexive candidate/ },
    { name: 'the one srflx came under the other port\'s url, and the primary saw exactly that mapping (Chromium kept the first answer)', in: { srflx: { 'alt-port': P }, seen: [seen('primary', P.address, P.port), seen('alt-address', P.address, P.port)] }, mapping: 'endpoint-independent' },
    { name: 'the other port\'s srflx is not what the primary saw', in: { srflx: { 'alt-port': P }, seen: [seen('primary', P.address, 50000)] }, mapping: 'unknown', why: /no server-reflexive candidate came back from the primary/ },
    { name: 'the srflx is the host candidate itself', in: { srflx: { primary: { address: '192.0.2.5', port: 5000 } }, local: [{ address: '192.0.2.5', port: 5000 }] }, mapping: 'no-nat' },
    { name: 'no srflx (Chromium drops one equal to the socket) but the server saw the host address', in: { local: [{ address: '192.0.2.5', port: 5000 }], seen: [seen('primary', '192.0.2.5', 5000)] }, mapping: 'no-nat' },
  ])('$name → $mapping', ({ in: over, mapping, why }) => {
    const verdict = classifyMapping(input(over));
    expect(verdict.mapping).toBe(mapping);
    if (why) expect(verdict.why).toMatch(why);
  });

  it('says where each endpoint\'s mapping came from: the browser, or the server for a dropped duplicate', () => {
    const verdict = classifyMapping(input({ srflx: { primary: P }, seen: [seen('alt-port', P.address, P.port), seen('alt-address', P.address, P.port)] }));
    expect(verdict.resolved).toEqual({ primary: { ...P, source: 'browser' }, 'alt-port': { ...P, source: 'server' }, 'alt-address': { ...P, source: 'server' } });
  });
});

describe('classifyFiltering (RFC 4787 §5)', () => {
  it.each<{ name: string; checks: Array<{ role: 'alt-port' | 'alt-address'; answered: boolean }>; filtering: string; why?: RegExp }>([
    { name: 'both checks got in', checks: [{ role: 'alt-port', answered: true }, { role: 'alt-address', answered: true }], filtering: 'endpoint-independent' },
    { name: 'only the other port got in', checks: [{ role: 'alt-port', answered: true }, { role: 'alt-address', answered: false }], filtering: 'address-dependent' },
    { name: 'neither got in', checks: [{ role: 'alt-port', answered: false }, { role: 'alt-address', answered: false }], filtering: 'address-and-port-dependent', why: /at least address-and-port-dependent/ },
    { name: 'only the other address got in', checks: [{ role: 'alt-port', answered: false }, { role: 'alt-address', answered: true }], filtering: 'unknown', why: /inconsistent/ },
    { name: 'no second address, the other port got in', checks: [{ role: 'alt-port', answered: true }], filtering: 'unknown', why: /probe\.stunAltIp/ },
    { name: 'no second address, the other port did not get in', checks: [{ role: 'alt-port', answered: false }], filtering: 'address-and-port-dependent' },
    { name: 'no check made', checks: [], filtering: 'unknown' },
  ])('$name → $filtering', ({ checks, filtering, why }) => {
    const verdict = classifyFiltering(checks, { 'alt-address': 'no second address (probe.stunAltIp)' });
    expect(verdict.filtering).toBe(filtering);
    if (why) expect(verdict.why).toMatch(why);
  });
});
