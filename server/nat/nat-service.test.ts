/**
 * The nat probe's server side on loopback with real sockets: a probe server with an alternate port and a second
 * address (127.0.0.2), a UDP socket standing in for the browser. The endpoints record which source each one saw, and
 * the filtering checks reach the "browser", whose answers (an ICE agent's: integrity under its own password) come back
 * to the sockets they left from.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { attr, readAttribute, USERNAME, XOR_MAPPED_ADDRESS } from '../../lib/protocol/stun/attributes';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { shortTermKey, verifyMessageIntegrity } from '../../lib/protocol/stun/integrity';
import { decodeMessage, encodeMessage } from '../../lib/protocol/stun/message';
import { NatFilteringAnswerSchema, NatObservationsAnswerSchema, SessionSchema, type Session } from '../../lib/schema/session';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';
import { nodeStunCrypto } from '../turn/node-crypto';

const BASE = 41_000 + Math.floor(Math.random() * 40) * 20;
const BROWSER_PWD = 'browser-ice-password-0123456789';

let dataDir: string;
let server: ProbeServer;
let info: ProbeServerInfo;
const sockets: dgram.Socket[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-nat-'));
  server = new ProbeServer(ConfigSchema.parse({ dataDir, probe: loopbackProbeSection([BASE, BASE + 7], [BASE + 8, BASE + 15], { stunAltPorts: [BASE + 16], stunAltIp: '127.0.0.2', publicIpv6: '::1' }) }), { info: () => undefined, error: () => undefined });
  info = await server.start();
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newSession(): Promise<Session> {
  const response = await fetch(`${info.httpUrl}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return SessionSchema.parse(await response.json());
}

/** A loopback UDP socket that, like a browser's ICE agent, answers checks for `ufrag` with integrity — except from `ignoreFrom`. */
async function fakeBrowser(options: { ufrag: string; ignoreFrom?: string } = { ufrag: 'brws' }): Promise<{ socket: dgram.Socket; port: number; checksFrom: string[] }> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const checksFrom: string[] = [];
  socket.on('message', (data, rinfo) => {
    const message = decodeMessage(new Uint8Array(data));
    if (message.cls !== 'request') return;
    checksFrom.push(`${rinfo.address}:${rinfo.port}`);
    if (rinfo.address === options.ignoreFrom) return;
    if (!readAttribute(message, USERNAME)?.startsWith(`${options.ufrag}:`) || !verifyMessageIntegrity(message, shortTermKey(BROWSER_PWD), nodeStunCrypto)) return;
    const answer = encodeMessage(
      { cls: 'success', method: METHOD_BINDING, transactionId: message.transactionId, attributes: [attr(XOR_MAPPED_ADDRESS, { ip: rinfo.address, port: rinfo.port })] },
      { integrity: { key: shortTermKey(BROWSER_PWD), crypto: nodeStunCrypto }, fingerprint: true },
    );
    socket.send(answer, rinfo.port, rinfo.address);
  });
  return { socket, port: socket.address().port, checksFrom };
}

/** One Binding request from `socket` to `ip:port`, resolved when answered. */
function bind(socket: dgram.Socket, ip: string, port: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const onMessage = (data: Buffer): void => {
      if (decodeMessage(new Uint8Array(data)).cls === 'success') {
        socket.off('message', onMessage);
        resolve();
      }
    };
    socket.on('message', onMessage);
    socket.send(encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).map(() => Math.floor(Math.random() * 256)), attributes: [] }, { fingerprint: true }), port, ip);
  });
}

const endpoint = (session: Session, role: string) => session.nat!.endpoints.find((e) => e.role === role)!;

