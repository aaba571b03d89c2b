/**
 * The certificate stores `netready trust` installs the development CA into, and `netready untrust` removes it from.
 * The facts follow mkcert (FiloSottile/mkcert truststore_linux.go, truststore_nss.go, truststore_darwin.go,
 * truststore_windows.go); the code is our own:
 *
 * - NSS databases, changed with `certutil` (libnss3-tools): `~/.pki/nssdb`, which Chromium and Chrome read on Linux
 *   (created when missing, so a browser never started before still trusts the CA on its first start), the snap
 *   Chromium's `~/snap/chromium/current/.pki/nssdb`, and every Firefox profile with a cert9.db (or legacy cert8.db)
 *   under `~/.mozilla/firefox/`, `~/snap/firefox/common/.mozilla/firefox/` (Linux) or
 *   `~/Library/Application Support/Firefox/Profiles/` (macOS).
 * - The system store: Fedora/RHEL `/etc/pki/ca-trust/source/anchors/` + `update-ca-trust extract`, Debian/Ubuntu
 *   `/usr/local/share/ca-certificates/` + `update-ca-certificates`, Arch `/etc/ca-certificates/trust-source/anchors/`
 *   + `trust extract-compat` (what `trust anchor --store` does, but under a file name we choose, so `untrust`
 *   removes exactly our file), openSUSE `/usr/share/pki/trust/anchors/` + `update-ca-certificates`; macOS the System
 *   keychain (`security add-trusted-cert -d -r trustRoot`); Windows the machine ROOT store (`certutil -addstore`).
 *   As root directly, else through sudo; when that is not possible the line says what to run.
 *
 * Everything added is named after the CA's fingerprint (`netready development CA <id>`,
 * `netready-dev-ca-<id>.crt`), so `untrust` removes what this installation added and nothing else.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a command printed and how it ended; `missing` when the program does not exist. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

/** Runs a program without a shell. `interactive` lets it talk to the terminal (sudo's password prompt). */
export type RunCommand = (file: string, args: string[], options?: { interactive?: boolean }) => Promise<CommandResult>;

/** Where and how the stores are reached; tests pass a temporary home and system-store folder. */
export interface TrustContext {
  platform: NodeJS.Platform;
  /** The user's home folder (browser profiles and `~/.pki/nssdb` are under it). */
  home: string;
  /** Running as root (Unix): the system store is changed directly, without sudo. */
  isRoot: boolean;
  /** stdin is a terminal, so sudo may ask for a password; otherwise sudo runs with -n and fails instead of asking. */
  interactive: boolean;
  /**
   * For tests only: a folder used as the system store (Debian layout, `<id>.crt`, no update command, no root
   * needed). Set by the internal environment variable NETREADY_TRUST_TEST_SYSTEM_STORE (cli/trust.ts).
   */
  systemStoreDir?: string;
  run: RunCommand;
  /** Whether a program is on PATH. */
  hasCommand(name: string): boolean;
}

/** A CA to install or remove. */
export interface CaCertificate {
  /** PEM text. */
  pem: string;
  /** A file holding exactly this PEM (certutil, security and the system store read it). */
  file: string;
  /** First 16 hex digits of the SHA-256 fingerprint (server/tls/dev-ca.ts devCaId). */
  id: string;
}

/** Outcome of one store. */
export type StoreStatus = 'added' | 'already there' | 'removed' | 'not there' | 'skipped';

/** One line of `netready trust`/`untrust` output. */
export interface StoreLine {
  /** What the store is, e.g. "Chromium/Chrome NSS database". */
  store: string;
  /** Where it is: a folder, file or keychain; absent when there is none. */
  location?: string;
  status: StoreStatus;
  /** Why it was skipped, or a detail. */
  reason?: string;
  /** The command that does it by hand (when skipped for lack of rights or tools). */
  command?: string;
  /** True when this line means the CA is not (or no longer) where it should be: the exit code is 1. */
  problem: boolean;
  /** A browser should be restarted to notice the change. */
  restartBrowser: boolean;
}

/** The NSS nickname of a CA: unique to this CA, so `untrust` deletes only what `trust` added. */
export function nssNickname(ca: CaCertificate): string {
  return `netready development CA ${ca.id}`;
}

