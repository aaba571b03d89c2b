/**
 * Real Wireshark tools for the capture kit's tests (Debian's tshark 4.0, scripts/install-system-deps.sh): display
 * filters compiled by sharkd (Wireshark's own engine, many filters in one process: tshark has no compile-only mode)
 * and by tshark on an empty capture, capture filters compiled by libpcap through `dumpcap -d`, and a profile loaded
 * by `tshark -C` from a throw-away configuration folder. Test code only (node:*).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What a tool said about one filter. */
export interface FilterVerdict {
  filter: string;
  ok: boolean;
  /** The tool's message (error or warning), empty when none. */
  message: string;
}

function run(command: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...(options.input !== undefined ? { input: options.input } : {}), env: { ...process.env, ...options.env } });
  if (result.error) throw new Error(`${command} could not run (scripts/install-system-deps.sh installs tshark): ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** tshark's notice when run as root: not a warning about what it was given. */
const ROOT_NOTICE = /^Running as user "root" and group "root"\. This could be dangerous\.$/;

/** stderr lines other than the root notice. */
export function warningsIn(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !ROOT_NOTICE.test(line.trim()));
}

/** Compiles each display filter with sharkd (`check`); a deprecation warning counts as not ok. */
export function compileDisplayFilters(filters: readonly string[]): FilterVerdict[] {
  const input = filters.map((filter, i) => JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'check', params: { filter } })).join('\n');
  const { stdout } = run('sharkd', ['-'], { input: `${input}\n` });
  const answers = new Map<number, { result?: { status?: string; warning?: string }; error?: { message?: string } }>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const answer = JSON.parse(line) as { id: number; result?: { status?: string; warning?: string }; error?: { message?: string } };
    answers.set(answer.id, answer);
  }
  return filters.map((filter, i) => {
    const answer = answers.get(i + 1);
    if (!answer) return { filter, ok: false, message: 'sharkd gave no answer' };
    if (answer.error) return { filter, ok: false, message: answer.error.message ?? 'invalid' };
    const warning = answer.result?.warning ?? '';
    return { filter, ok: answer.result?.status === 'OK' && warning === '', message: warning };
  });
}

/** A pcapng with a section header and one Ethernet interface, no packets (RFC draft-ietf-opsawg-pcapng §4.1, §4.2). */
export function emptyPcapng(): Buffer {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeUInt16LE(0, 14);
  shb.writeBigInt64LE(-1n, 16);
  shb.writeUInt32LE(28, 24);
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(20, 4);
  idb.writeUInt16LE(1, 8); // LINKTYPE_ETHERNET
  idb.writeUInt32LE(65535, 12);
  idb.writeUInt32LE(20, 16);
  return Buffer.concat([shb, idb]);
}

/** A temporary folder, removed by the returned function. */
export function temporaryFolder(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `tshark -Y <filter> -r <empty capture>`: its exit status and warnings. */
export function tsharkReadsWith(filter: string, profile?: { home: string; name: string }): { status: number | null; warnings: string[] } {
  const { dir, remove } = temporaryFolder('netready-tshark-');
  try {
    const file = path.join(dir, 'empty.pcapng');
    writeFileSync(file, emptyPcapng());
    const env: Record<string, string> = profile ? { HOME: profile.home, XDG_CONFIG_HOME: path.join(profile.home, '.config') } : {};
    const args = [...(profile ? ['-C', profile.name, '--color'] : []), '-Y', filter, '-r', file];
    const { status, stderr } = run('tshark', args, { env });
    return { status, warnings: warningsIn(stderr) };
  } finally {
    remove();
  }
}

/**
 * Compiles a capture filter with libpcap for an interface's link type (`dumpcap -d`: prints the BPF program, opens no
 * capture). Needs capture rights on the interface (root, or CAP_NET_RAW); `null` when this user has none.
 */
export function compileCaptureFilter(filter: string, iface: 'lo' | 'any'): FilterVerdict | null {
  const { stdout, stderr } = run('dumpcap', ['-d', '-i', iface, '-f', filter]);
  if (/permission to capture/i.test(stderr)) return null;
  // dumpcap exits 0 even for an invalid filter: the program on stdout, or the message on stderr, tells.
  const ok = /^\(000\)/.test(stdout) && !/Invalid capture filter/.test(stderr);
  return { filter, ok, message: ok ? '' : warningsIn(stderr).filter((l) => !/^Capturing on/.test(l)).join(' ') };
}

/** Writes profile files to `<home>/.config/wireshark/profiles/<name>/`, where `tshark -C <name>` finds them. */
export function installProfile(home: string, name: string, files: Readonly<Record<string, string>>): string {
  const dir = path.join(home, '.config', 'wireshark', 'profiles', name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
  return dir;
}

/** `tshark -G currentprefs -C <name>`: the preferences as tshark applied them. */
export function currentPreferences(home: string, name: string): { status: number | null; stdout: string; warnings: string[] } {
  const { status, stdout, stderr } = run('tshark', ['-G', 'currentprefs', '-C', name], { env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') } });
  return { status, stdout, warnings: warningsIn(stderr) };
}
