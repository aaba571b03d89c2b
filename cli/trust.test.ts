/**
 * `netready trust` / `untrust` against real NSS databases (certutil from libnss3-tools) in a temporary HOME, and a
 * temporary folder standing in for the system store (NETREADY_TRUST_TEST_SYSTEM_STORE) — never the real one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devCaId, ensureDevCertificate } from '../server/tls/dev-ca';
import { EXIT_TRUST_COULD_NOT_RUN, EXIT_TRUST_DONE, EXIT_TRUST_PARTLY, runTrustCommand, TEST_SYSTEM_STORE_ENV } from './trust';
import { applyTrust, nssTrustFlags, type CommandResult, type TrustContext } from './trust-stores';

let root: string;
let home: string;
let dataDir: string;
let systemStore: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'netready-trust-test-'));
  home = path.join(root, 'home');
  dataDir = path.join(root, 'data');
  systemStore = path.join(root, 'system-store');
  mkdirSync(home);
  mkdirSync(systemStore);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Runs the command like the CLI does, with the temporary HOME, data folder and system-store folder. */
async function run(command: 'trust' | 'untrust', extraEnv: Record<string, string> = {}, argv: string[] = []): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTrustCommand(command, argv, {
    env: { PATH: process.env.PATH, HOME: home, NETREADY_DATA_DIR: dataDir, [TEST_SYSTEM_STORE_ENV]: systemStore, NETREADY_CONFIG: path.join(root, 'none.json'), ...extraEnv },
    cwd: root,
    out: (line) => out.push(...line.split('\n')),
    err: (line) => err.push(...line.split('\n')),
    isRoot: false,
    interactive: false,
  });
  return { code, out, err };
}

/** `certutil -L` of an NSS database folder. */
function listNss(dir: string): string {
  return execFileSync('certutil', ['-L', '-d', `sql:${dir}`], { encoding: 'utf8' });
}

