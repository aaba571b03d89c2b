import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { encodeMessage } from '../../lib/protocol/stun/message';
import { encodeChannelData } from '../../lib/protocol/turn/channel-data';
import { CAPTURE_IDLE_MS, CaptureStore, MEDIA_PEER_DATA_LIMIT, PENDING_TTL_MS, type CaptureStoreOptions } from './capture-store';
import { tsharkFields } from './testing/tshark';

const request = encodeMessage({ cls: 'request', method: 0x003, transactionId: new Uint8Array(12).fill(1), attributes: [] });
const binding = encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(2), attributes: [] });
const client = { ip: '198.51.100.7', port: 50123 };
const server = { ip: '203.0.113.10', port: 3478 };
const DAY_MS = 86_400_000;

let dir: string;
let nowMs: number;
let live: Set<string>;
let errors: string[];

function store(overrides: Partial<CaptureStoreOptions> = {}): CaptureStore {
  return new CaptureStore({
    dir,
    snapLengthBytes: 64,
    maxBytesPerSession: 65_536,
    maxLiveCaptures: 10,
    retentionDays: 30,
    isSessionLive: (id) => live.has(id),
    logError: (message) => errors.push(message),
    now: () => nowMs,
    ...overrides,
  });
}

beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'netready-capture-store-')), 'captures');
  nowMs = Date.UTC(2026, 0, 1);
  live = new Set(['S1', 'S2']);
  errors = [];
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

async function comments(captures: CaptureStore, id: string): Promise<string[]> {
  const bytes = await captures.read(id);
  return bytes ? (await tsharkFields(bytes, ['frame.comment'])).map((f) => f['frame.comment']!) : [];
}

