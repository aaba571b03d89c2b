/**
 * Issue 20's end-to-end check of the server's side of the capture: downloads the capture a real run's result names
 * (`probes.session.data.captureUrl`), reads it with Debian's tshark, and asserts that STUN/TURN, DNS and TLS are
 * decoded and that the addresses and ports in it are the ones the result recorded: the relay addresses the TURN
 * probes got, and the client address the servers saw.
 */
import { writeFileSync } from 'node:fs';
import { expect } from '@playwright/test';
import type { Result } from '../../lib/schema/result';
import { tsharkFields } from '../../server/capture/testing/tshark';
import type { StackPorts } from './stack';

/** What the capture must show besides TURN: a DNS zone whose probe names were looked up and fetched over HTTPS. */
export interface ServerCaptureExpectations {
  ports: StackPorts;
  /** Where the downloaded capture is kept for a look in Wireshark when an assertion fails. */
  keepAt: string;
  dns: { zone: string; port: number; labels: string[] };
}

/** Downloads the run's server capture and asserts what tshark decodes in it; returns its size in bytes. */
export async function assertServerCapture(result: Result, expected: ServerCaptureExpectations): Promise<number> {
  const captureUrl = result.probes.session?.data?.captureUrl;
  expect(typeof captureUrl, 'the result records the probe server capture URL').toBe('string');
  const response = await fetch(captureUrl as string);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toContain('.pcapng');
  const bytes = new Uint8Array(await response.arrayBuffer());
  writeFileSync(expected.keepAt, bytes);
  const { ports, dns } = expected;
  // The stack's ports are not the IANA ones tshark knows (3478, 53, 443): say what runs on them.
  const decodeAs = [
    `udp.port==${ports.turn},stun`,
    `tcp.port==${ports.turn},stun`,
    `udp.port==${dns.port},dns`,
    `tcp.port==${ports.https},tls`,
    `tcp.port==${ports.tls},tls`,
  ].flatMap((rule) => ['-d', rule]);
  const frames = await tsharkFields(bytes, ['ip.src', 'udp.srcport', 'tcp.srcport', 'stun.type', 'stun.att.ipv4', 'stun.att.port', 'dns.qry.name', 'dns.flags.response', 'tls.handshake.type', 'tls.handshake.extensions_server_name', 'frame.comment'], decodeAs);
  const types = new Set(frames.flatMap((f) => (f['stun.type'] ?? '').split('|')).filter(Boolean));
  // STUN Binding (the ICE checks inside the relayed data), TURN Allocate request and success, CreatePermission and ChannelBind requests.
  for (const type of ['0x0001', '0x0003', '0x0103', '0x0008', '0x0009']) expect([...types], `STUN/TURN message type ${type}`).toContain(type);

  // The relays the result recorded are the ones the server's Allocate answers named (XOR-RELAYED-ADDRESS) over UDP and
  // TCP; over TLS (whose messages are not recorded) the relay's datagrams to the media peer leave from that address.
  const allocated = frames.filter((f) => (f['stun.type'] ?? '').split('|').includes('0x0103'));
  for (const transport of ['udp', 'tcp', 'tls']) {
    const relay = result.probes[`turn-${transport}`]?.data?.relay as { address: string; port: number } | undefined;
    expect(relay, `turn-${transport} recorded a relay`).toBeDefined();
    const named = allocated.some((f) => (f['stun.att.ipv4'] ?? '').split('|').includes(relay!.address) && (f['stun.att.port'] ?? '').split('|').includes(String(relay!.port)));
    const relayed = frames.some((f) => f['ip.src'] === relay!.address && f['udp.srcport'] === String(relay!.port) && (f['frame.comment'] ?? '').startsWith('turn-relay: relayed to the peer'));
    if (transport === 'tls') expect(relayed, `the capture has turn-tls's relay ${relay!.address}:${relay!.port} sending to the media peer`).toBe(true);
    else expect(named && relayed, `the capture has the Allocate answer naming turn-${transport}'s relay ${relay!.address}:${relay!.port}, and its datagrams`).toBe(true);
  }
  // TURN over TLS: the ClientHello reached the TURN/TLS port from the client.
  expect(frames.some((f) => f['tcp.srcport'] !== '' && (f['tls.handshake.type'] ?? '').split('|').includes('1') && (f['frame.comment'] ?? '').startsWith('turn-tls:'))).toBe(true);
  // The client address the servers saw (the result's server view) is the source of the TURN requests and the ClientHellos.
  const clientAddress = result.probes['server-view']?.data?.clientAddress;
  expect(typeof clientAddress).toBe('string');
  const requests = frames.filter((f) => (f['stun.type'] ?? '').split('|')[0] === '0x0003');
  expect(requests.length).toBeGreaterThan(0);
  expect(new Set(requests.map((f) => f['ip.src']))).toEqual(new Set([clientAddress]));

  // The DNS queries of the zone and their answers, for the page's own probe names.
  const names = new Set(dns.labels.map((label) => `${label}.${dns.zone}`));
  const dnsFrames = frames.filter((f) => names.has(f['dns.qry.name'] ?? ''));
  expect(new Set(dnsFrames.map((f) => f['dns.flags.response']))).toEqual(new Set(['0', '1']));
  // The TLS ClientHello of the HTTPS request to such a name, with that name as its SNI.
  const hellos = frames.filter((f) => (f['tls.handshake.type'] ?? '').split('|').includes('1'));
  expect(hellos.some((f) => names.has(f['tls.handshake.extensions_server_name'] ?? '') && f['ip.src'] === clientAddress)).toBe(true);
  // The media peer's own datagrams on the direct path (the quality stream's): the browser's ICE checks arriving at
  // the peer's port, decoded as STUN Binding requests, and the DTLS that followed.
  const peerFrames = frames.filter((f) => (f['frame.comment'] ?? '').startsWith('media-peer:'));
  expect(peerFrames.some((f) => (f['stun.type'] ?? '').split('|').includes('0x0001') && f['ip.src'] === clientAddress), 'ICE checks to the media peer').toBe(true);
  expect(peerFrames.some((f) => (f['frame.comment'] ?? '').includes('(DTLS, SCTP)')), 'DTLS to or from the media peer').toBe(true);
  return bytes.length;
}
