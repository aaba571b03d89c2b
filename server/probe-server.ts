/**
 * netready's companion servers in one process: STUN/TURN (UDP, TCP, TLS, STUN port matrix), the server-side
 * media peer, and the HTTP(S) API. Built from the validated configuration; `start()` opens every listener
 * (nothing happens in the constructor), `stop()` closes them all.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from '../lib/config/schema';
import { createProbeApiHandler, type ProbeEndpoints } from './http/probe-api';
import { RateLimiter } from './http/rate-limit';
import { SessionRegistry } from './http/sessions';
import { MediaPeerServer } from './peer/media-peer';
import { ensureDevCertificate } from './tls/dev-ca';
import { mintTurnCredentials } from './turn/credentials';
import { TurnServer } from './turn/turn-server';

/** Software version reported by the probe server. */
export const PROBE_VERSION = 'netready-probe/0.1.0';

/** Logging sink of the probe server. */
export interface ProbeLogger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

/** TLS material in use. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** The dev CA when the dev certificate is in use (clients may trust it); null for a configured cert. */
  devCaPem: string | null;
  certFile: string;
}

/** What `start()` returns: where everything listens. */
export interface ProbeServerInfo {
  endpoints: ProbeEndpoints;
  httpUrl: string;
  httpsUrl: string;
  tls: TlsMaterial;
}

