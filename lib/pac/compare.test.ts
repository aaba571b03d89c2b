import { describe, expect, it } from 'vitest';
import { REAL_DNS_RUN } from './testing/real-runs';
import { compareWithRun, serverNotes } from './compare';
import { runSawProxy, runTargets } from './run-targets';
import { PROXIED_RUN } from './testing/proxied-run';
import type { PacAnswer } from './types';

const answer = (decision: string | null, names: string[] = []): PacAnswer => ({ decision, dnsQuestions: names.map((name) => ({ fn: 'isInNet', name })), askedMyIp: false });

describe('compareWithRun', () => {
  it('flags a PAC that sends the TURN host DIRECT although TURN over TCP only worked through the proxy', () => {
    const targets = runTargets(PROXIED_RUN);
    const rows = compareWithRun(targets, targets.map(() => answer('DIRECT')), runSawProxy(PROXIED_RUN));
    const turnTcp = rows.find((r) => r.host === 'turn.netready.example' && r.port === 3478);
    expect(turnTcp).toMatchObject({ decision: 'DIRECT', route: 'direct' });
    expect(turnTcp?.contradiction).toMatch(/sends turn\.netready\.example:3478 DIRECT, but in this run it went through a proxy\. The browser that ran the test did not follow this PAC file/);
    // The vendor host failed direct while the proxy worked: the firewall only lets it out through the proxy.
    expect(rows.find((r) => r.host === 'media.meet.example')?.contradiction).toMatch(/direct connections to it failed .* return the proxy for media\.meet\.example in the PAC file, or allow TCP port 443/);
    // UDP never goes through a proxy: nothing to contradict.
    expect(rows.find((r) => r.host === '203.0.113.10')?.contradiction).toBeNull();
  });

  it('agrees when the PAC sends proxied hosts to the proxy, and warns about a proxied host that failed', () => {
    const targets = runTargets(PROXIED_RUN);
    const rows = compareWithRun(targets, targets.map(() => answer('PROXY proxy.corp.example:3128')), true);
    expect(rows.filter((r) => r.observed?.path === 'proxy').map((r) => r.contradiction)).toEqual([null, null, null, null]);
    expect(rows.find((r) => r.host === 'media.meet.example')?.contradiction).toMatch(/through the proxy proxy\.corp\.example:3128, and it could not be reached .* add DIRECT after the proxy/);
  });

  it('flags a PAC that sends a host to a proxy which the run reached directly', () => {
    const targets = runTargets(REAL_DNS_RUN);
    const rows = compareWithRun(targets, targets.map(() => answer('PROXY a.corp.example:3128; DIRECT')), false);
    expect(rows[0]?.contradiction).toMatch(/through the proxy a\.corp\.example:3128, but in this run it went direct\. .* fell back to DIRECT/);
  });

  it('keeps the decision exactly as returned and leaves rows without a decision unjudged', () => {
    const targets = runTargets(PROXIED_RUN);
    const rows = compareWithRun(targets, [answer(' PROXY  p:1 ;DIRECT'), { decision: null, error: { code: 'pac_bad_return', message: 'x' }, dnsQuestions: [], askedMyIp: false }], true);
    expect(rows[0]).toMatchObject({ decision: ' PROXY  p:1 ;DIRECT', route: 'proxy' });
    expect(rows[1]).toMatchObject({ decision: null, route: 'none', contradiction: null, error: { code: 'pac_bad_return' } });
  });
});

describe('serverNotes', () => {
  it('says which names the PAC asked DNS about and that the server did not resolve them', () => {
    const notes = serverNotes([{ fn: 'isInNet', name: 'wiki.corp.example' }, { fn: 'dnsResolve', name: 'wiki.corp.example' }], { address: '127.0.0.1', source: 'assumed', asked: false });
    expect(notes).toEqual([expect.stringMatching(/asks DNS about wiki\.corp\.example \(.*never resolves names .* netready check --pac <url\|file> inside the network/)]);
  });

  it('says when myIpAddress() was answered with an assumed address', () => {
    expect(serverNotes([], { address: '127.0.0.1', source: 'assumed', asked: true })).toEqual([expect.stringMatching(/did not record this computer's local address, so 127\.0\.0\.1 was assumed/)]);
    expect(serverNotes([], { address: '127.0.0.1', source: 'assumed', asked: false })).toEqual([]);
  });
});
