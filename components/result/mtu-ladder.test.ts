import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../lib/schema/result';
import { ladderModel, MtuLadder } from './mtu-ladder';

const sizes = [576, 1200, 1280, 1348, 1500];
const rung = (sizeBytes: number, outcome: string, df = true) => ({ sizeBytes, df, url: `stun:203.0.113.10:${sizeBytes}`, outcome });

/** An mtu probe outcome as the result JSON carries it: direct IPv4 breaks above 1280, no ICMP; IPv6 and TURN not tried. */
const BLACKHOLE: ProbeOutcome = {
  status: 'warn',
  durationMs: 2020,
  data: {
    paths: [
      {
        path: 'direct-ipv4',
        status: 'measured',
        rungs: sizes.map((s) => rung(s, s <= 1280 ? 'arrived' : 'lost')),
        fragmentRungs: [rung(1600, 'arrived', false), rung(2000, 'arrived', false)],
        largestArrivedBytes: 1280,
        smallestLostBytes: 1348,
        lostBelowLargestBytes: [],
        fragments: 'arrived',
        icmp: { asked: true, ip: '198.51.100.7', pathMtuBytes: 1500, linkMtuBytes: 1500, learnedBelowLost: false },
      },
      { path: 'direct-ipv6', status: 'not-tried', reason: 'the test server has no IPv6 address configured', rungs: [], fragmentRungs: [], lostBelowLargestBytes: [], fragments: 'not-tried' },
      { path: 'turn-udp', status: 'not-tried', reason: 'not needed: direct UDP reached the ladder', rungs: [], fragmentRungs: [], lostBelowLargestBytes: [], fragments: 'not-tried' },
    ],
    upstream: { status: 'passed', messageBytes: 1163, wireBytesEstimate: 1256, smallSent: false, smallEchoed: false, largeEchoed: true },
    notOffered: [],
  },
  evidence: [],
};

describe('ladderModel', () => {
  it('lays out sizes (fragment rungs last) × paths, marks the break after the largest size that arrived', () => {
    const model = ladderModel(BLACKHOLE)!;
    expect(model.columns.map((c) => `${c.sizeBytes}${c.df ? '' : '*'}`)).toEqual(['576', '1200', '1280', '1348', '1500', '1600*', '2000*']);
    expect(model.rows.map((r) => r.label)).toEqual(['Direct IPv4', 'Direct IPv6', 'TURN over UDP']);
    expect(model.rows[0]!.cells).toEqual(['passed', 'passed', 'passed', 'failed', 'failed', 'passed', 'passed']);
    expect(model.rows[0]!.breakAfter).toBe(2);
    expect(model.rows[0]!.note).toBe('up to 1280 bytes; breaks at 1348, no ICMP came back');
    expect(model.rows[1]!.cells.every((c) => c === 'not-tried')).toBe(true);
    expect(model.rows[1]!.note).toMatch(/^not tried: the test server has no IPv6/);
    expect(model.upstream).toContain('got through');
  });

  it.each([
    ['no outcome', undefined],
    ['a skipped probe', { status: 'skipped', durationMs: 0, reason: 'no ladder', data: {}, evidence: [] } as ProbeOutcome],
    ['hostile data', { status: 'warn', durationMs: 0, data: { paths: [{ path: 1 }, 'x', { path: 'direct-ipv4', status: 'measured', rungs: [{ sizeBytes: 'big' }] }] }, evidence: [] } as ProbeOutcome],
    // probe-on-loopback: Firefox tried no size at all; drawn, the empty rungs would read as a network failing every size.
    ['a ladder reclassified as not tested', { ...BLACKHOLE, status: 'inconclusive', reclassified: { from: 'fail', because: 'probe-on-loopback' } } as ProbeOutcome],
  ])('draws nothing for %s', (_name, outcome) => {
    expect(ladderModel(outcome)).toBeNull();
    expect(renderToStaticMarkup(createElement(MtuLadder, { outcome }))).toBe('');
  });
});

describe('MtuLadder', () => {
  const html = renderToStaticMarkup(createElement(MtuLadder, { outcome: BLACKHOLE }));

  it('is an accessible image: labelled by its title and a description that says everything the colours do', () => {
    expect(html).toMatch(/<svg role="img" aria-labelledby="(\S+)-title \1-desc"/);
    expect(html).toContain('<title id=');
    expect(html).toContain('Direct IPv4: up to 1280 bytes; breaks at 1348, no ICMP came back.');
  });

  it('spells each state out in text and per-cell titles, not only in colour', () => {
    expect((html.match(/>✓</g) ?? []).length).toBe(5);
    expect((html.match(/>✗</g) ?? []).length).toBe(2);
    expect((html.match(/>–</g) ?? []).length).toBe(14);
    expect(html).toContain('<title>Direct IPv4, 1348 bytes: lost</title>');
    expect(html).toContain('<title>Direct IPv4, 1600 bytes without Don&#x27;t-Fragment: arrived</title>');
    expect(html).toContain('breaks here');
  });

  it('renders text from the result as text, never markup', () => {
    const hostile = structuredClone(BLACKHOLE);
    (hostile.data.paths as Array<{ reason?: string }>)[1]!.reason = '<img src=x onerror=alert(1)>';
    const out = renderToStaticMarkup(createElement(MtuLadder, { outcome: hostile }));
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
