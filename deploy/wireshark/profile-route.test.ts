/**
 * `GET /wireshark-profile.zip` (app/wireshark-profile.zip/route.ts → lib/capture-kit/profile-zip.ts answerProfileRequest):
 * the zip as an independent reader (Python's zipfile) unpacks it, its headers, and `?result=` against a real SQLite
 * result store. Here rather than beside the route: vitest runs no tests under app/, and lib/ tests may not use server/.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api/api-error';
import { answerProfileRequest, zipProfile } from '../../lib/capture-kit/profile-zip';
import { readRealResult } from '../../lib/capture-kit/testing/real-results';
import { temporaryFolder } from '../../lib/capture-kit/testing/wireshark';
import { PROFILE_NAME, profileFiles, scopeFromConfig } from '../../lib/capture-kit/wireshark-profile';
import { ConfigSchema, type ConfigInput } from '../../lib/config/schema';
import { readLiveResult } from '../../server/api/results-api';
import { SqliteResultStore } from '../../server/store/sqlite-store';

const REAL_DNS_RUN = readRealResult('chromium-156-loopback-dns.json');
const config = (input: ConfigInput = {}) => ConfigSchema.parse(input);
/** A deployment with its own public address and zone. */
const PUBLIC: ConfigInput = { probe: { publicIp: '203.0.113.10' }, dns: { zone: 'probe.example.org' } };

describe('GET /wireshark-profile.zip', () => {
  const data = temporaryFolder('netready-profile-store-');
  const store = new SqliteResultStore({ dataDir: data.dir });
  const deps = {
    config: config(PUBLIC),
    readResult: async (id: string) => (await readLiveResult(id, { store, retentionDays: 30 }))?.result ?? null,
  };
  afterAll(async () => {
    await store.close();
    data.remove();
  });

  /** The zip's entries as Python's zipfile (an independent reader) sees them. */
  function unzipWithPython(bytes: Uint8Array): Record<string, string> {
    const script = 'import sys,zipfile,io,json\nz=zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\nassert z.testzip() is None\nprint(json.dumps({n: z.read(n).decode("utf-8") for n in z.namelist()}))';
    const out = spawnSync('python3', ['-c', script], { input: Buffer.from(bytes), encoding: 'utf8' });
    expect(out.stderr).toBe('');
    return JSON.parse(out.stdout) as Record<string, string>;
  }

  it("answers a zip of the deployment's profile in one top-level folder named after it", async () => {
    const response = await answerProfileRequest(new URL('http://localhost/wireshark-profile.zip'), deps);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="netready-wireshark-profile.zip"');
    const entries = unzipWithPython(new Uint8Array(await response.arrayBuffer()));
    const files = profileFiles(scopeFromConfig(deps.config));
    expect(entries).toEqual(Object.fromEntries(Object.entries(files).map(([name, text]) => [`${PROFILE_NAME}/${name}`, text])));
    expect(entries[`${PROFILE_NAME}/dfilter_buttons`]).toContain('203.0.113.10');
  });

  it("narrows the session button to a stored result's addresses with ?result=", async () => {
    const { id } = await store.put(REAL_DNS_RUN);
    const response = await answerProfileRequest(new URL(`http://localhost/wireshark-profile.zip?result=${id}`), deps);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="netready-wireshark-profile-${id}.zip"`);
    const buttons = unzipWithPython(new Uint8Array(await response.arrayBuffer()))[`${PROFILE_NAME}/dfilter_buttons`]!;
    expect(buttons.split('\n')[0]).toContain('ip.addr == 127.0.0.1 && (udp.port in {');
    expect(buttons.split('\n')[0]).not.toContain('203.0.113.10');
  });

  it.each([
    ['an unknown result', 'AAAAAAAAAAAAAAAAAAAAAA', 'not_found'],
    ['a malformed id', '../etc', 'invalid_request'],
  ])('refuses %s with %s', async (_name, id, code) => {
    await expect(answerProfileRequest(new URL(`http://localhost/wireshark-profile.zip?result=${encodeURIComponent(id)}`), deps)).rejects.toMatchObject({ code });
    await expect(answerProfileRequest(new URL(`http://localhost/wireshark-profile.zip?result=${encodeURIComponent(id)}`), deps)).rejects.toBeInstanceOf(ApiError);
  });

  it('gives the same bytes for the same profile', () => {
    const files = profileFiles(scopeFromConfig(config()));
    expect(Buffer.from(zipProfile(files)).equals(Buffer.from(zipProfile(files)))).toBe(true);
  });
});
