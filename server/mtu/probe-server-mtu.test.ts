/**
 * The MTU ladder inside the whole probe server on loopback: the session document offers it, each rung answers with
 * exactly its size, the TURN listener pads a tagged Allocate, and the path-MTU route answers for a client that used it.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { encodeMessage } from '../../lib/protocol/stun/message';
import { attr } from '../../lib/protocol/stun/attributes';
import { REQUESTED_TRANSPORT } from '../../lib/protocol/turn/attributes';
import * as T from '../../lib/protocol/turn/constants';
import { TurnMessageFactory } from '../../lib/protocol/turn/testing/turn-client';
import { SessionSchema, type Session } from '../../lib/schema/session';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';
import { nodeStunCrypto } from '../turn/node-crypto';
import { connectUdp, exchange } from '../turn/testing/socket-client';

let dataDir: string;
let server: ProbeServer;
let info: ProbeServerInfo;
let session: Session;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-probe-mtu-'));
  server = new ProbeServer(ConfigSchema.parse({ dataDir, probe: loopbackProbeSection([41412, 41419], [41880, 41884]) }), { info: () => undefined, error: () => undefined });
  info = await server.start();
  const response = await fetch(`${info.httpUrl}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  session = SessionSchema.parse(await response.json());
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One Binding request to `port` from a fresh loopback socket; resolves with the answer's length. */
async function bindingAnswerBytes(port: number): Promise<number> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    socket.send(encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(9), attributes: [] }, { fingerprint: true }), port, '127.0.0.1');
    return (await answer).length;
  } finally {
    socket.close();
  }
}

describe('the probe server\'s MTU ladder', () => {
  it('offers the default ladder and fragment rungs over IPv4, with one TURN username per size, and says IPv6 is not configured', () => {
    const mtu = session.mtu!;
    expect(mtu.rungs.map((r) => [r.sizeBytes, r.df])).toEqual([[576, true], [1200, true], [1280, true], [1348, true], [1400, true], [1448, true], [1480, true], [1500, true], [1600, false], [2000, false]]);
    expect(mtu.rungs.every((r) => r.url === `stun:127.0.0.1:${r.port}`)).toBe(true);
    expect(mtu.turn?.map((t) => t.username.split(':')[2])).toEqual(['mtu576', 'mtu1200', 'mtu1280', 'mtu1348', 'mtu1400', 'mtu1448', 'mtu1480', 'mtu1500']);
    expect(mtu.ipv6Missing).toMatch(/probe\.mtu\.ipv6/);
  });

  it('answers every rung with a datagram of exactly its size', async () => {
    for (const rung of session.mtu!.rungs) expect((await bindingAnswerBytes(rung.port)) + 28).toBe(rung.sizeBytes);
  });

  it('pads a tagged Allocate on the TURN port, then tells the client what path MTU the kernel knows towards it', async () => {
    const rung = session.mtu!.turn!.find((t) => t.sizeBytes === 1448)!;
    const client = await connectUdp({ ip: '127.0.0.1', port: info.endpoints.turnUdpPort });
    try {
      const factory = new TurnMessageFactory({ crypto: nodeStunCrypto, username: rung.username, password: rung.credential, seed: 5 });
      const response = await exchange(client, factory, T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]);
      expect(response.errorCode).toBeNull();
      expect(response.message.raw.length + 28).toBe(1448);
    } finally {
      await client.close();
    }
    const answer = await fetch(`${info.httpUrl}${session.mtu!.pathMtuPath}?ip=127.0.0.1`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ip: '127.0.0.1', pathMtuBytes: 65535 });
  });

  it('lists every rung among the listeners readiness checks', () => {
    const names = server.readiness().checks.map((c) => c.name).filter((n) => n.includes('mtu'));
    expect(names).toHaveLength(10);
  });
});
