/**
 * Runs netready's STUN/TURN server alone, UDP only, until SIGTERM/SIGINT — for the benchmark, which pins it to
 * one core with `taskset`:
 *
 *   tsx server/turn/standalone.ts --ip 127.0.0.1 --port 3478 --secret <secret> [--realm netready]
 *     [--relay-ip 127.0.0.1] [--relay-min 49152] [--relay-max 59999] [--allow-peer 127.0.0.1:40000-40100]
 *     [--capture] [--capture-session <id>]
 *
 * `--allow-peer` (repeatable) lets allocations reach a media peer outside the relays, as server/probe-server.ts does
 * for its own media peer: the relay benchmark's peer is a loopback socket, which is otherwise refused.
 *
 * `--capture` records as the probe server does by default (issue 20: a CaptureStore with the default limits, files in
 * a temporary folder); `--capture-session <id>` also captures that session, e.g. the one a benchmark's TURN username
 * names — to measure what recording costs the relay.
 *
 * Prints one JSON line `{"ready":true,"udp":[…]}` to stdout once listening.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigSchema } from '../../lib/config/schema';
import { CaptureStore } from '../capture/capture-store';
import { TurnServer, type AllowedPeerRange } from './turn-server';

/** Parsed command line of the standalone server. */
export interface StandaloneArgs {
  /** Listen IP. */
  ip: string;
  /** Listen UDP port (0 = any). */
  port: number;
  /** TURN REST shared secret. */
  secret: string;
  /** Realm. */
  realm: string;
  /** Relay IP. */
  relayIp: string;
  /** Relay port range. */
  relayPortMin: number;
  /** Relay port range. */
  relayPortMax: number;
  /** Media peers allocations may reach besides the relays (`--allow-peer ip:min-max`). Default none. */
  allowedPeers: AllowedPeerRange[];
  /** Record as the probe does (`--capture`, implied by `--capture-session`). Default false. */
  capture: boolean;
  /** A session to capture (`--capture-session <id>`). Default none. */
  captureSession?: string;
}

/** Parses argv (without node and script); throws TypeError with a usage hint on bad input. */
export function parseStandaloneArgs(argv: string[]): StandaloneArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      ip: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '3478' },
      secret: { type: 'string' },
      realm: { type: 'string', default: 'netready' },
      'relay-ip': { type: 'string' },
      'relay-min': { type: 'string', default: '49152' },
      'relay-max': { type: 'string', default: '59999' },
      'allow-peer': { type: 'string', multiple: true, default: [] },
      capture: { type: 'boolean', default: false },
      'capture-session': { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > 65535) throw new TypeError(`--${name} must be an integer ${min}-65535`);
    return n;
  };
  if (!values.secret) throw new TypeError('--secret is required (the TURN REST shared secret)');
  return {
    ip: values.ip,
    port: int('port', values.port, 0),
    secret: values.secret,
    realm: values.realm,
    relayIp: values['relay-ip'] ?? values.ip,
    relayPortMin: int('relay-min', values['relay-min'], 1),
    relayPortMax: int('relay-max', values['relay-max'], 1),
    allowedPeers: values['allow-peer'].map((text) => {
      const match = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)-(\d+)$/.exec(text);
      if (!match) throw new TypeError(`--allow-peer must be <ipv4>:<min>-<max>, got ${JSON.stringify(text)}`);
      return { ip: match[1]!, portMin: int('allow-peer', match[2]!, 1), portMax: int('allow-peer', match[3]!, 1) };
    }),
    capture: values.capture || values['capture-session'] !== undefined,
    ...(values['capture-session'] !== undefined ? { captureSession: values['capture-session'] } : {}),
  };
}

async function main(): Promise<void> {
  let args: StandaloneArgs;
  try {
    args = parseStandaloneArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  let capture: CaptureStore | undefined;
  if (args.capture) {
    const defaults = ConfigSchema.parse({}).probe.capture;
    capture = new CaptureStore({
      dir: mkdtempSync(path.join(os.tmpdir(), 'netready-standalone-captures-')),
      snapLengthBytes: defaults.snapLengthBytes,
      maxBytesPerSession: defaults.maxBytesPerSession,
      maxLiveCaptures: defaults.maxLiveCaptures,
      retentionDays: 1,
      isSessionLive: () => true,
      logError: (message) => process.stderr.write(`${message}\n`),
    });
    if (args.captureSession !== undefined) capture.open(args.captureSession);
  }
  const server = new TurnServer({
    realm: args.realm,
    secret: args.secret,
    software: 'netready',
    udp: [{ ip: args.ip, port: args.port }],
    tcp: [],
    relayIp: args.relayIp,
    relayPortMin: args.relayPortMin,
    relayPortMax: args.relayPortMax,
    allowedPeers: args.allowedPeers,
    ...(capture ? { capture } : {}),
  });
  await server.listen();
  process.stdout.write(`${JSON.stringify({ ready: true, udp: server.addresses().udp })}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
