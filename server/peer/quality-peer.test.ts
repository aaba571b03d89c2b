import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeLoads, readUdpReceiveBufferErrors, startLoadMeter } from './load-meter';
import { MediaPeerError, MediaPeerServer } from './media-peer';
import { BurstGate, isQualityLabel } from './quality-peer';

const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BurstGate', () => {
  it('lets at most its maximum of server bursts in at once and counts page bursts it cannot refuse', () => {
    const gate = new BurstGate(2);
    const a = gate.tryEnter()!;
    const b = gate.tryEnter()!;
    expect(gate.tryEnter()).toBeUndefined();
    const page = gate.track();
    expect(gate.active).toBe(3);
    a();
    a();
    page();
    expect(gate.active).toBe(1);
    expect(gate.tryEnter()).toBeDefined();
    b();
  });
});

describe('load meter', () => {
  it('reads the UDP receive-buffer drops of /proc/net/snmp by column name, and null where there are none', () => {
    const file = path.join(dir, 'snmp');
    writeFileSync(file, 'Ip: Forwarding DefaultTTL\nIp: 1 64\nUdp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 10 0 3 12 7 0\n');
    expect(readUdpReceiveBufferErrors(file)).toBe(7);
    expect(readUdpReceiveBufferErrors(path.join(dir, 'missing'))).toBeNull();
  });

  it('measures CPU over wall time of a busy stretch', async () => {
    const meter = startLoadMeter();
    const until = performance.now() + 60;
    while (performance.now() < until) Math.sqrt(Math.random());
    const load = meter.stop();
    expect(load.cpuBusyRatio).toBeGreaterThan(0.5);
    // The busy loop blocked the 10 ms timer for most of the 60 ms.
    expect(load.loopLagMaxMs).toBeGreaterThan(30);
    expect(meter.stop()).toBe(load);
  });

  it('merges bursts by their worst figures, summing drops', () => {
    expect(
      mergeLoads([
        { cpuBusyRatio: 0.2, loopLagMaxMs: 40, udpReceiveErrors: 1, concurrentBursts: 1 },
        { cpuBusyRatio: 0.5, loopLagMaxMs: 3, udpReceiveErrors: 2, concurrentBursts: 3 },
      ]),
    ).toEqual({ cpuBusyRatio: 0.5, loopLagMaxMs: 40, udpReceiveErrors: 3, concurrentBursts: 3 });
    expect(mergeLoads([])).toBeNull();
  });
});

describe('media peer quality options', () => {
  it('tells the quality channels from every other label', () => {
    expect(['netready-quality', 'netready-quality-control', 'netready-echo'].map(isQualityLabel)).toEqual([true, true, false]);
  });

  it('refuses a bad quality limit at construction, naming it', () => {
    const base = { bindIp: '127.0.0.1', publicIp: '127.0.0.1', portMin: 41000, portMax: 41010 };
    expect(() => new MediaPeerServer({ ...base, quality: { limits: { bulkRateKbps: -1 } } })).toThrow(new MediaPeerError('config', 'quality.limits.bulkRateKbps must be a non-negative number'));
    expect(() => new MediaPeerServer({ ...base, quality: { maxConcurrentBursts: 0 } })).toThrow(/quality.maxConcurrentBursts must be a positive integer/);
  });
});
