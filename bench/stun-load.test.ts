import { afterEach, describe, expect, it } from 'vitest';
import { startCoturn, type RunningCoturn } from '../e2e/support/coturn';
import { TurnServer } from '../server/turn/turn-server';
import { measureStunBindingRps } from './stun-load';

let server: TurnServer | undefined;
let coturn: RunningCoturn | undefined;
afterEach(async () => {
  await server?.close();
  await coturn?.stop();
  server = undefined;
  coturn = undefined;
});

describe('measureStunBindingRps', () => {
  it('refuses a non-loopback target', async () => {
    await expect(measureStunBindingRps({ host: '192.0.2.1', port: 3478, durationMs: 100, inFlight: 1 })).rejects.toThrow(/loopback/);
  });

  it('measures netready’s server: every request answered, no errors', async () => {
    server = new TurnServer({ realm: 'bench', secret: 'bench-secret-0123456789', udp: [{ ip: '127.0.0.1', port: 0 }], tcp: [], relayIp: '127.0.0.1', relayPortMin: 48000, relayPortMax: 48100 });
    await server.listen();
    const result = await measureStunBindingRps({ host: '127.0.0.1', port: server.addresses().udp[0]!.port, durationMs: 300, inFlight: 16 });
    expect(result.received).toBeGreaterThan(100);
    expect(result.errors).toBe(0);
    expect(result.sent - result.received).toBeLessThanOrEqual(16);
    expect(result.responsesPerSec).toBeGreaterThan(0);
  });

  it('measures coturn started by startCoturn (which waits for a real STUN answer)', async () => {
    coturn = await startCoturn({
      listeningIp: '127.0.0.1',
      port: 0,
      secret: 'bench-secret-0123456789',
      realm: 'bench',
      relayIp: '127.0.0.1',
      minPort: 48200,
      maxPort: 48300,
      allowLoopbackPeers: false,
    });
    expect(coturn.pid).toBeGreaterThan(0);
    const result = await measureStunBindingRps({ host: '127.0.0.1', port: coturn.port, durationMs: 300, inFlight: 16 });
    expect(result.received).toBeGreaterThan(100);
    expect(result.errors).toBe(0);
    const pid = coturn.pid;
    await coturn.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