describe('CaptureStore', () => {
  it('files a message that waited for its tie under the session that made the allocation, with its own timestamp', async () => {
    const captures = store();
    captures.open('S1');
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, request, true);
    nowMs += 5;
    captures.tie('udp', client, 'S1');
    captures.stunDatagram('turn-udp', server.ip, server.port, client.ip, client.port, binding, false);
    expect(await comments(captures, 'S1')).toEqual(['turn-udp: Allocate request', 'turn-udp: Binding request']);
  });

  it('drops what waited longer than the pending window, and leaves untied addresses out of every capture', async () => {
    const captures = store();
    captures.open('S1');
    captures.open('S2');
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, request, true);
    captures.stunDatagram('turn-udp', '198.51.100.8', 40000, server.ip, server.port, binding, true);
    nowMs += PENDING_TTL_MS;
    captures.tie('udp', client, 'S1');
    expect(await captures.read('S1')).toHaveLength((await captures.read('S2'))!.length);
    expect(await comments(captures, 'S1')).toEqual([]);
    expect(await comments(captures, 'S2')).toEqual([]);
  });

  it('ties by address and port, never by address alone: a second client behind the same NAT address stays out', async () => {
    const captures = store();
    captures.open('S1');
    captures.tie('udp', client, 'S1');
    captures.stunDatagram('turn-udp', client.ip, client.port + 1, server.ip, server.port, binding, true);
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, binding, true);
    expect(await comments(captures, 'S1')).toEqual(['turn-udp: Binding request']);
  });

  it('keeps the snap length of a data packet and its real length, and stops at the cap with a closing comment', async () => {
    const captures = store({ maxBytesPerSession: 65_536 });
    captures.open('S1');
    captures.tie('udp', client, 'S1');
    const channelData = encodeChannelData(0x4000, new Uint8Array(1200), { pad: false });
    for (let i = 0; i < 1000; i++) captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, channelData, true);
    const capture = captures.captureOf('S1')!;
    expect(capture.full).toBe(true);
    const frames = await tsharkFields((await captures.read('S1'))!, ['frame.cap_len', 'frame.len', 'frame.comment']);
    expect(frames[0]).toEqual({ 'frame.cap_len': String(28 + 64), 'frame.len': String(28 + 1204), 'frame.comment': 'turn-udp: ChannelData 0x4000, 1200 bytes' });
    expect(frames[frames.length - 1]!['frame.comment']).toBe(`capture truncated at ${capture.truncatedAt} bytes`);
    expect((await captures.read('S1'))!.length).toBeLessThanOrEqual(65_536 + 200);
  });

  it('remembers the hot path\'s anonymous Binding exchanges and files those of an address tied within the window', async () => {
    const captures = store();
    captures.open('S1');
    const response = encodeMessage({ cls: 'success', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(2), attributes: [] });
    captures.fastBinding('stun', client.ip, client.port, server, binding, response);
    captures.fastBinding('stun', client.ip, client.port + 1, server, binding, response);
    nowMs += 1000;
    captures.tie('udp', client, 'S1');
    captures.fastBinding('stun', client.ip, client.port, server, binding, response);
    const frames = await tsharkFields((await captures.read('S1'))!, ['udp.srcport', 'udp.dstport', 'frame.comment']);
    expect(frames.map((f) => [f['udp.srcport'], f['udp.dstport'], f['frame.comment']])).toEqual([
      ['50123', '3478', 'stun: Binding request'],
      ['3478', '50123', 'stun: Binding success response'],
      ['50123', '3478', 'stun: Binding request'],
      ['3478', '50123', 'stun: Binding success response'],
    ]);
  });

  it('cuts Send and Data indications at the snap length like ChannelData, and keeps other STUN messages whole', async () => {
    const captures = store();
    captures.open('S1');
    captures.tie('udp', client, 'S1');
    const dataIndication = encodeMessage({ cls: 'indication', method: 0x007, transactionId: new Uint8Array(12).fill(3), attributes: [] });
    const big = new Uint8Array(1000);
    big.set(dataIndication.subarray(0, 4));
    captures.stunDatagram('turn-udp', server.ip, server.port, client.ip, client.port, big, false);
    const allocateWithPadding = new Uint8Array(1000);
    allocateWithPadding.set(request.subarray(0, 4));
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, allocateWithPadding, true);
    const frames = await tsharkFields((await captures.read('S1'))!, ['frame.cap_len', 'frame.len']);
    expect(frames).toEqual([
      { 'frame.cap_len': String(28 + 64), 'frame.len': String(28 + 1000) },
      { 'frame.cap_len': String(28 + 1000), 'frame.len': String(28 + 1000) },
    ]);
  });

  it('records the media peer\'s datagrams under their session without a tie: ICE checks whole, DTLS cut at the snap length, in the direction they went', async () => {
    const captures = store();
    captures.open('S1');
    const peer = { ip: '203.0.113.10', port: 49_160 };
    const check = encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(4), attributes: [] });
    const dtls = new Uint8Array(300).fill(0x17);
    captures.peerDatagram('S1', peer, client, check, true);
    captures.peerDatagram('S1', peer, client, dtls, false);
    captures.peerDatagram('S2', peer, client, dtls, false);
    const frames = await tsharkFields((await captures.read('S1'))!, ['udp.srcport', 'udp.dstport', 'frame.cap_len', 'frame.len', 'frame.comment']);
    expect(frames).toEqual([
      { 'udp.srcport': '50123', 'udp.dstport': '49160', 'frame.cap_len': String(28 + check.length), 'frame.len': String(28 + check.length), 'frame.comment': 'media-peer: Binding request' },
      { 'udp.srcport': '49160', 'udp.dstport': '50123', 'frame.cap_len': String(28 + 64), 'frame.len': String(28 + 300), 'frame.comment': 'media-peer: to the browser, 300 bytes (DTLS, SCTP)' },
    ]);
    // S2 is not being captured (never opened): nothing recorded for it.
    expect(captures.captureOf('S2')).toBeNull();
  });

  it('keeps the media peer\'s first MEDIA_PEER_DATA_LIMIT DTLS/SCTP datagrams, says so on the last, and its ICE checks after that', async () => {
    const captures = store({ maxBytesPerSession: 1_048_576 });
    captures.open('S1');
    const peer = { ip: '203.0.113.10', port: 49_160 };
    const check = encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(5), attributes: [] });
    for (let i = 0; i < MEDIA_PEER_DATA_LIMIT + 50; i++) captures.peerDatagram('S1', peer, client, new Uint8Array(100).fill(0x17), false);
    captures.peerDatagram('S1', peer, client, check, true);
    const frames = await tsharkFields((await captures.read('S1'))!, ['frame.comment']);
    expect(frames).toHaveLength(MEDIA_PEER_DATA_LIMIT + 1);
    expect(frames[MEDIA_PEER_DATA_LIMIT - 1]!['frame.comment']).toContain(`later DTLS/SCTP datagrams are not recorded (${MEDIA_PEER_DATA_LIMIT} kept)`);
    expect(frames[MEDIA_PEER_DATA_LIMIT]!['frame.comment']).toBe('media-peer: Binding request');
  });

  it('captures at most maxLiveCaptures sessions at once', () => {
    const captures = store({ maxLiveCaptures: 1 });
    expect(captures.open('S1')).toBe(true);
    expect(captures.open('S2')).toBe(false);
    expect(captures.liveCount).toBe(1);
  });

  it('never throws for bytes that are no STUN or no DNS: they are recorded as bytes or ignored', async () => {
    const captures = store();
    captures.open('S1');
    captures.tie('udp', client, 'S1');
    expect(() => captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, Uint8Array.of(0x01), true)).not.toThrow();
    expect(() => captures.dnsMessage('udp', client, server, Uint8Array.of(0xff, 0xff, 0xff), true)).not.toThrow();
    expect(() => captures.stunDatagram('turn-udp', 'not-an-ip', 1, server.ip, server.port, binding, true)).not.toThrow();
    expect(await comments(captures, 'S1')).toEqual(['turn-udp: unparsed, 1 bytes']);
  });

  it('writes a capture to disk when its session ends or it has been quiet, and serves it from there', async () => {
    const captures = store();
    captures.open('S1');
    captures.open('S2');
    captures.tie('udp', client, 'S1');
    captures.tie('udp', { ip: client.ip, port: 1 }, 'S2');
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, binding, true);
    captures.stunDatagram('turn-udp', client.ip, 1, server.ip, server.port, binding, true);
    const servedLive = await captures.read('S1');
    live.delete('S1');
    captures.sweep();
    expect(captures.captureOf('S1')).toBeNull();
    expect(captures.captureOf('S2')).not.toBeNull();
    await captures.flushed();
    expect(existsSync(path.join(dir, 'S1.pcapng'))).toBe(true);
    expect(await captures.read('S1')).toEqual(servedLive);
    // Untied with the capture: later packets from that address are no one's.
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, binding, true);
    expect(await captures.read('S1')).toEqual(servedLive);
    nowMs += CAPTURE_IDLE_MS;
    captures.sweep();
    await captures.flushed();
    expect(existsSync(path.join(dir, 'S2.pcapng'))).toBe(true);
  });

  it('deletes written captures with the result retention, hourly by the clock it is given', async () => {
    const captures = store({ retentionDays: 30 });
    captures.open('S1');
    captures.tie('udp', client, 'S1');
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, binding, true);
    await captures.close();
    const file = path.join(dir, 'S1.pcapng');
    const writtenS = Date.now() / 1000;
    utimesSync(file, writtenS, writtenS);
    nowMs = Date.now() + 29 * DAY_MS;
    expect(await captures.sweepRetention()).toBe(0);
    expect(existsSync(file)).toBe(true);
    nowMs = Date.now() + 30 * DAY_MS + 1000;
    expect(await captures.sweepRetention()).toBe(1);
    expect(existsSync(file)).toBe(false);
    expect(await captures.read('S1')).toBeNull();
  });

  it('logs a capture it cannot write and carries on', async () => {
    const blocked = path.join(path.dirname(dir), 'blocked');
    writeFileSync(blocked, 'a file where the folder should be');
    const captures = store({ dir: path.join(blocked, 'captures') });
    captures.open('S1');
    captures.tie('udp', client, 'S1');
    captures.stunDatagram('turn-udp', client.ip, client.port, server.ip, server.port, binding, true);
    await expect(captures.close()).resolves.toBeUndefined();
    expect(errors).toEqual([expect.stringContaining('cannot write')]);
  });
});
