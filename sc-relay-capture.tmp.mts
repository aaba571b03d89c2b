import { execFileSync, spawn } from 'node:child_process';
import { measureRelayThroughput } from './bench/relay-throughput';
const secret = 'bench-secret-0123456789abcdef';
const port = 27650;
const peerPort = 27600;
const variants: Array<[string, string[]]> = [['no capture', []], ['--capture (session not captured)', ['--capture']], ['--capture-session bench-relay', ['--capture-session', 'bench-relay']]];
const results: Record<string, Record<string, number[]>> = {};
for (let round = 1; round <= 5; round++) {
  for (const [name, extra] of variants) {
    const child = spawn('taskset', ['-c', '0', 'node_modules/.bin/tsx', 'server/turn/standalone.ts', '--ip', '127.0.0.1', '--port', String(port), '--secret', secret, '--relay-min', '27200', '--relay-max', '27300', '--allow-peer', `127.0.0.1:${peerPort}-${peerPort}`, ...extra], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); }));
    for (const direction of ['to-peer', 'from-peer'] as const) await measureRelayThroughput({ server: { ip: '127.0.0.1', port }, secret, peerPort, durationMs: 500, packetBytes: 1200, direction });
    for (const direction of ['to-peer', 'from-peer'] as const) {
      const r = await measureRelayThroughput({ server: { ip: '127.0.0.1', port }, secret, peerPort, durationMs: 3000, packetBytes: 1200, direction });
      ((results[name] ??= {})[direction] ??= []).push(r.gbps);
      console.log(`round ${round} ${name} ${direction}: ${r.gbps} Gbit/s (${r.packetsPerSecond}/s)`);
    }
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, byDir] of Object.entries(results)) console.log(`MEDIAN ${name}: to-peer ${median(byDir['to-peer']!)} Gbit/s, from-peer ${median(byDir['from-peer']!)} Gbit/s`);
void execFileSync;
