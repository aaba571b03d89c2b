/**
 * What the probe's log lines hold after a real run's worth of traffic from a client at 127.0.0.2 (the probe listens
 * on 127.0.0.1): a session opened over the API with an Authorization and a Cookie header, TURN over TCP and TLS with
 * the session's credentials (allocation, permission, relayed data), and one request with a wrong credential. No line
 * may carry the TURN credential, the shared secret, the headers' values or the client's full address — unless the
 * operator asks for full addresses, which the second test proves is then honoured (so the first is not vacuous).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { attr } from '../../lib/protocol/stun/attributes';
import { DATA, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from '../../lib/protocol/turn/attributes';
import * as T from '../../lib/protocol/turn/constants';
import { TurnMessageFactory } from '../../lib/protocol/turn/testing/turn-client';
import type { Session } from '../../lib/schema/session';
import { ProbeServer } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';
import { nodeStunCrypto } from '../turn/node-crypto';
import { connectStream, exchange, type SocketClient } from '../turn/testing/socket-client';
import { createLogger, type LogSettings } from './logger';

const CLIENT = '127.0.0.2';
const SECRET = 'redaction-test-secret-0123456789';
const AUTHORIZATION = 'Bearer authorization-value-1234';
const COOKIE = 'sid=cookie-value-5678';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** POST /v1/sessions from CLIENT with credentials-bearing headers; resolves with the session document. */
function openSession(url: string): Promise<Session> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v1/sessions`, { method: 'POST', localAddress: CLIENT, agent: false, headers: { 'content-type': 'application/json', authorization: AUTHORIZATION, cookie: COOKIE } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(body) as Session) : reject(new Error(`status ${res.statusCode}: ${body}`))));
    });
    request.on('error', reject);
    request.end('{}');
  });
}

/** Runs a session's worth of traffic against a fresh probe logging at debug with `settings`; returns the lines. */
async function runAndCapture(settings: Pick<LogSettings, 'clientAddresses'>): Promise<{ lines: string[]; session: Session }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-redaction-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = ConfigSchema.parse({
    dataDir,
    turn: { secret: SECRET },
    probe: loopbackProbeSection([41800, 41899], [41900, 41999]),
  });
  const lines: string[] = [];
  const logger = createLogger({ service: 'probe', level: 'debug', ...settings, destination: { write: (line: string) => void lines.push(line) } });
  const server = new ProbeServer(config, logger);
  cleanups.push(() => server.stop());
  const info = await server.start();
  const session = await openSession(info.httpUrl);
  const turn = session.turn.find((t) => t.transport === 'tcp')!;
  const factory = (seed: number, password = turn.credential) => new TurnMessageFactory({ crypto: nodeStunCrypto, username: turn.username, password, seed });
  const tcp = { ip: '127.0.0.1', port: info.endpoints.turnTcpPort };
  const tls = { ip: '127.0.0.1', port: info.endpoints.turnTlsPort };
  const clients: SocketClient[] = [
    await connectStream(tcp, undefined, CLIENT),
    await connectStream(tls, { ca: info.tls.devCaPem!, servername: 'localhost' }, CLIENT),
    await connectStream(tcp, undefined, CLIENT),
  ];
  cleanups.push(async () => void (await Promise.all(clients.map((c) => c.close()))));
  const [overTcp, overTls, wrong] = clients as [SocketClient, SocketClient, SocketClient];
  const ft = factory(1);
  const fs = factory(2);
  const allocate = [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)];
  const relayT = (await exchange(overTcp, ft, T.METHOD_ALLOCATE, allocate)).get(XOR_RELAYED_ADDRESS)!;
  const relayS = (await exchange(overTls, fs, T.METHOD_ALLOCATE, allocate)).get(XOR_RELAYED_ADDRESS)!;
  expect((await exchange(overTcp, ft, T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayS)])).errorCode).toBeNull();
  expect((await exchange(overTls, fs, T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayT)])).errorCode).toBeNull();
  overTcp.send(ft.indication(T.METHOD_SEND, [attr(XOR_PEER_ADDRESS, relayS), attr(DATA, Uint8Array.of(1, 2, 3))]));
  await overTls.next((r) => r.kind === 'stun' && r.response.message.method === T.METHOD_DATA);
  expect((await exchange(wrong, factory(3, 'not-the-credential'), T.METHOD_ALLOCATE, allocate)).errorCode).toBe(401);
  await overTcp.close();
  await server.stop();
  return { lines, session };
}

describe('probe log lines after a real session and allocations', () => {
  it('carry session ids and cut addresses, and never a credential, the secret, an auth header or the full client address', async () => {
    const { lines, session } = await runAndCapture({ clientAddresses: 'truncated' });
    const text = lines.join('');
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['session created', 'http request', 'turn allocation created', 'turn permission created', 'turn authentication failed', 'turn allocation ended']));
    const created = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'turn allocation created');
    expect(created).toMatchObject({ sessionId: session.sessionId, clientAddress: '127.0.0.0/24', transport: 'tcp' });
    expect(text).toContain('127.0.0.0/24');
    for (const forbidden of [CLIENT, SECRET, AUTHORIZATION, 'authorization-value', COOKIE, 'cookie-value', ...session.turn.map((t) => t.credential)]) {
      expect(text).not.toContain(forbidden);
    }
  });

  it('carry the full client address when log.clientAddresses is "full"', async () => {
    const { lines } = await runAndCapture({ clientAddresses: 'full' });
    const created = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'session created');
    expect(created).toMatchObject({ clientAddress: CLIENT });
  });
});