/** Reads the TURN shared secret from config, else from `<dataDir>/turn-secret`, generating it once. */
export function loadTurnSecret(config: Config): string {
  if (config.turn.secret) return config.turn.secret;
  const file = path.join(config.dataDir, 'turn-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 16) return secret;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/** Loads the configured certificate, or makes/reuses the dev certificate. */
export async function loadTls(config: Config): Promise<TlsMaterial> {
  if (config.tls.certFile && config.tls.keyFile) {
    return {
      certPem: readFileSync(config.tls.certFile, 'utf8'),
      keyPem: readFileSync(config.tls.keyFile, 'utf8'),
      devCaPem: null,
      certFile: config.tls.certFile,
    };
  }
  const hostNames = config.probe.publicHost ? [config.probe.publicHost] : [];
  const ipAddresses = [...new Set([config.probe.publicIp, config.probe.bindIp].filter((ip) => ip !== '0.0.0.0'))];
  const dev = await ensureDevCertificate({ dataDir: config.dataDir, hostNames, ipAddresses });
  return { certPem: dev.certPem, keyPem: dev.keyPem, devCaPem: dev.caPem, certFile: dev.certFile };
}

function listenHttp(server: http.Server | https.Server, ip: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The probe process's servers. */
export class ProbeServer {
  private readonly config: Config;
  private readonly log: ProbeLogger;
  private turn?: TurnServer;
  private peer?: MediaPeerServer;
  private httpServer?: http.Server;
  private httpsServer?: https.Server;
  private sweepTimer?: ReturnType<typeof setInterval>;
  /** Sessions of this server (observations are read from here). */
  readonly sessions: SessionRegistry;

  constructor(config: Config, log: ProbeLogger) {
    this.config = config;
    this.log = log;
    this.sessions = new SessionRegistry({ ttlMs: config.turn.credentialTtlS * 1000 });
  }

  /** Opens every listener. Rejects (after closing what was opened) when a port cannot be bound. */
  async start(): Promise<ProbeServerInfo> {
    const { config } = this;
    const probe = config.probe;
    try {
      const tls = await loadTls(config);
      const secret = loadTurnSecret(config);
      const relayIp = probe.relayIp ?? probe.bindIp;
      const vendorPorts = config.targets.flatMap((t) => t.mediaUdpPorts.map((port) => ({ port, target: t.name })));
      this.turn = new TurnServer({
        realm: config.turn.realm,
        secret,
        software: PROBE_VERSION,
        udp: [
          { ip: probe.turnUdp.ip ?? probe.bindIp, port: probe.turnUdp.port },
          ...probe.stunAltPorts.map((port) => ({ ip: probe.bindIp, port, stunOnly: true })),
          ...vendorPorts.map(({ port }) => ({ ip: probe.bindIp, port, stunOnly: true })),
        ],
        tcp: [
          { ip: probe.turnTcp.ip ?? probe.bindIp, port: probe.turnTcp.port },
          { ip: probe.turnTls.ip ?? probe.bindIp, port: probe.turnTls.port },
        ],
        tls: { cert: tls.certPem, key: tls.keyPem },
        relayIp,
        relayPortMin: probe.relayPortMin,
        relayPortMax: probe.relayPortMax,
        maxAllocationsPerClient: config.turn.maxAllocationsPerClient,
        maxLifetimeS: config.turn.maxLifetimeS,
        allowedPeers: [{ ip: probe.publicIp, portMin: probe.peerPortMin, portMax: probe.peerPortMax }],
        onEvent: (event) => this.observe('turn', event),
      });
      await this.turn.listen();
      this.peer = new MediaPeerServer({
        bindIp: probe.bindIp,
        publicIp: probe.publicIp,
        portMin: probe.peerPortMin,
        portMax: probe.peerPortMax,
        onEvent: (event) => this.observe('peer', event),
      });
      await this.peer.warmUp();
      const bound = this.turn.addresses();
      const udpPorts = bound.udp.map((a) => a.port);
      const tcpPorts = bound.tcp.map((a) => a.port);
      const endpoints: ProbeEndpoints = {
        publicIp: probe.publicIp,
        tlsHost: probe.publicHost ?? probe.publicIp,
        turnUdpPort: udpPorts[0]!,
        turnTcpPort: tcpPorts[0]!,
        turnTlsPort: tcpPorts[1]!,
        extraStunPorts: [
          ...probe.stunAltPorts.map((_, i) => ({ port: udpPorts[1 + i]!, role: 'alternate' as const })),
          ...vendorPorts.map((v, i) => ({ port: udpPorts[1 + probe.stunAltPorts.length + i]!, role: 'vendor' as const, target: v.target })),
        ],
      };
      const handler = createProbeApiHandler({
        sessions: this.sessions,
        endpoints,
        mediaPeer: this.peer,
        mintCredentials: (sessionId) => {
          const creds = mintTurnCredentials({ secret, sessionId, ttlS: config.turn.credentialTtlS, nowMs: Date.now() });
          return { username: creds.username, credential: creds.credential, expiresAtMs: creds.expiresAt };
        },
        sessionLimiter: new RateLimiter({ limit: config.probe.maxSessionsPerMinute, windowMs: 60_000 }),
        version: PROBE_VERSION,
        logError: (message, error) => this.log.error(message, error),
      });
      this.httpServer = http.createServer(handler);
      this.httpsServer = https.createServer({ cert: tls.certPem, key: tls.keyPem, ALPNProtocols: ['http/1.1'] }, handler);
      const httpAddr = await listenHttp(this.httpServer, probe.http.ip ?? probe.bindIp, probe.http.port);
      const httpsAddr = await listenHttp(this.httpsServer, probe.https.ip ?? probe.bindIp, probe.https.port);
      this.sweepTimer = setInterval(() => this.sessions.sweep(), 30_000);
      this.sweepTimer.unref();
      return {
        endpoints,
        httpUrl: `http://${probe.publicIp}:${httpAddr.port}`,
        httpsUrl: `https://${probe.publicHost ?? probe.publicIp}:${httpsAddr.port}`,
        tls,
      };
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Files a server event that names a session (TURN username, media-peer offer) under that session. */
  private observe(source: 'turn' | 'peer', event: { type: string }): void {
    const { type, ...data } = event as { type: string } & Record<string, unknown>;
    if (typeof data.sessionId === 'string') this.sessions.observe(data.sessionId, { source, kind: type, data });
  }

  /** Closes every listener and peer; safe to call more than once. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const closeHttp = (server?: http.Server | https.Server): Promise<void> =>
      new Promise((resolve) => {
        if (!server || !server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    await Promise.allSettled([closeHttp(this.httpServer), closeHttp(this.httpsServer), this.peer?.close(), this.turn?.close()]);
    this.httpServer = undefined;
    this.httpsServer = undefined;
    this.peer = undefined;
    this.turn = undefined;
  }
}