function postFiltering(session: Session, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${info.httpUrl}${session.nat!.filteringPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('the nat endpoints of a probe server', () => {
  it('offers the primary, alternate-port, second-address and IPv6 endpoints in the session', async () => {
    const session = await newSession();
    expect(session.nat?.endpoints.map((e) => [e.role, e.ip])).toEqual([
      ['primary', '127.0.0.1'],
      ['alt-port', '127.0.0.1'],
      ['alt-address', '127.0.0.2'],
      ['ipv6', '::1'],
    ]);
    expect(endpoint(session, 'alt-port').port).toBe(BASE + 16);
    expect(endpoint(session, 'alt-address').url).toBe(`stun:127.0.0.2:${endpoint(session, 'alt-address').port}`);
    expect(endpoint(session, 'ipv6').url).toBe(`stun:[::1]:${endpoint(session, 'ipv6').port}`);
    expect(session.nat?.missing).toBeUndefined();
    // probe.publicIpv6 is the MTU ladder's IPv6 address too when probe.mtu.ipv6 is unset.
    expect(session.mtu?.rungs.some((r) => r.family === 'ipv6' && r.url.startsWith('stun:[::1]:'))).toBe(true);
    expect(session.nat?.filteringPath).toMatch(/\/nat\/filtering$/);
  });

  it('records which source address and port each endpoint answered, by client address', async () => {
    const session = await newSession();
    const browser = await fakeBrowser();
    for (const role of ['primary', 'alt-port', 'alt-address']) await bind(browser.socket, endpoint(session, role).ip, endpoint(session, role).port);
    const response = await fetch(`${info.httpUrl}${session.nat!.observationsPath}?ip=127.0.0.1`);
    const { bindings } = NatObservationsAnswerSchema.parse(await response.json());
    const mine = bindings.filter((b) => b.port === browser.port);
    expect(mine.map((b) => b.role).sort()).toEqual(['alt-address', 'alt-port', 'primary']);
    expect(mine.every((b) => b.address === '127.0.0.1' && b.atMs >= 0)).toBe(true);
  });

  it('records a Binding on the IPv6 endpoint under the client\'s IPv6 address', async () => {
    const session = await newSession();
    const socket = dgram.createSocket('udp6');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(0, '::1', resolve));
    await bind(socket, '::1', endpoint(session, 'ipv6').port);
    const { bindings } = NatObservationsAnswerSchema.parse(await (await fetch(`${info.httpUrl}${session.nat!.observationsPath}?ip=${encodeURIComponent('::1')}`)).json());
    expect(bindings.filter((b) => b.port === socket.address().port).map((b) => [b.role, b.address])).toEqual([['ipv6', '::1']]);
  });

  it('rejects an observations request naming something that is not an address with 400', async () => {
    const session = await newSession();
    const response = await fetch(`${info.httpUrl}${session.nat!.observationsPath}?ip=not-an-ip`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('sends ICE checks from the other port and the other address to the mapping, and reports both answered', async () => {
    const session = await newSession();
    const browser = await fakeBrowser();
    await bind(browser.socket, '127.0.0.1', endpoint(session, 'primary').port);
    const response = await postFiltering(session, { ufrag: 'brws', pwd: BROWSER_PWD, serverUfrag: 'srvr', address: '127.0.0.1', port: browser.port });
    expect(response.status).toBe(200);
    const answer = NatFilteringAnswerSchema.parse(await response.json());
    expect(answer.checks.map((c) => [c.role, c.from, c.answered])).toEqual([
      ['alt-port', `127.0.0.1:${BASE + 16}`, true],
      ['alt-address', `127.0.0.2:${endpoint(session, 'alt-address').port}`, true],
    ]);
    // Answered at once, so the server did not sit out its wait.
    expect(answer.waitedMs).toBeLessThan(1000);
  });

  it('reports a check the browser never answered (a NAT that filters by address) after retransmitting it', async () => {
    const session = await newSession();
    const browser = await fakeBrowser({ ufrag: 'brws', ignoreFrom: '127.0.0.2' });
    await bind(browser.socket, '127.0.0.1', endpoint(session, 'primary').port);
    const answer = NatFilteringAnswerSchema.parse(await (await postFiltering(session, { ufrag: 'brws', pwd: BROWSER_PWD, serverUfrag: 'srvr', address: '127.0.0.1', port: browser.port })).json());
    expect(answer.checks.map((c) => [c.role, c.answered])).toEqual([
      ['alt-port', true],
      ['alt-address', false],
    ]);
    expect(answer.checks.find((c) => c.role === 'alt-address')?.sent).toBe(4);
    expect(browser.checksFrom.filter((f) => f.startsWith('127.0.0.2:'))).toHaveLength(4);
  });

  it('refuses to send checks to a mapping its primary endpoint never answered, with 400', async () => {
    const session = await newSession();
    const browser = await fakeBrowser();
    const response = await postFiltering(session, { ufrag: 'brws', pwd: BROWSER_PWD, serverUfrag: 'srvr', address: '127.0.0.1', port: browser.port });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/answered no Binding request/);
    expect(browser.checksFrom).toEqual([]);
  });

  it('allows two filtering runs per session and refuses the third with 429', async () => {
    const session = await newSession();
    const browser = await fakeBrowser();
    await bind(browser.socket, '127.0.0.1', endpoint(session, 'primary').port);
    const body = { ufrag: 'brws', pwd: BROWSER_PWD, serverUfrag: 'srvr', address: '127.0.0.1', port: browser.port };
    expect((await postFiltering(session, body)).status).toBe(200);
    expect((await postFiltering(session, body)).status).toBe(200);
    const third = await postFiltering(session, body);
    expect(third.status).toBe(429);
  });
});