function caPem(): string {
  return readFileSync(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');
}

const nssdb = (): string => path.join(home, '.pki', 'nssdb');

beforeEach(() => {
  // An empty config file: only the environment configures these runs.
  writeFileSync(path.join(root, 'none.json'), '{}');
});

describe('netready trust / untrust with real certutil', () => {
  it('trust creates ~/.pki/nssdb, trusts the CA there for TLS servers and writes the system-store file; untrust removes both', async () => {
    const trusted = await run('trust');
    expect(trusted.code).toBe(EXIT_TRUST_DONE);
    const id = devCaId(caPem());
    expect(nssTrustFlags(listNss(nssdb()), `netready development CA ${id}`)).toBe('C,,');
    const crt = path.join(systemStore, `netready-dev-ca-${id}.crt`);
    expect(readFileSync(crt, 'utf8')).toBe(caPem());
    expect(trusted.out).toEqual(
      expect.arrayContaining([
        `  Chromium/Chrome NSS database ~/.pki/nssdb: added`,
        `  system store (test folder) ${crt}: added`,
        'Restart Chromium/Chrome and Firefox so they pick up the change.',
        'Undo with: npx netready untrust',
      ]),
    );
    expect(trusted.out[0]).toMatch(new RegExp(`^Development CA "netready dev CA [0-9a-f]{8}" \\(${id}\\), .*ca\\.pem \\(made now\\); it may only sign for localhost, 127\\.0\\.0\\.0/8, ::1/128$`));

    const untrusted = await run('untrust');
    expect(untrusted.code).toBe(EXIT_TRUST_DONE);
    expect(untrusted.out).toEqual(expect.arrayContaining([`  Chromium/Chrome NSS database ~/.pki/nssdb: removed`, `  system store (test folder) ${crt}: removed`]));
    expect(nssTrustFlags(listNss(nssdb()), `netready development CA ${id}`)).toBeNull();
    expect(existsSync(crt)).toBe(false);
  });

  it('running trust twice changes nothing the second time, and untrust twice says "not there"', async () => {
    await run('trust');
    const listing = listNss(nssdb());
    const again = await run('trust');
    expect(again.code).toBe(EXIT_TRUST_DONE);
    expect(again.out.filter((line) => line.startsWith('  '))).toEqual([
      '  Chromium/Chrome NSS database ~/.pki/nssdb: already there',
      expect.stringMatching(/^ {2}Firefox: skipped: no profile/),
      expect.stringMatching(/^ {2}system store \(test folder\) .*: already there$/),
    ]);
    expect(again.out).not.toContain('Restart Chromium/Chrome and Firefox so they pick up the change.');
    expect(listNss(nssdb())).toBe(listing);

    await run('untrust');
    const twice = await run('untrust');
    expect(twice.code).toBe(EXIT_TRUST_DONE);
    expect(twice.out.filter((line) => line.startsWith('  '))).toEqual([
      '  Chromium/Chrome NSS database ~/.pki/nssdb: not there',
      expect.stringMatching(/^ {2}system store \(test folder\) .*: not there$/),
    ]);
  });

  it('leaves a foreign CA in the same NSS database untouched', async () => {
    mkdirSync(nssdb(), { recursive: true });
    execFileSync('certutil', ['-N', '-d', `sql:${nssdb()}`, '--empty-password']);
    const foreign = await ensureDevCertificate({ dataDir: path.join(root, 'foreign'), hostNames: [], ipAddresses: [] });
    execFileSync('certutil', ['-A', '-d', `sql:${nssdb()}`, '-n', 'Corporate Root CA', '-t', 'CT,C,C', '-i', foreign.caCertFile]);

    await run('trust');
    await run('untrust');
    const listing = listNss(nssdb());
    expect(nssTrustFlags(listing, 'Corporate Root CA')).toBe('CT,C,C');
    expect(listing).not.toContain('netready development CA');
  });

  it('trusts the CA in every Firefox profile that has a certificate database, and removes it from each', async () => {
    const profile = path.join(home, '.mozilla', 'firefox', 'abcd1234.default-release');
    const snapProfile = path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox', 'efgh5678.default');
    const noDb = path.join(home, '.mozilla', 'firefox', 'Crash Reports');
    for (const dir of [profile, snapProfile]) {
      mkdirSync(dir, { recursive: true });
      execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
    }
    mkdirSync(noDb, { recursive: true });
    const trusted = await run('trust');
    expect(trusted.code).toBe(EXIT_TRUST_DONE);
    expect(trusted.out).toEqual(
      expect.arrayContaining([
        '  Firefox profile abcd1234.default-release ~/.mozilla/firefox/abcd1234.default-release: added',
        '  Firefox profile efgh5678.default ~/snap/firefox/common/.mozilla/firefox/efgh5678.default: added',
      ]),
    );
    expect(trusted.out.join('\n')).not.toContain('Crash Reports');
    const nickname = `netready development CA ${devCaId(caPem())}`;
    expect(nssTrustFlags(listNss(profile), nickname)).toBe('C,,');
    expect(nssTrustFlags(listNss(snapProfile), nickname)).toBe('C,,');

    await run('untrust');
    expect(nssTrustFlags(listNss(profile), nickname)).toBeNull();
    expect(nssTrustFlags(listNss(snapProfile), nickname)).toBeNull();
  });

  it('untrust also removes a CA that a later start replaced (kept in <dataDir>/tls/retired/)', async () => {
    await run('trust');
    const oldId = devCaId(caPem());
    // A new public host is outside the old CA's name constraints, so the next trust makes (and trusts) a new CA.
    const second = await run('trust', { NETREADY_PUBLIC_HOST: 'probe.example.org' });
    expect(second.out[0]).toMatch(/^note: the development CA may only sign for localhost, 127\.0\.0\.0\/8, ::1\/128, not probe\.example\.org/);
    const newId = devCaId(caPem());
    expect(newId).not.toBe(oldId);
    expect(nssTrustFlags(listNss(nssdb()), `netready development CA ${oldId}`)).toBe('C,,');
    expect(nssTrustFlags(listNss(nssdb()), `netready development CA ${newId}`)).toBe('C,,');

    const untrusted = await run('untrust', { NETREADY_PUBLIC_HOST: 'probe.example.org' });
    expect(untrusted.code).toBe(EXIT_TRUST_DONE);
    expect(untrusted.out).toEqual(expect.arrayContaining([`CA ${newId} (current):`, `CA ${oldId}:`]));
    expect(listNss(nssdb())).not.toContain('netready development CA');
    expect(existsSync(path.join(systemStore, `netready-dev-ca-${oldId}.crt`))).toBe(false);
  });

  it('says exactly what to install when certutil is missing, and exits 1', async () => {
    // A PATH with apt-get but no certutil.
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    symlinkSync('/bin/true', path.join(bin, 'apt-get'));
    const result = await run('trust', { PATH: bin });
    expect(result.code).toBe(EXIT_TRUST_PARTLY);
    expect(result.out).toContain('  Chromium/Chrome NSS database ~/.pki/nssdb: skipped: certutil not found; install it: sudo apt-get install libnss3-tools');
    expect(result.out).not.toContain('Undo with: npx netready untrust');
  });

  it('with a configured certificate (tls.certFile) says there is nothing to trust and changes nothing', async () => {
    const result = await run('trust', { NETREADY_TLS_CERT: '/etc/netready/fullchain.pem', NETREADY_TLS_KEY: '/etc/netready/key.pem' });
    expect(result.code).toBe(EXIT_TRUST_DONE);
    expect(result.out).toEqual(['netready serves the configured certificate /etc/netready/fullchain.pem (tls.certFile), not the development CA: nothing to trust.']);
    expect(existsSync(nssdb())).toBe(false);
  });

  it('with ACME certificates (tls.acme) says there is nothing to trust', async () => {
    const result = await run('trust', { NETREADY_ACME_TOS_AGREED: 'true', NETREADY_ACME_DOMAINS: 'probe.example.org' });
    expect(result.code).toBe(EXIT_TRUST_DONE);
    expect(result.out).toEqual(['netready serves certificates from the ACME CA https://acme-v02.api.letsencrypt.org/directory (tls.acme), not the development CA: nothing to trust.']);
    expect(existsSync(nssdb())).toBe(false);
  });

  it('untrust without any development CA says there is nothing to remove', async () => {
    const result = await run('untrust');
    expect(result.code).toBe(EXIT_TRUST_DONE);
    expect(result.out).toEqual([`No development CA in ${path.join(dataDir, 'tls')}: nothing to remove.`]);
  });

  it('rejects arguments with the usage text and exit code 3, and prints the usage for --help', async () => {
    const bad = await run('trust', {}, ['--force']);
    expect(bad.code).toBe(EXIT_TRUST_COULD_NOT_RUN);
    expect(bad.err[0]).toBe('netready: trust takes no arguments, got "--force"');
    expect(bad.err).toContain('Usage: netready trust');
    const help = await run('untrust', {}, ['--help']);
    expect(help.code).toBe(EXIT_TRUST_DONE);
    expect(help.out[0]).toBe('Usage: netready trust');
  });

  it('stops with exit code 3 and the field name on a bad configuration', async () => {
    const result = await run('trust', { NETREADY_PUBLIC_IP: 'not-an-ip' });
    expect(result.code).toBe(EXIT_TRUST_COULD_NOT_RUN);
    expect(result.err.join('\n')).toMatch(/probe\.publicIp: must be an IPv4 address/);
  });
});

describe('the system store without root (commands recorded, never run)', () => {
  /** A context for the given platform whose command runner records calls and answers from `answer`. */
  function recordingContext(platform: NodeJS.Platform, commands: string[], answer: (file: string, args: string[]) => Partial<CommandResult>, tools: string[]): TrustContext {
    return {
      platform,
      home,
      isRoot: false,
      interactive: false,
      hasCommand: (name) => tools.includes(name),
      run: async (file, args) => {
        commands.push([file, ...args].join(' '));
        return { code: 0, stdout: '', stderr: '', missing: false, ...answer(file, args) };
      },
    };
  }

  async function devCa(): Promise<{ pem: string; file: string; id: string }> {
    const cert = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
    return { pem: cert.caPem, file: cert.caCertFile, id: devCaId(cert.caPem) };
  }

  it.runIf(existsSync('/usr/local/share/ca-certificates'))('on Debian without sudo: skipped, naming the commands to run as root', async () => {
    const ca = await devCa();
    const commands: string[] = [];
    const lines = await applyTrust(recordingContext('linux', commands, () => ({}), []), ca, true);
    const system = lines.find((line) => line.store.startsWith('system store'))!;
    expect(system).toMatchObject({ status: 'skipped', reason: 'needs root, and sudo is not installed', problem: true });
    expect(system.command).toBe(`sudo install -m 0644 ${ca.file} /usr/local/share/ca-certificates/netready-dev-ca-${ca.id}.crt && sudo update-ca-certificates`);
    expect(commands).toEqual([]);
  });

  it.runIf(existsSync('/usr/local/share/ca-certificates'))('on Debian with sudo that needs a password (no terminal): tries sudo -n, then skips with its message', async () => {
    const ca = await devCa();
    const commands: string[] = [];
    const context = recordingContext('linux', commands, (file) => (file === 'sudo' ? { code: 1, stderr: 'sudo: a password is required\n' } : {}), ['sudo']);
    const lines = await applyTrust(context, ca, true);
    const system = lines.find((line) => line.store.startsWith('system store'))!;
    expect(system).toMatchObject({ status: 'skipped', reason: 'sudo install failed: sudo: a password is required', problem: true });
    expect(commands).toEqual([`sudo -n -- install -m 0644 ${ca.file} /usr/local/share/ca-certificates/netready-dev-ca-${ca.id}.crt`]);
  });

  it('on macOS adds to the System keychain with security add-trusted-cert -d -r trustRoot through sudo', async () => {
    const ca = await devCa();
    const commands: string[] = [];
    const lines = await applyTrust(recordingContext('darwin', commands, (_file, args) => (args[0] === 'find-certificate' ? { code: 44 } : {}), ['sudo']), ca, true);
    expect(lines.at(-1)).toMatchObject({ store: 'macOS System keychain', status: 'added' });
    expect(commands.at(-1)).toBe(`sudo -n -- security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${ca.file}`);
  });

  it('on macOS untrust removes the trust settings and deletes exactly this certificate by its SHA-1', async () => {
    const ca = await devCa();
    const sha1 = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha1', '-in', ca.file], { encoding: 'utf8' }).trim().split('=')[1]!.replace(/:/g, '');
    const commands: string[] = [];
    const context = recordingContext('darwin', commands, (_file, args) => (args[0] === 'find-certificate' ? { stdout: `SHA-1 hash: ${sha1}\n` } : {}), ['sudo']);
    const lines = await applyTrust(context, ca, false);
    expect(lines.at(-1)).toMatchObject({ store: 'macOS System keychain', status: 'removed' });
    expect(commands.slice(-2)).toEqual([
      `sudo -n -- security remove-trusted-cert -d ${ca.file}`,
      `sudo -n -- security delete-certificate -Z ${sha1} /Library/Keychains/System.keychain`,
    ]);
  });

  it('on Windows adds with certutil -addstore -f ROOT and, without an administrator, says where to run it', async () => {
    const ca = await devCa();
    const commands: string[] = [];
    const context = recordingContext('win32', commands, (_file, args) => (args[0] === '-store' ? { code: 1 } : { code: 5, stdout: 'CertUtil: -addstore command FAILED: 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)\n' }), []);
    const lines = await applyTrust(context, ca, true);
    expect(lines[0]).toMatchObject({ store: 'Windows ROOT store', status: 'skipped', problem: true, command: `certutil -addstore -f ROOT ${ca.file}  (in an administrator prompt)` });
    expect(lines[0]!.reason).toContain('ERROR_ACCESS_DENIED');
    expect(commands).toContain(`certutil -addstore -f ROOT ${ca.file}`);
  });
});
