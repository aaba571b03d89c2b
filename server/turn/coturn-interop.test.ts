// Interop: coturn's own test client, turnutils_uclient, against netready's TURN server on loopback. In
// client-to-client mode (-y) it makes two allocations on our server, installs permissions/channels towards each
// other's relay address and exchanges messages, so it exercises REST auth (-W), Allocate, Refresh,
// CreatePermission, ChannelBind or Send (-s), ChannelData and Data, over UDP and over TCP (-t).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { TurnEvent } from '../../lib/protocol/turn/server';
import { TurnServer } from './turn-server';

const UCLIENT = '/usr/bin/turnutils_uclient';
const SECRET = 'interop-secret-0123456789';
const MESSAGES = 20;

/** What turnutils_uclient printed at the end of a run. */
interface UclientSummary {
  sent: number;
  received: number;
  lostPackets: number;
  lostPercent: number;
  output: string;
  exitCode: number | null;
}

/** Runs turnutils_uclient to completion (killed by PID after `timeoutMs`) and parses its summary lines. */
async function runUclient(args: string[], timeoutMs = 15_000): Promise<UclientSummary> {
  const child = spawn(UCLIENT, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, timeoutMs);
  try {
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const totals = /tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$/m.exec(output);
    const lost = /Total lost packets (\d+) \(([\d.]+)%\)/.exec(output);
    return {
      sent: Number(totals?.[1] ?? -1),
      received: Number(totals?.[2] ?? -1),
      lostPackets: Number(lost?.[1] ?? -1),
      lostPercent: Number(lost?.[2] ?? -1),
      output,
      exitCode,
    };
  } finally {
    clearTimeout(timer);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  }
}

let server: TurnServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('interop with coturn turnutils_uclient', () => {
  it('finds turnutils_uclient installed', () => {
    expect(existsSync(UCLIENT), `${UCLIENT} is missing: run \`apt-get install coturn\``).toBe(true);
  });

  it.each([
    { name: 'UDP with channels', flags: [] as string[], transport: 'udp' as const },
    { name: 'UDP with Send/Data indications', flags: ['-s'], transport: 'udp' as const },
    { name: 'TCP with padded ChannelData (101-byte messages)', flags: ['-t', '-l', '101'], transport: 'tcp' as const },
  ])('completes allocation and data exchange over $name with zero loss', async ({ flags, transport }) => {
    expect(existsSync(UCLIENT), `${UCLIENT} is missing: run \`apt-get install coturn\``).toBe(true);
    const events: TurnEvent[] = [];
    server = new TurnServer({
      realm: 'netready',
      secret: SECRET,
      udp: [{ ip: '127.0.0.1', port: 0 }],
      tcp: [{ ip: '127.0.0.1', port: 0 }],
      relayIp: '127.0.0.1',
      relayPortMin: 46000,
      relayPortMax: 47999,
      onEvent: (e) => events.push(e),
    });
    await server.listen();
    const port = transport === 'udp' ? server.addresses().udp[0]!.port : server.addresses().tcp[0]!.port;
    // -y client-to-client, -c no RTCP allocations, -n messages, -W REST secret with -u as the name part
    // (uclient builds `<now+1 day>:interop-<transport>`), -z 5 ms between messages.
    const summary = await runUclient([...flags, '-y', '-c', '-n', String(MESSAGES), '-z', '5', '-W', SECRET, '-u', `interop-${transport}`, '-p', String(port), '127.0.0.1']);
    expect(summary.exitCode, summary.output).toBe(0);
    expect(summary.sent, summary.output).toBe(2 * MESSAGES);
    expect(summary.received, summary.output).toBe(2 * MESSAGES);
    expect(summary.lostPackets, summary.output).toBe(0);
    expect(summary.lostPercent).toBe(0);
    const created = events.filter((e): e is Extract<TurnEvent, { type: 'allocation-created' }> => e.type === 'allocation-created');
    expect(created.length).toBeGreaterThanOrEqual(2);
    expect(created.every((e) => e.sessionId === `interop-${transport}` && e.transport === transport)).toBe(true);
    const ended = events.filter((e): e is Extract<TurnEvent, { type: 'allocation-ended' }> => e.type === 'allocation-ended');
    const relayed = ended.reduce((sum, e) => sum + e.counters.packetsToPeer, 0);
    expect(relayed).toBe(2 * MESSAGES);
    expect(events.some((e) => e.type === 'auth-failed' || e.type === 'permission-refused')).toBe(false);
  });
});
