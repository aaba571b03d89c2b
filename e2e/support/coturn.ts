/**
 * Starts Debian's coturn (`/usr/bin/turnserver`) as an independent interop peer and benchmark baseline:
 * REST shared-secret auth (`use-auth-secret`), no database, no CLI, logging to stdout, foreground (no daemon).
 * Ready means it answered a STUN Binding request — a real readiness check, not a sleep. `stop()` kills it by PID
 * and removes the temporary config folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where Debian installs coturn's server. */
export const TURNSERVER_PATH = '/usr/bin/turnserver';

/** Options of {@link startCoturn}. */
export interface StartCoturnOptions {
  /** IP coturn listens on (also used for the readiness Binding). */
  listeningIp: string;
  /** UDP+TCP listening port; 0 picks a port that is free for both. */
  port: number;
  /** TLS listening port (needs `cert` and `key`). Default: no TLS. */
  tlsPort?: number;
  /** PEM certificate chain (text). */
  cert?: string;
  /** PEM private key (text). */
  key?: string;
  /** REST shared secret (`static-auth-secret`). */
  secret: string;
  /** Realm. */
  realm: string;
  /** Relay IP. */
  relayIp: string;
  /** Lowest relay port. */
  minPort: number;
  /** Highest relay port. */
  maxPort: number;
  /** Allow peers on loopback addresses (needed when everything runs on 127.0.0.1). */
  allowLoopbackPeers: boolean;
  /** Milliseconds to wait for readiness. Default 10000. */
  readyTimeoutMs?: number;
}

/** A running coturn. */
export interface RunningCoturn {
  /** turnserver's PID. */
  pid: number;
  /** Its UDP/TCP port. */
  port: number;
  /** Its TLS port, when configured. */
  tlsPort?: number;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  /** Kills it by PID (SIGTERM, then SIGKILL after 2 s) and removes its temp folder. */
  stop(): Promise<void>;
}

/** Finds a port free for both UDP and TCP on `ip` (bind both, release both). */
export async function findFreeUdpTcpPort(ip: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, ip, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    const udp = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
    const udpOk = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, ip, () => resolve(true));
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpOk) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      return port;
    }
  }
  throw new Error(`no port free for both UDP and TCP on ${ip}`);
}

/** One STUN Binding request; resolves true when any Binding success comes back within `timeoutMs`. */
function bindingAnswered(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // RFC 8489 §5: Binding request, no attributes
    request.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(request, 8);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (message) => {
      if (message.length >= 20 && message.readUInt16BE(0) === 0x0101 && message.subarray(8, 20).equals(request.subarray(8, 20))) done(true);
    });
    socket.send(request, port, ip);
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
    const escalate = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    }, 2000);
    child.once('exit', () => {
      clearTimeout(escalate);
      resolve();
    });
    process.kill(child.pid, 'SIGTERM');
  });
}

/**
 * Starts coturn and resolves once it answers a STUN Binding on `listeningIp:port`. Rejects (after cleaning up)
 * when the binary is missing (`apt-get install coturn`), the process exits, or it is not ready in time.
 */
export async function startCoturn(options: StartCoturnOptions): Promise<RunningCoturn> {
  if (!existsSync(TURNSERVER_PATH)) throw new Error(`${TURNSERVER_PATH} is missing: run \`apt-get install coturn\``);
  if (options.tlsPort !== undefined && (!options.cert || !options.key)) throw new Error('tlsPort needs cert and key');
  const port = options.port === 0 ? await findFreeUdpTcpPort(options.listeningIp) : options.port;
  const dir = mkdtempSync(path.join(tmpdir(), 'netready-coturn-'));
  const lines = [
    `listening-ip=${options.listeningIp}`,
    `listening-port=${port}`,
    `relay-ip=${options.relayIp}`,
    `min-port=${options.minPort}`,
    `max-port=${options.maxPort}`,
    'use-auth-secret',
    `static-auth-secret=${options.secret}`,
    `realm=${options.realm}`,
    'fingerprint',
    'no-cli',
    'no-dtls',
    'no-multicast-peers',
    'no-tcp-relay',
    'log-file=stdout',
    'simple-log',
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    // Keep coturn away from /var/lib/turn/turndb: with use-auth-secret no database is needed.
    `userdb=${path.join(dir, 'turndb')}`,
  ];
  if (options.allowLoopbackPeers) lines.push('allow-loopback-peers');
  if (options.tlsPort !== undefined && options.cert && options.key) {
    writeFileSync(path.join(dir, 'cert.pem'), options.cert, { mode: 0o600 });
    writeFileSync(path.join(dir, 'key.pem'), options.key, { mode: 0o600 });
    lines.push(`tls-listening-port=${options.tlsPort}`, `cert=${path.join(dir, 'cert.pem')}`, `pkey=${path.join(dir, 'key.pem')}`);
  } else {
    lines.push('no-tls');
  }
  const configFile = path.join(dir, 'turnserver.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`, { mode: 0o600 });

  const child = spawn(TURNSERVER_PATH, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer): void => {
    output = (output + d.toString()).slice(-64 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => (exited = true));
  const cleanup = async (): Promise<void> => {
    await killAndWait(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (child.pid === undefined) throw new Error('turnserver did not start');
    const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
    for (;;) {
      if (exited) throw new Error(`turnserver exited before it was ready:\n${output}`);
      if (await bindingAnswered(options.listeningIp, port, 200)) break;
      if (Date.now() > deadline) throw new Error(`turnserver not answering STUN on ${options.listeningIp}:${port}:\n${output}`);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  const pid = child.pid;
  let stopped: Promise<void> | undefined;
  return {
    pid,
    port,
    tlsPort: options.tlsPort,
    output: () => output,
    stop: () => (stopped ??= cleanup()),
  };
}
