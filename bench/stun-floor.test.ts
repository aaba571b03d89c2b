import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStunFloor } from './stun-floor';
import { measureStunBindingRps } from './stun-load';

describe('the bare Node STUN responder (the bench\'s floor)', () => {
  let socket: dgram.Socket;
  let port: number;
  beforeAll(async () => {
    socket = await startStunFloor(0);
    port = socket.address().port;
  });
  afterAll(() => new Promise<void>((resolve) => socket.close(() => resolve())));

  it('answers the generator\'s Binding requests as successes with their transaction IDs', async () => {
    const r = await measureStunBindingRps({ host: '127.0.0.1', port, durationMs: 200, inFlight: 4 });
    expect(r.received).toBeGreaterThan(10);
    expect(r.errors).toBe(0);
  });

  it('ignores anything but a 20-byte Binding request, and keeps answering', async () => {
    const client = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    client.on('message', (m) => replies.push(m));
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
    const send = (b: Buffer): Promise<void> => new Promise((resolve) => client.send(b, port, '127.0.0.1', () => resolve()));
    await send(Buffer.from([0x01, 0x01, 0, 0]));
    await send(Buffer.alloc(20, 0x41));
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt32BE(0x2112a442, 4);
    request.write('abcdefghijkl', 8, 'latin1');
    await send(request);
    await expect.poll(() => replies.length).toBe(1);
    expect(replies[0]!.readUInt16BE(0)).toBe(0x0101);
    expect(replies[0]!.subarray(8).toString('latin1')).toBe('abcdefghijkl');
    client.close();
  });
});
