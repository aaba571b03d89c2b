import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeLoads, readUdpReceiveBufferErrors, startLoadMeter } from './load-meter';
import { MediaPeerError, MediaPeerServer } from './media-peer';
import type { RTCDataChannel, RTCPeerConnection } from 'werift';
import { DEFAULT_QUALITY_LIMITS } from '../../lib/protocol/media-quality/responder';
import { QUALITY_CONTROL_LABEL, QUALITY_DATA_LABEL, REPORT_AFTER_BURST_MS } from '../../lib/protocol/media-quality/wire';
import { BurstGate, isQualityLabel, QualityPeer } from './quality-peer';

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

/** A werift-shaped channel that records what the peer sent and lets the test deliver the page's messages. */
function fakeChannel(label: string): { channel: RTCDataChannel; sent: string[]; deliver: (text: string) => void } {
  const sent: string[] = [];
  const subscribers: Array<(message: string) => void> = [];
  const channel = {
    label,
    readyState: 'open',
    bufferedAmount: 0,
    send: (text: string) => void sent.push(text),
    onMessage: { subscribe: (fn: (message: string) => void) => void subscribers.push(fn) },
  } as unknown as RTCDataChannel;
  return { channel, sent, deliver: (text) => subscribers.forEach((fn) => fn(text)) };
}

/** Resolves once `check` holds, polling on timers (the peer paces with setTimeout). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('QualityPeer answers a report asked during a stream or burst when it has ended', () => {
  const limits = { ...DEFAULT_QUALITY_LIMITS };
  function start(): { peer: QualityPeer; data: ReturnType<typeof fakeChannel>; control: ReturnType<typeof fakeChannel>; answers: () => Array<{ type: string }> } {
    const peer = new QualityPeer({ pc: {} as RTCPeerConnection, limits, gate: new BurstGate(4) });
    const data = fakeChannel(QUALITY_DATA_LABEL);
    const control = fakeChannel(QUALITY_CONTROL_LABEL);
    peer.attach(data.channel);
    peer.attach(control.channel);
    return { peer, data, control, answers: () => control.sent.map((text) => JSON.parse(text) as { type: string }) };
  }

  it('sends the report right after stream-done, having counted every P that arrived before the stream request', async () => {
    const { peer, data, control, answers } = start();
    try {
      for (let seq = 0; seq < 10; seq++) data.deliver(`P ${seq} ${seq}`);
      control.deliver(JSON.stringify({ type: 'stream', count: 20, intervalMs: 2 }));
      control.deliver(JSON.stringify({ type: 'report' }));
      // Asked while the stream runs: nothing yet.
      expect(answers()).toEqual([]);
      await until(() => answers().length === 2, 'stream-done and the report');
      expect(answers().map((a) => a.type)).toEqual(['stream-done', 'report']);
      expect(data.sent.filter((t) => t.startsWith('S ')).length).toBe(20);
      const report = answers()[1] as unknown as { report: { upStream: { received: number } } };
      expect(report.report.upStream.received).toBe(10);
    } finally {
      peer.close();
    }
  });

  it('sends the report REPORT_AFTER_BURST_MS after a burst, with what the burst sent', async () => {
    const { peer, control, answers } = start();
    try {
      control.deliver(JSON.stringify({ type: 'bulk', rateKbps: 800, windowMs: 50, packetBytes: 200 }));
      const asked = performance.now();
      control.deliver(JSON.stringify({ type: 'report' }));
      expect(answers()).toEqual([]);
      await until(() => answers().length === 1, 'the report');
      expect(performance.now() - asked).toBeGreaterThanOrEqual(50 + REPORT_AFTER_BURST_MS - 5);
      const report = answers()[0] as unknown as { type: string; report: { downBulk: { sentPackets: number } | null } };
      expect(report.type).toBe('report');
      expect(report.report.downBulk?.sentPackets).toBeGreaterThan(0);
    } finally {
      peer.close();
    }
  });

  it('answers a report at once when nothing runs', () => {
    const { peer, control, answers } = start();
    control.deliver(JSON.stringify({ type: 'report' }));
    expect(answers().map((a) => a.type)).toEqual(['report']);
    peer.close();
  });
});