/** File name (without extension) of the CA in the system store. */
export function systemStoreName(ca: CaCertificate): string {
  return `netready-dev-ca-${ca.id}`;
}

/** Quotes an argument for a POSIX shell command the user may copy. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function commandLine(args: string[]): string {
  return args.map(shellQuote).join(' ');
}

/** Spawns without a shell; resolves (never rejects) with the outcome. */
export const runCommand: RunCommand = (file, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(file, args, { stdio: [options.interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, stdout, stderr: stderr || error.message, missing: error.code === 'ENOENT' }));
    child.once('close', (code) => resolve({ code, stdout, stderr, missing: false }));
  });

/** Whether `name` is an executable on PATH (or an absolute path to one). */
export function commandOnPath(name: string, envPath: string | undefined): boolean {
  const candidates = name.includes('/') ? [name] : (envPath ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** The first line of a command's complaint, for a `skipped: …` reason. */
function firstLine(result: CommandResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split('\n')[0] ?? '';
  return text || `exit code ${result.code ?? 'unknown'}`;
}

// ---------------------------------------------------------------------------------------------------------------
// NSS (Chromium/Chrome on Linux, Firefox everywhere but Windows)

/** An NSS database folder to consider. */
interface NssDatabase {
  store: string;
  dir: string;
  /** Create it when missing (only `~/.pki/nssdb`: Chromium makes the same on first start). */
  create: boolean;
}

function firefoxProfileRoots(context: TrustContext): string[] {
  if (context.platform === 'darwin') return [path.join(context.home, 'Library', 'Application Support', 'Firefox', 'Profiles')];
  return [path.join(context.home, '.mozilla', 'firefox'), path.join(context.home, 'snap', 'firefox', 'common', '.mozilla', 'firefox')];
}

/** The NSS databases of this user: Chromium's (Linux) and each Firefox profile that has a certificate database. */
function nssDatabases(context: TrustContext): NssDatabase[] {
  const databases: NssDatabase[] = [];
  if (context.platform === 'linux') {
    databases.push({ store: 'Chromium/Chrome NSS database', dir: path.join(context.home, '.pki', 'nssdb'), create: true });
    const snap = path.join(context.home, 'snap', 'chromium', 'current', '.pki', 'nssdb');
    if (existsSync(snap)) databases.push({ store: 'Chromium (snap) NSS database', dir: snap, create: false });
  }
  for (const root of firefoxProfileRoots(context)) {
    let entries: string[];
    try {
      entries = readdirSync(root).sort();
    } catch {
      continue;
    }
    for (const entry of entries) {
      const dir = path.join(root, entry);
      if (existsSync(path.join(dir, 'cert9.db')) || existsSync(path.join(dir, 'cert8.db'))) {
        databases.push({ store: `Firefox profile ${entry}`, dir, create: false });
      }
    }
  }
  return databases;
}

/** certutil's database argument: `sql:` for cert9.db, `dbm:` for the legacy cert8.db. */
function nssDbArg(dir: string): string {
  return !existsSync(path.join(dir, 'cert9.db')) && existsSync(path.join(dir, 'cert8.db')) ? `dbm:${dir}` : `sql:${dir}`;
}

/** How to get certutil on this system. */
export function certutilInstallHint(context: TrustContext): string {
  if (context.platform === 'darwin') return 'brew install nss';
  if (context.hasCommand('apt-get')) return 'sudo apt-get install libnss3-tools';
  if (context.hasCommand('dnf')) return 'sudo dnf install nss-tools';
  if (context.hasCommand('yum')) return 'sudo yum install nss-tools';
  if (context.hasCommand('pacman')) return 'sudo pacman -S nss';
  if (context.hasCommand('zypper')) return 'sudo zypper install mozilla-nss-tools';
  return 'install NSS tools (the package with certutil: libnss3-tools on Debian/Ubuntu, nss-tools on Fedora)';
}

/**
 * The trust flags certutil lists for `nickname`, or null when the database has no such certificate. `certutil -L`
 * prints one line per certificate: the nickname, padding, then `SSL,S/MIME,JAR/XPI` flags such as `C,,`.
 */
export function nssTrustFlags(listing: string, nickname: string): string | null {
  for (const line of listing.split('\n')) {
    const match = /^(.*\S)\s+([A-Za-z]*,[A-Za-z]*,[A-Za-z]*)\s*$/.exec(line);
    if (match && match[1] === nickname) return match[2]!;
  }
  return null;
}

async function trustNss(context: TrustContext, ca: CaCertificate, install: boolean): Promise<StoreLine[]> {
  const databases = nssDatabases(context);
  const lines: StoreLine[] = [];
  const nickname = nssNickname(ca);
  const certutil = context.hasCommand('certutil');
  for (const db of databases) {
    const base = { store: db.store, location: db.dir, restartBrowser: false };
    const exists = existsSync(db.dir) && (existsSync(path.join(db.dir, 'cert9.db')) || existsSync(path.join(db.dir, 'cert8.db')));
    if (!install && !exists) continue; // nothing there to remove from; not worth a line
    if (!certutil) {
      lines.push({ ...base, status: 'skipped', reason: `certutil not found; install it: ${certutilInstallHint(context)}`, problem: true });
      continue;
    }
    if (!exists) {
      // Chromium creates the same database (empty password) on its first start; making it now means the CA is
      // already there then.
      mkdirSync(db.dir, { recursive: true, mode: 0o700 });
      const created = await context.run('certutil', ['-N', '-d', `sql:${db.dir}`, '--empty-password']);
      if (created.code !== 0) {
        lines.push({ ...base, status: 'skipped', reason: `could not create the database: ${firstLine(created)}`, problem: true });
        continue;
      }
    }
    const dbArg = nssDbArg(db.dir);
    const listed = await context.run('certutil', ['-L', '-d', dbArg]);
    if (listed.code !== 0) {
      lines.push({ ...base, status: 'skipped', reason: `certutil could not read it: ${firstLine(listed)}`, problem: true });
      continue;
    }
    const flags = nssTrustFlags(listed.stdout, nickname);
    if (install) {
      // `C` in the first (SSL) field: a trusted CA for TLS servers.
      if (flags !== null && flags.split(',')[0]!.includes('C')) {
        lines.push({ ...base, status: 'already there', problem: false });
        continue;
      }
      const args = ['-A', '-d', dbArg, '-t', 'C,,', '-n', nickname, '-i', ca.file];
      const added = await context.run('certutil', args);
      if (added.code !== 0) {
        lines.push({ ...base, status: 'skipped', reason: firstLine(added), command: commandLine(['certutil', ...args]), problem: true });
        continue;
      }
      lines.push({ ...base, status: 'added', problem: false, restartBrowser: true });
    } else {
      if (flags === null) {
        lines.push({ ...base, status: 'not there', problem: false });
        continue;
      }
      const args = ['-D', '-d', dbArg, '-n', nickname];
      const removed = await context.run('certutil', args);
      if (removed.code !== 0) {
        lines.push({ ...base, status: 'skipped', reason: firstLine(removed), command: commandLine(['certutil', ...args]), problem: true });
        continue;
      }
      lines.push({ ...base, status: 'removed', problem: false, restartBrowser: true });
    }
  }
  if (install && context.platform !== 'win32' && !databases.some((db) => db.store.startsWith('Firefox'))) {
    lines.push({
      store: 'Firefox',
      status: 'skipped',
      reason: `no profile with a certificate database under ${firefoxProfileRoots(context).join(' or ')} (start Firefox once, then run this again)`,
      problem: false,
      restartBrowser: false,
    });
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// The system store

/** A Linux system store: where CA files go and the command that rebuilds the bundle. */
interface LinuxSystemStore {
  name: string;
  dir: string;
  extension: '.crt' | '.pem';
  update: string[] | null;
}

/** The Linux system stores netready knows, in mkcert's order of preference. */
const LINUX_SYSTEM_STORES: LinuxSystemStore[] = [
  { name: 'system store (Fedora/RHEL)', dir: '/etc/pki/ca-trust/source/anchors', extension: '.pem', update: ['update-ca-trust', 'extract'] },
  { name: 'system store (Debian/Ubuntu)', dir: '/usr/local/share/ca-certificates', extension: '.crt', update: ['update-ca-certificates'] },
  { name: 'system store (Arch)', dir: '/etc/ca-certificates/trust-source/anchors', extension: '.crt', update: ['trust', 'extract-compat'] },
  { name: 'system store (openSUSE)', dir: '/usr/share/pki/trust/anchors', extension: '.pem', update: ['update-ca-certificates'] },
];

function linuxSystemStore(context: TrustContext): LinuxSystemStore | null {
  if (context.systemStoreDir) return { name: 'system store (test folder)', dir: context.systemStoreDir, extension: '.crt', update: null };
  return LINUX_SYSTEM_STORES.find((store) => existsSync(store.dir)) ?? null;
}

/**
 * Runs commands that need root: directly as root (or in the test folder), else each through sudo (`-n` when no
 * terminal can answer a password prompt). Resolves with null on success, else the reason.
 */
async function runPrivileged(context: TrustContext, commands: string[][], needsRoot: boolean): Promise<string | null> {
  const direct = !needsRoot || context.isRoot;
  if (!direct && !context.hasCommand('sudo')) return 'needs root, and sudo is not installed';
  for (const command of commands) {
    const [file, ...args] = direct ? command : ['sudo', ...(context.interactive ? ['--prompt=[sudo] password for %p (netready trust): '] : ['-n']), '--', ...command];
    const result = await context.run(file!, args, { interactive: !direct && context.interactive });
    if (result.missing) return `${file} not found`;
    if (result.code !== 0) return direct ? `${command[0]} failed: ${firstLine(result)}` : `sudo ${command[0]} failed: ${firstLine(result)}`;
  }
  return null;
}

async function trustLinuxSystem(context: TrustContext, ca: CaCertificate, install: boolean): Promise<StoreLine> {
  const store = linuxSystemStore(context);
  if (store === null) {
    return {
      store: 'system store',
      status: 'skipped',
      reason: `no system CA folder known to netready on this Linux${install ? `; install ${ca.file} by hand if programs other than browsers should trust it` : ''}`,
      problem: false,
      restartBrowser: false,
    };
  }
  const target = path.join(store.dir, `${systemStoreName(ca)}${store.extension}`);
  const base = { store: store.name, location: target, restartBrowser: false };
  const present = existsSync(target);
  const testFolder = context.systemStoreDir !== undefined;
  const copy = ['install', '-m', '0644', ca.file, target];
  const remove = ['rm', '-f', target];
  const commands = [install ? copy : remove, ...(store.update ? [store.update] : [])];
  const byHand = (context.isRoot ? commands : commands.map((command) => ['sudo', ...command])).map(commandLine).join(' && ');
  if (install && present && readFileSync(target, 'utf8').trim() === ca.pem.trim()) return { ...base, status: 'already there', problem: false };
  if (!install && !present) return { ...base, status: 'not there', problem: false };
  if (testFolder) {
    // The test folder stands in for the store: plain file operations, no bundle to rebuild.
    if (install) {
      mkdirSync(store.dir, { recursive: true });
      writeFileSync(target, ca.pem, { mode: 0o644 });
    } else rmSync(target);
  } else {
    const failed = await runPrivileged(context, commands, true);
    if (failed !== null) return { ...base, status: 'skipped', reason: failed, command: byHand, problem: true };
  }
  return { ...base, status: install ? 'added' : 'removed', problem: false };
}

/** The System keychain of macOS. */
const MAC_SYSTEM_KEYCHAIN = '/Library/Keychains/System.keychain';

async function trustMacSystem(context: TrustContext, ca: CaCertificate, install: boolean): Promise<StoreLine> {
  const base = { store: 'macOS System keychain', location: MAC_SYSTEM_KEYCHAIN, restartBrowser: false };
  const cert = new X509Certificate(ca.pem);
  const sha1 = cert.fingerprint.replace(/:/g, '').toUpperCase();
  const commonName = /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? '';
  const found = await context.run('security', ['find-certificate', '-a', '-Z', '-c', commonName, MAC_SYSTEM_KEYCHAIN]);
  if (found.missing) return { ...base, status: 'skipped', reason: 'the `security` tool was not found', problem: true };
  const present = found.code === 0 && found.stdout.toUpperCase().includes(sha1);
  if (install && present) return { ...base, status: 'already there', problem: false };
  if (!install && !present) return { ...base, status: 'not there', problem: false };
  const commands = install
    ? [['security', 'add-trusted-cert', '-d', '-r', 'trustRoot', '-k', MAC_SYSTEM_KEYCHAIN, ca.file]]
    : [
        ['security', 'remove-trusted-cert', '-d', ca.file],
        ['security', 'delete-certificate', '-Z', sha1, MAC_SYSTEM_KEYCHAIN],
      ];
  const failed = await runPrivileged(context, commands, true);
  if (failed !== null) {
    return { ...base, status: 'skipped', reason: failed, command: commands.map((command) => commandLine(['sudo', ...command])).join(' && '), problem: true };
  }
  return { ...base, status: install ? 'added' : 'removed', problem: false, restartBrowser: true };
}

async function trustWindowsSystem(context: TrustContext, ca: CaCertificate, install: boolean): Promise<StoreLine> {
  const base = { store: 'Windows ROOT store', location: 'Local Machine\\Trusted Root Certification Authorities', restartBrowser: false };
  const sha1 = new X509Certificate(ca.pem).fingerprint.replace(/:/g, '').toLowerCase();
  const found = await context.run('certutil', ['-store', 'ROOT', sha1]);
  if (found.missing) return { ...base, status: 'skipped', reason: 'certutil.exe was not found', problem: true };
  const present = found.code === 0;
  if (install && present) return { ...base, status: 'already there', problem: false };
  if (!install && !present) return { ...base, status: 'not there', problem: false };
  // Machine stores need an administrator; there is no sudo to ask for it, so say where to run the command.
  const args = install ? ['-addstore', '-f', 'ROOT', ca.file] : ['-delstore', 'ROOT', sha1];
  const result = await context.run('certutil', args);
  if (result.code !== 0) {
    return { ...base, status: 'skipped', reason: `needs an administrator (${firstLine(result)})`, command: `certutil ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}  (in an administrator prompt)`, problem: true };
  }
  return { ...base, status: install ? 'added' : 'removed', problem: false, restartBrowser: true };
}

async function trustSystem(context: TrustContext, ca: CaCertificate, install: boolean): Promise<StoreLine[]> {
  if (context.platform === 'darwin' && !context.systemStoreDir) return [await trustMacSystem(context, ca, install)];
  if (context.platform === 'win32' && !context.systemStoreDir) {
    const lines = [await trustWindowsSystem(context, ca, install)];
    if (install) {
      lines.push({
        store: 'Firefox',
        status: 'skipped',
        reason: 'netready does not change Firefox profiles on Windows; set security.enterprise_roots.enabled to true in about:config so Firefox uses the Windows store',
        problem: false,
        restartBrowser: false,
      });
    }
    return lines;
  }
  return [await trustLinuxSystem(context, ca, install)];
}

/**
 * Installs (`install` true) or removes one CA in every store of this user and system. Never throws for a store
 * that cannot be changed: its line says why and what to run.
 */
export async function applyTrust(context: TrustContext, ca: CaCertificate, install: boolean): Promise<StoreLine[]> {
  const nss = context.platform === 'win32' ? [] : await trustNss(context, ca, install);
  return [...nss, ...(await trustSystem(context, ca, install))];
}

/**
 * One output line: `<store> <location>: <status>[: <reason>][; run: <command>]`, with the home folder written `~`
 * (outside commands, which must stay copyable).
 */
export function formatStoreLine(line: StoreLine, home: string): string {
  const tilde = (text: string): string => (home.length > 1 ? text.split(`${home}${path.sep}`).join(`~${path.sep}`) : text);
  const location = line.location ? ` ${tilde(line.location)}` : '';
  const reason = line.reason ? `: ${tilde(line.reason)}` : '';
  const command = line.command ? `; run: ${line.command}` : '';
  return `${line.store}${location}: ${line.status}${reason}${command}`;
}
