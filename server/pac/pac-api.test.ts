import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPacAttachment, type PacCheckResponse } from '../../lib/pac/compare';
import { PROXIED_RUN } from '../../lib/pac/testing/proxied-run';
import { MAX_PAC_BYTES } from '../../lib/pac/types';
import { PEER_ADDRESS_HEADER } from '../api/client-address';
import { SqliteResultStore } from '../store/sqlite-store';
import { createPacRateLimiter, PAC_CHECKS_PER_MINUTE, parseAskedHost, postPacAttach, postPacEvaluate, type PacApiDeps } from './pac-api';
import { PacEvaluator } from './pac-evaluator';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const pacFile = (name: string) => readFileSync(path.join(ROOT, 'testdata', 'pac', name), 'utf8');
const HEADERS = { 'content-type': 'application/json', [PEER_ADDRESS_HEADER]: '198.51.100.7' };

function post(body: unknown, headers: Record<string, string> = HEADERS): Request {
  return new Request('http://netready.example/api/pac/evaluate', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
}

describe('POST /api/pac/evaluate', () => {
  const evaluator = new PacEvaluator({ projectRoot: ROOT });
  let dir: string;
  let store: SqliteResultStore;
  let deps: PacApiDeps;
  let evaluations: number;

  beforeAll(() => evaluator.warm());
  afterAll(() => evaluator.close());
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netready-pac-'));
    store = new SqliteResultStore({ dataDir: dir });
    evaluations = 0;
    deps = {
      evaluate: (job) => {
        evaluations++;
        return evaluator.evaluate(job);
      },
      store,
      retentionDays: 30,
      trustedProxyHops: 0,
      limiter: createPacRateLimiter(),
      vendorHosts: ['join.meet.example'],
    };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function errorOf(response: Response): Promise<[number, string]> {
    const body = (await response.json()) as { error: { code: string } };
    return [response.status, body.error.code];
  }

  it.each([
    ['a body that is not JSON', '{"pac":', 400, 'invalid_json'],
    ['no pac', { hosts: ['a.example'] }, 400, 'invalid_request'],
    ['an empty pac', { pac: '', hosts: ['a.example'] }, 400, 'invalid_request'],
    ['neither hosts nor resultId', { pac: 'function FindProxyForURL(u, h) { return "DIRECT"; }' }, 400, 'invalid_request'],
    ['an unknown field', { pac: 'x', hosts: ['a.example'], url: 'http://wpad.corp.example/proxy.pac' }, 400, 'invalid_request'],
    ['a host that is no host', { pac: 'x', hosts: ['not a host/..'] }, 400, 'invalid_request'],
    ['a host with another scheme', { pac: 'x', hosts: ['file:///etc/passwd'] }, 400, 'invalid_request'],
    ['too many hosts', { pac: 'x', hosts: Array.from({ length: 201 }, (_, i) => `h${i}.example`) }, 400, 'invalid_request'],
    ['a bad myIpAddress', { pac: 'x', hosts: ['a.example'], myIpAddress: 'corp' }, 400, 'invalid_request'],
    ['a PAC over 1 MiB', { pac: `//${'x'.repeat(MAX_PAC_BYTES)}`, hosts: ['a.example'] }, 413, 'payload_too_large'],
    ['an unknown resultId', { pac: 'x', resultId: 'nosuchresult' }, 404, 'not_found'],
  ])('refuses %s with %i %s, evaluating and storing nothing', async (_what, body, status, code) => {
    expect(await errorOf(await postPacEvaluate(post(body), deps))).toEqual([status, code]);
    expect(evaluations).toBe(0);
    expect(await store.get('nosuchresult')).toBeNull();
  });

  it('refuses a body not sent as application/json with 415', async () => {
    expect(await errorOf(await postPacEvaluate(post({ pac: 'x', hosts: ['a.example'] }, { 'content-type': 'text/plain' }), deps))).toEqual([415, 'unsupported_media_type']);
  });

  it(`refuses the ${PAC_CHECKS_PER_MINUTE + 1}th check of a minute from one address with 429`, async () => {
    for (let i = 0; i < PAC_CHECKS_PER_MINUTE; i++) deps.limiter.take('198.51.100.7');
    const response = await postPacEvaluate(post({ pac: 'x', hosts: ['a.example'] }), deps);
    expect(await errorOf(response)).toEqual([429, 'rate_limited']);
    expect(response.headers.get('retry-after')).toBe('60');
  });

  it.each([
    ['hostile/infinite-loop.pac', 'pac_timeout'],
    ['hostile/huge-allocation.pac', 'pac_memory'],
    ['hostile/syntax-error.pac', 'pac_syntax_error'],
    ['hostile/no-function.pac', 'pac_no_function'],
  ])('answers %s with 422 %s', async (file, code) => {
    await evaluator.warm();
    expect(await errorOf(await postPacEvaluate(post({ pac: pacFile(file), hosts: ['a.example'] }), deps))).toEqual([422, code]);
  });

  it('evaluates asked hosts only, with the decision exactly as the PAC returned it', async () => {
    const response = await postPacEvaluate(post({ pac: pacFile('dnsdomainis-failover.pac'), hosts: ['wiki.corp.example', 'turn.meet.example:3478', 'http://news.example/x'] }), deps);
    expect(response.status).toBe(200);
    const body = (await response.json()) as PacCheckResponse;
    expect(body.results.map((r) => [r.host, r.url, r.decision])).toEqual([
      ['wiki.corp.example', 'https://wiki.corp.example/', 'DIRECT'],
      ['turn.meet.example', 'https://turn.meet.example:3478/', 'PROXY a.corp.example:3128; PROXY b.corp.example:8080; DIRECT'],
      ['news.example', 'http://news.example/x', 'PROXY a.corp.example:3128; PROXY b.corp.example:8080; DIRECT'],
    ]);
    expect(body.notes).toEqual([]);
  });

  it("evaluates every host and port of a stored run and the vendor targets, flags the contradictions and reports DNS it did not do", async () => {
    const { id } = await store.put(PROXIED_RUN);
    const response = await postPacEvaluate(post({ pac: pacFile('isinnet.pac'), resultId: id }), deps);
    expect(response.status).toBe(200);
    const body = (await response.json()) as PacCheckResponse;
    expect(body.results.map((r) => `${r.host}:${r.port} ${r.decision}`)).toEqual([
      'probe.netready.example:8080 PROXY proxy.corp.example:3128',
      'probe.netready.example:8443 PROXY proxy.corp.example:3128',
      'turn.netready.example:3478 PROXY proxy.corp.example:3128',
      'turn.netready.example:5349 PROXY proxy.corp.example:3128',
      '203.0.113.10:3478 PROXY proxy.corp.example:3128',
      'media.meet.example:443 PROXY proxy.corp.example:3128',
      'join.meet.example:443 PROXY proxy.corp.example:3128',
    ]);
    expect(body.results.find((r) => r.host === 'media.meet.example')?.contradiction).toMatch(/could not be reached in this run/);
    expect(body.dnsQuestions).toEqual(['probe.netready.example', 'turn.netready.example', 'media.meet.example', 'join.meet.example']);
    expect(body.notes[0]).toMatch(/never resolves names for a PAC file/);

    const direct = (await (await postPacEvaluate(post({ pac: pacFile('plain-direct.pac'), resultId: id }), deps)).json()) as PacCheckResponse;
    expect(direct.results.find((r) => r.host === 'turn.netready.example' && r.port === 3478)?.contradiction).toMatch(/DIRECT, but in this run it went through a proxy/);
  });

  describe('POST /api/pac/attach', () => {
    const attach = (body: unknown, token?: string) => post(body, { ...HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) });

    it('keeps the PAC and its evaluation beside the result for its submitter only', async () => {
      const mine = await store.put(PROXIED_RUN);
      const theirs = await store.put(PROXIED_RUN);
      const pac = pacFile('plain-direct.pac');
      expect(await errorOf(await postPacAttach(attach({ pac, resultId: mine.id }), deps))).toEqual([401, 'delete_token_required']);
      expect(await errorOf(await postPacAttach(attach({ pac, resultId: mine.id }, theirs.deleteToken), deps))).toEqual([403, 'delete_token_invalid']);
      expect(await errorOf(await postPacAttach(attach({ pac, hosts: ['a.example'] }, mine.deleteToken), deps))).toEqual([400, 'invalid_request']);
      expect(await store.get(mine.id)).not.toHaveProperty('pacCheck');

      const response = await postPacAttach(attach({ pac, resultId: mine.id }, mine.deleteToken), deps);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { attached: boolean; check: PacCheckResponse };
      expect(body.attached).toBe(true);
      const kept = readPacAttachment((await store.get(mine.id))?.pacCheck);
      expect(kept?.pac).toBe(pac);
      expect(kept?.check.results.map((r) => r.decision)).toEqual(body.check.results.map((r) => r.decision));
      expect(kept?.check.results.filter((r) => r.contradiction !== null).length).toBeGreaterThan(0);
      expect(await store.get(theirs.id)).not.toHaveProperty('pacCheck');
    });
  });
});

describe('parseAskedHost', () => {
  it.each([
    ['turn.meet.example', 'https://turn.meet.example/', 443],
    ['turn.meet.example:3478', 'https://turn.meet.example:3478/', 3478],
    ['http://probe.example:8080/echo', 'http://probe.example:8080/echo', 8080],
    ['[2001:db8::5]:5349', 'https://[2001:db8::5]:5349/', 5349],
  ])('reads %s as %s', (text, url, port) => {
    expect(parseAskedHost(text)).toMatchObject({ url, port });
  });
});
