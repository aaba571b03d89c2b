import { describe, expect, it } from 'vitest';
import { attr } from '../../lib/protocol/stun/attributes';
import { encodeMessage } from '../../lib/protocol/stun/message';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { XOR_MAPPED_ADDRESS } from '../../lib/protocol/stun/attributes';
import { encodeChannelData } from '../../lib/protocol/turn/channel-data';
import { SessionCapture } from './session-capture';
import { tsharkFields } from './testing/tshark';

const bindingRequest = encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(7), attributes: [] });
const bindingResponse = encodeMessage({
  cls: 'success',
  method: METHOD_BINDING,
  transactionId: new Uint8Array(12).fill(7),
  attributes: [attr(XOR_MAPPED_ADDRESS, { ip: '198.51.100.7', port: 50123 })],
});
const client = { ip: '198.51.100.7', port: 50123 };
const server = { ip: '203.0.113.10', port: 3478 };

/** A capture with a Binding exchange, ChannelData cut at 64 bytes, an IPv6 datagram and a STUN frame split over two TCP segments. */
function sampleCapture(maxBytes = 1 << 20): SessionCapture {
  const capture = new SessionCapture('S1', { maxBytes }, 1_700_000_000_000);
  const t0 = 1_700_000_000_000_000;
  capture.record({ timestampUs: t0, transport: 'udp', src: client, dst: server, payload: bindingRequest, comment: 'turn-udp: Binding request' });
  capture.record({ timestampUs: t0 + 100, transport: 'udp', src: server, dst: client, payload: bindingResponse, comment: 'turn-udp: Binding success response' });
  const channelData = encodeChannelData(0x4001, new Uint8Array(1200).fill(0xab), { pad: false });
  capture.record({ timestampUs: t0 + 200, transport: 'udp', src: client, dst: server, payload: channelData.subarray(0, 64), originalLength: channelData.length, comment: 'turn-udp: ChannelData 0x4001, 1200 bytes' });
  capture.record({ timestampUs: t0 + 300, transport: 'udp', src: { ip: '2001:db8::7', port: 40000 }, dst: { ip: '2001:db8::1', port: 3478 }, payload: bindingRequest, comment: 'turn-udp: Binding request over IPv6' });
  capture.record({ timestampUs: t0 + 400, transport: 'tcp', src: client, dst: server, payload: bindingRequest.subarray(0, 8), comment: 'turn-tcp: first part', fromClient: true });
  capture.record({ timestampUs: t0 + 500, transport: 'tcp', src: client, dst: server, payload: bindingRequest.subarray(8), comment: 'turn-tcp: second part', fromClient: true });
  return capture;
}

describe('pcapng writer', () => {
  it('writes a file tshark reads frame by frame, with addresses, ports, comments and good checksums', async () => {
    const frames = await tsharkFields(
      sampleCapture().encode(256),
      ['frame.number', 'ip.src', 'ipv6.src', 'udp.srcport', 'tcp.srcport', 'udp.checksum.status', 'ip.checksum.status', 'tcp.checksum.status', 'frame.comment', 'stun.type', '_ws.expert.message'],
      ['-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'],
    );
    expect(frames).toHaveLength(6);
    expect(frames.map((f) => f['ip.src'] || f['ipv6.src'])).toEqual(['198.51.100.7', '203.0.113.10', '198.51.100.7', '2001:db8::7', '198.51.100.7', '198.51.100.7']);
    expect(frames.map((f) => f['udp.srcport'] || f['tcp.srcport'])).toEqual(['50123', '3478', '50123', '40000', '50123', '50123']);
    expect(frames.map((f) => f['frame.comment'])).toEqual([
      'turn-udp: Binding request',
      'turn-udp: Binding success response',
      'turn-udp: ChannelData 0x4001, 1200 bytes',
      'turn-udp: Binding request over IPv6',
      'turn-tcp: first part',
      'turn-tcp: second part',
    ]);
    // Wireshark's checksum status: 1 good, 0 bad, 3 not present. The ChannelData was cut at the snap length, so its
    // checksum cannot be computed and is sent as 0 ("none", RFC 768).
    expect(frames.map((f) => f['udp.checksum.status'])).toEqual(['1', '1', '3', '1', '', '']);
    expect(frames.filter((f) => f['ip.src']).map((f) => f['ip.checksum.status'])).toEqual(['1', '1', '1', '1', '1']);
    expect(frames.slice(4).map((f) => f['tcp.checksum.status'])).toEqual(['1', '1']);
    // STUN decoded on UDP, and on TCP once the two segments are reassembled into the one 20-byte message.
    expect(frames[0]!['stun.type']).toBe('0x0001');
    expect(frames[1]!['stun.type']).toBe('0x0101');
    expect(frames[3]!['stun.type']).toBe('0x0001');
    expect(frames[5]!['stun.type']).toBe('0x0001');
  });

  it('stops at the cap and ends the file with a "capture truncated at N bytes" comment', async () => {
    const capture = sampleCapture(700);
    expect(capture.truncatedAt).not.toBeNull();
    const frames = await tsharkFields(capture.encode(256), ['frame.comment', 'frame.len']);
    expect(frames.length).toBeLessThan(6);
    expect(frames[frames.length - 1]!['frame.comment']).toBe(`capture truncated at ${capture.truncatedAt} bytes`);
    expect(capture.encode(256).length).toBeLessThanOrEqual(700 + 200);
  });
});
