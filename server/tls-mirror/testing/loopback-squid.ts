/**
 * Test tooling: a real squid (Debian's squid-openssl) on loopback, as an explicit proxy or as an ssl-bump
 * TLS-inspecting proxy with its own CA — for the browser test that proves netready reports `http-proxy` and
 * `tls-interception`, and for capturing the ClientHellos under testdata/tls/. Runs in the foreground (`-N`)
 * under its own service name, with config, certificate DB and logs in a temporary folder owned by the `proxy`
 * user (squid drops to it when started as root); stopped by PID and the folder removed.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeInspectionCa, squidConfigText, SQUID_CERTGEN } from './squid-config';

/** Squid and its helper, as the squid-openssl package installs them. */
export const SQUID_BINARY = '/usr/sbin/squid';

/** A running loopback squid. */
export interface LoopbackSquid {
  /** `http://127.0.0.1:<port>` for Chromium's `--proxy-server`. */
  proxyUrl: string;
  port: number;
  /** PEM of the inspection CA (ssl-bump only): what a corporate client would trust. */
  inspectionCaPem: string | null;
  /** squid's access log lines so far. */
  accessLog(): string[];
  /** Stops squid by PID and removes its folder. */
  stop(): Promise<void>;
}

function uidOf(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user "${user}" does not exist (it comes with the squid package)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether squid can run here (binary present, running as root so it can drop to `proxy`). */
export function squidAvailable(): boolean {
  try {
    execFileSync(SQUID_BINARY, ['-v'], { stdio: 'pipe' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

/**
 * Starts squid on a free loopback port: `explicit` forwards and CONNECTs to anything (loopback included);
 * `auth` is the same but answers every request without a sign-in with 407 (Basic, realm "netready test proxy";
 * squid's fake helper accepts any user) — the proxy-authentication case; `bump` additionally terminates every
 * CONNECT with a certificate minted by its own CA (`ssl_bump peek step1; bump all`) and opens its own TLS
 * connection to the server — the TLS-inspection case.
 */
export async function startLoopbackSquid(mode: 'explicit' | 'auth' | 'bump'): Promise<LoopbackSquid> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `netready-squid-${mode}-`));
  const proxy = uidOf('proxy');
  const port = await freePort();
  let inspectionCa: { cert: string; key: string } | undefined;
  if (mode === 'bump') {
    inspectionCa = makeInspectionCa(dir, 'netready test');
    execFileSync(SQUID_CERTGEN, ['-c', '-s', path.join(dir, 'ssl_db'), '-M', '4MB'], { stdio: 'pipe' });
  }
  const inspectionCaPem = inspectionCa ? readFileSync(inspectionCa.cert, 'utf8') : null;
  const text = squidConfigText({
    // The loopback inspector tunnels what is not TLS (squid's on_unsupported_protocol), as many gateways do.
    mode: mode === 'bump' ? 'bump-tunnel' : mode,
    listen: `127.0.0.1:${port}`,
    dir,
    name: `squid-${mode}.netready.test`,
    realm: 'netready test proxy',
    ...(inspectionCa ? { inspectionCa } : {}),
    network: ['dns_nameservers 127.0.0.1'],
    finalAccess: ['http_access allow localhost', 'http_access deny all'],
  });
  const conf = path.join(dir, 'squid.conf');
  writeFileSync(conf, text);
  execFileSync('chown', ['-R', `${proxy.uid}:${proxy.gid}`, dir]);
  chownSync(dir, proxy.uid, proxy.gid);
  const output: string[] = [];
  // -N: foreground, so the PID is squid's; -n: own service name (own shared-memory segments).
  const child: ChildProcess = spawn(SQUID_BINARY, ['-N', '-n', `nrtest${mode}${port}`, '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = (() => {
        try {
          return readFileSync(path.join(dir, 'cache.log'), 'utf8');
        } catch {
          return '';
        }
      })();
      await stop();
      throw new Error(`squid (${mode}) did not start listening on 127.0.0.1:${port}:\n${output.join('')}\n${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    port,
    inspectionCaPem,
    accessLog: () => {
      try {
        return readFileSync(path.join(dir, 'access.log'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    stop,
  };
}
