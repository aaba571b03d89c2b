import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacFailureCode, PacJob } from '../../lib/pac/types';
import { PacEvaluator } from './pac-evaluator';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const pacFile = (name: string) => readFileSync(path.join(ROOT, 'testdata', 'pac', name), 'utf8');
const server = (myIp = '192.0.2.10'): PacJob['environment'] => ({ kind: 'server', myIp });

describe('PacEvaluator with the real sandbox (pac-resolver in QuickJS, in a worker thread)', () => {
  const evaluator = new PacEvaluator({ projectRoot: ROOT });
  beforeAll(async () => {
    // Start the worker once, so the limits below measure the PAC and not the worker's start-up.
    await evaluator.evaluate({ pac: pacFile('plain-direct.pac'), queries: [{ url: 'https://warm.example/', host: 'warm.example' }], environment: server() });
  });
  afterAll(() => evaluator.close());

  // file, url, host, myIpAddress(), the decision, the names asked of DNS (answered "unresolvable" on the server)
  const table: Array<[string, string, string, string, string, string[]]> = [
    ['plain-direct.pac', 'https://turn.meet.example:443/', 'turn.meet.example', '192.0.2.10', 'DIRECT', []],
    ['shexpmatch.pac', 'https://wiki.corp.example/', 'wiki.corp.example', '192.0.2.10', 'DIRECT', []],
    ['shexpmatch.pac', 'http://news.example/', 'news.example', '192.0.2.10', 'PROXY proxy.corp.example:3128', []],
    ['shexpmatch.pac', 'https://turn.meet.example:3478/', 'turn.meet.example', '192.0.2.10', 'DIRECT', []],
    ['shexpmatch.pac', 'https://probe.netready.example:8443/', 'probe.netready.example', '192.0.2.10', 'PROXY proxy.corp.example:3128; DIRECT', []],
    ['isinnet.pac', 'https://intranet/', 'intranet', '192.0.2.10', 'DIRECT', []],
    ['isinnet.pac', 'https://192.0.2.44:5349/', '192.0.2.44', '192.0.2.10', 'DIRECT', []],
    ['isinnet.pac', 'https://203.0.113.9:443/', '203.0.113.9', '192.0.2.10', 'PROXY proxy.corp.example:3128', []],
    ['isinnet.pac', 'https://wiki.corp.example/', 'wiki.corp.example', '192.0.2.10', 'PROXY proxy.corp.example:3128', ['wiki.corp.example']],
    ['dnsdomainis-failover.pac', 'https://intranet.corp.example/', 'intranet.corp.example', '192.0.2.10', 'DIRECT', []],
    ['dnsdomainis-failover.pac', 'https://intranet/', 'intranet', '192.0.2.10', 'DIRECT', []],
    ['dnsdomainis-failover.pac', 'https://mail.corp.example/', 'mail.corp.example', '192.0.2.10', 'DIRECT', []],
    ['dnsdomainis-failover.pac', 'https://turn.meet.example:3478/', 'turn.meet.example', '192.0.2.10', 'PROXY a.corp.example:3128; PROXY b.corp.example:8080; DIRECT', []],
    ['myipaddress.pac', 'https://turn.meet.example/', 'turn.meet.example', '198.51.100.23', 'PROXY branch-proxy.corp.example:8080', []],
    ['myipaddress.pac', 'https://turn.meet.example/', 'turn.meet.example', '203.0.113.5', 'DIRECT', []],
    ['dns-resolve.pac', 'https://wiki.corp.example/', 'wiki.corp.example', '192.0.2.10', 'PROXY proxy.corp.example:3128', ['wiki.corp.example']],
    ['dns-resolve.pac', 'https://10.1.2.3/', '10.1.2.3', '192.0.2.10', 'DIRECT', []],
    ['port-and-scheme.pac', 'https://turn.meet.example:3478/', 'turn.meet.example', '192.0.2.10', 'DIRECT', []],
    ['port-and-scheme.pac', 'http://probe.netready.example:8080/', 'probe.netready.example', '192.0.2.10', 'PROXY proxy.corp.example:3128', []],
    ['port-and-scheme.pac', 'https://probe.netready.example:8443/', 'probe.netready.example', '192.0.2.10', 'HTTPS secure-proxy.corp.example:443; PROXY proxy.corp.example:3128', []],
  ];

  it.each(table)('%s decides %s (%s, myIpAddress %s) as in the table', async (file, url, host, myIp, decision, asked) => {
    const evaluation = await evaluator.evaluate({ pac: pacFile(file), queries: [{ url, host }], environment: server(myIp) });
    expect(evaluation.answers[0]?.decision).toBe(decision);
    expect([...new Set(evaluation.answers[0]?.dnsQuestions.map((q) => q.name))]).toEqual(asked);
  });

  it('answers many hosts of one PAC in one evaluation, in order, and says which asked myIpAddress()', async () => {
    const evaluation = await evaluator.evaluate({
      pac: pacFile('myipaddress.pac'),
      queries: [
        { url: 'https://a.example/', host: 'a.example' },
        { url: 'https://b.example/', host: 'b.example' },
      ],
      environment: server('198.51.100.1'),
    });
    expect(evaluation.answers.map((a) => [a.decision, a.askedMyIp])).toEqual([
      ['PROXY branch-proxy.corp.example:8080', true],
      ['PROXY branch-proxy.corp.example:8080', true],
    ]);
    expect(evaluation.myIp).toBe('198.51.100.1');
  });

  const hostile: Array<[string, PacFailureCode]> = [
    ['hostile/infinite-loop.pac', 'pac_timeout'],
    ['hostile/load-loop.pac', 'pac_timeout'],
    ['hostile/huge-allocation.pac', 'pac_memory'],
    ['hostile/syntax-error.pac', 'pac_syntax_error'],
    ['hostile/no-function.pac', 'pac_no_function'],
  ];

  it.each(hostile)('stops or refuses %s within 1 s with %s', async (file, code) => {
    // A stopped PAC's worker is replaced; the limit is about the PAC, not the replacement's start-up.
    await evaluator.warm();
    const started = performance.now();
    await expect(evaluator.evaluate({ pac: pacFile(file), queries: [{ url: 'https://a.example/', host: 'a.example' }], environment: server() })).rejects.toMatchObject({ code });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reports endless recursion and a non-string return per host, and goes on with the next PAC', async () => {
    const recursion = await evaluator.evaluate({ pac: pacFile('hostile/recursion.pac'), queries: [{ url: 'https://a.example/', host: 'a.example' }], environment: server() });
    expect(recursion.answers[0]).toMatchObject({ decision: null, error: { code: 'pac_threw', message: expect.stringMatching(/stack/i) } });
    const number = await evaluator.evaluate({ pac: pacFile('hostile/non-string.pac'), queries: [{ url: 'https://a.example/', host: 'a.example' }], environment: server() });
    expect(number.answers[0]).toMatchObject({ decision: null, error: { code: 'pac_bad_return', message: 'FindProxyForURL returned number, not a string' } });
  });

  describe('while a hostile PAC runs', () => {
    let http: Server;
    beforeAll(async () => {
      http = createServer((_req, res) => res.end('still here'));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

    it('the process keeps answering requests, and the next PAC is evaluated once the hostile one is stopped', async () => {
      const { port } = http.address() as AddressInfo;
      let hostileSettled: number | null = null;
      const hostileRun = evaluator
        .evaluate({ pac: pacFile('hostile/infinite-loop.pac'), queries: [{ url: 'https://a.example/', host: 'a.example' }], environment: server() })
        .catch((error: unknown) => error)
        .finally(() => {
          hostileSettled = performance.now();
        });
      const queued = evaluator.evaluate({ pac: pacFile('plain-direct.pac'), queries: [{ url: 'https://b.example/', host: 'b.example' }], environment: server() });
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const answeredAt = performance.now();
      expect(await response.text()).toBe('still here');
      expect(hostileSettled).toBeNull();
      expect(await hostileRun).toMatchObject({ code: 'pac_timeout' });
      expect(answeredAt).toBeLessThan(hostileSettled ?? 0);
      expect((await queued).answers[0]?.decision).toBe('DIRECT');
    });
  });
});

describe('PacEvaluator without its worker', () => {
  it('says the worker could not start (pac_worker_failed) when the project root holds no worker, and queues nothing forever', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netready-no-pac-worker-'));
    const broken = new PacEvaluator({ projectRoot: dir });
    try {
      await expect(broken.evaluate({ pac: 'function FindProxyForURL() { return "DIRECT"; }', queries: [{ url: 'https://a.example/', host: 'a.example' }], environment: server() })).rejects.toMatchObject({
        code: 'pac_worker_failed',
      });
    } finally {
      await broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
