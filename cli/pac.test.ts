import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROXIED_RUN } from '../lib/pac/testing/proxied-run';
import { PacEvaluator } from '../server/pac/pac-evaluator';
import { main } from './main';
import { checkPacLocally, formatPacCheck, loadPac } from './pac';

const ROOT = path.resolve(import.meta.dirname, '..');
const PAC_DIR = path.join(ROOT, 'testdata', 'pac');

describe('loadPac', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/proxy.pac') res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' }).end('function FindProxyForURL(u, h) { return "DIRECT"; }');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches a PAC URL from this machine and reads a file', async () => {
    expect(await loadPac(`${base}/proxy.pac`)).toEqual({ text: 'function FindProxyForURL(u, h) { return "DIRECT"; }' });
    expect(await loadPac(path.join(PAC_DIR, 'plain-direct.pac'))).toMatchObject({ text: expect.stringContaining('return "DIRECT"') });
  });

  it.each([
    ['a URL that answers 404', () => `${base}/missing.pac`, /answered HTTP 404/],
    ['a file that does not exist', () => path.join(PAC_DIR, 'no-such.pac'), /cannot read --pac file .*ENOENT/],
    ['a scheme other than http(s)', () => 'ftp://wpad.corp.example/proxy.pac', /must be an http\(s\) URL or a file/],
  ])('says clearly what went wrong for %s', async (_what, source, message) => {
    const loaded = await loadPac(source());
    expect(loaded).toEqual({ error: expect.stringMatching(message) });
  });

  it('exits 3 with the reason for a bad --pac, before any browser starts', async () => {
    const errors: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => errors.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await main(['check', '--url', 'http://127.0.0.1:9', '--pac', path.join(PAC_DIR, 'no-such.pac')])).toBe(3);
    } finally {
      process.stderr.write = write;
    }
    expect(errors.join('')).toMatch(/netready: cannot read --pac file .*no-such\.pac: ENOENT/);
  });
});

describe('checkPacLocally (a file run through the local sandbox)', () => {
  const evaluator = new PacEvaluator({ projectRoot: ROOT });
  const dir = mkdtempSync(path.join(tmpdir(), 'netready-cli-pac-'));
  afterAll(async () => {
    await evaluator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints DIRECT/PROXY per host of the run next to what it observed, and the contradictions', async () => {
    const file = path.join(dir, 'proxy.pac');
    writeFileSync(file, 'function FindProxyForURL(url, host) { if (dnsDomainIs(host, ".meet.example")) return "PROXY a.corp.example:3128; DIRECT"; return "DIRECT"; }');
    const loaded = await loadPac(file);
    if (!('text' in loaded)) throw new Error(loaded.error);
    const outcome = await checkPacLocally(PROXIED_RUN, loaded.text, file, evaluator);
    if (!('check' in outcome)) throw new Error(outcome.error.message);
    expect(outcome.check.results.map((r) => [r.host, r.port, r.decision])).toEqual([
      ['probe.netready.example', 8080, 'DIRECT'],
      ['probe.netready.example', 8443, 'DIRECT'],
      ['turn.netready.example', 3478, 'DIRECT'],
      ['turn.netready.example', 5349, 'DIRECT'],
      ['203.0.113.10', 3478, 'DIRECT'],
      ['media.meet.example', 443, 'PROXY a.corp.example:3128; DIRECT'],
    ]);
    const text = formatPacCheck(outcome).join('\n');
    expect(text).toContain(`PAC file ${file}:`);
    expect(text).toContain('  turn.netready.example:3478/tcp (TURN over UDP, TURN over TCP): DIRECT');
    expect(text).toContain('  media.meet.example:443/tcp (vendor host): PROXY a.corp.example:3128, then DIRECT');
    expect(text).toMatch(/CONTRADICTION: The PAC file sends turn\.netready\.example:3478 DIRECT, but in this run it went through a proxy/);
  });

  it('reports a PAC that cannot be evaluated with its code', async () => {
    const outcome = await checkPacLocally(PROXIED_RUN, 'function FindProxyForURL(u, h) {', 'broken.pac', evaluator);
    expect(outcome).toMatchObject({ error: { code: 'pac_syntax_error' } });
    expect(formatPacCheck(outcome)[0]).toMatch(/^PAC file broken\.pac: could not be evaluated \(pac_syntax_error\)/);
  });
});
