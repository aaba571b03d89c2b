import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attr } from '../../lib/protocol/stun/attributes';
import { CHANNEL_NUMBER, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from '../../lib/protocol/turn/attributes';
import { decodeChannelData, encodeChannelData } from '../../lib/protocol/turn/channel-data';
import * as T from '../../lib/protocol/turn/constants';
import { TurnMessageFactory } from '../../lib/protocol/turn/testing/turn-client';
import { mintTurnCredentials } from '../turn/credentials';
import { nodeStunCrypto } from '../turn/node-crypto';
import { connectUdp, exchange } from '../turn/testing/socket-client';
import { TurnServer } from '../turn/turn-server';
import { CaptureStore } from './capture-store';
import { tsharkFields } from './testing/tshark';

const SECRET = 'capture-fast-path-secret-0123';
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('TURN hot paths with a capture', () => {
  it('relays ChannelData both ways unchanged while recording both legs of a captured session', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-capture-fast-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const captures = new CaptureStore({ dir, snapLengthBytes: 64, maxBytesPerSession: 1 << 20, maxLiveCaptures: 4, retentionDays: 1, isSessionLive: () => true, logError: () => undefined });
    captures.open('S1');
    const server = new TurnServer({ realm: 'netready', secret: SECRET, udp: [{ ip: '127.0.0.1', port: 0 }], tcp: [], relayIp: '127.0.0.1', relayPortMin: 41440, relayPortMax: 41459, allowedPeers: [{ ip: '127.0.0.1', portMin: 1, portMax: 65535 }], capture: captures });
    await server.listen();
    cleanup.push(() => server.close());
    const peer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => peer.close(() => resolve())));
    const peerPort = peer.address().port;
    const client = await connectUdp(server.addresses().udp[0]!);
    cleanup.push(() => client.close());
    const creds = mintTurnCredentials({ secret: SECRET, sessionId: 'S1', ttlS: 600, nowMs: Date.now() });
    const factory = new TurnMessageFactory({ crypto: nodeStunCrypto, username: creds.username, password: creds.credential, seed: 3 });
    const allocated = await exchange(client, factory, T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]);
    const relay = allocated.get(XOR_RELAYED_ADDRESS)!;
    expect((await exchange(client, factory, T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, 0x4001), attr(XOR_PEER_ADDRESS, { ip: '127.0.0.1', port: peerPort })])).errorCode ?? null).toBeNull();

    const payload = new Uint8Array(1000).map((_, i) => i & 0xff);
    const atPeer = new Promise<{ data: Buffer; port: number }>((resolve) => peer.once('message', (data, rinfo) => resolve({ data, port: rinfo.port })));
    client.send(encodeChannelData(0x4001, payload, { pad: false }));
    const received = await atPeer;
    expect(new Uint8Array(received.data)).toEqual(payload);
    expect(received.port).toBe(relay.port);
    peer.send(payload.subarray(0, 500), relay.port, '127.0.0.1');
    const back = await client.next((r) => r.kind === 'channel-data', 3000);
    expect(decodeChannelData(back.bytes).data).toEqual(payload.subarray(0, 500));

    const frames = await tsharkFields((await captures.read('S1'))!, ['udp.srcport', 'udp.dstport', 'frame.len', 'frame.cap_len', 'frame.comment']);
    const comments = frames.map((f) => f['frame.comment']);
    expect(comments).toEqual(
      expect.arrayContaining([
        'turn-udp: ChannelData 0x4001, 1000 bytes',
        'turn-relay: relayed to the peer, 1000 bytes',
        'turn-relay: from the peer, to be relayed, 500 bytes',
        'turn-udp: ChannelData 0x4001, 500 bytes',
      ]),
    );
    const toClient = frames.find((f) => f['frame.comment'] === 'turn-udp: ChannelData 0x4001, 500 bytes')!;
    expect(toClient).toMatchObject({ 'udp.dstport': String(client.local().port), 'frame.len': String(28 + 504), 'frame.cap_len': String(28 + 64) });
  });
});
