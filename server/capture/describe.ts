/**
 * One-line names of captured payloads for the packet comments ("Allocate request", "ChannelData 0x4001, 1200
 * bytes", "DNS query A nr-3f9c.probe.example.org"). Reads a few header bytes only and never throws: a malformed
 * packet is named "unparsed …" and recorded as bytes all the same.
 */
import dnsPacket from 'dns-packet';
import { TURN_METHOD_NAMES } from '../../lib/protocol/turn/server';

/** RFC 8489 §5: the class bits C1 (0x0100) and C0 (0x0010) of the message type. */
const CLASS_NAMES = ['request', 'indication', 'success response', 'error response'];

/** Names a STUN/TURN message or ChannelData (RFC 8656 §12.4) from its first bytes. */
export function describeStun(data: Uint8Array): string {
  const first = data[0];
  if (first === undefined || data.length < 4) return `unparsed, ${data.length} bytes`;
  if (first >= 0x40 && first <= 0x7f) {
    const channel = (first << 8) | data[1]!;
    const length = (data[2]! << 8) | data[3]!;
    return `ChannelData 0x${channel.toString(16)}, ${length} bytes`;
  }
  if (first > 0x3f || data.length < 20) return `unparsed, ${data.length} bytes`;
  const type = (first << 8) | data[1]!;
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = ((type & 0x0100) >> 7) | ((type & 0x0010) >> 4);
  return `${TURN_METHOD_NAMES[method] ?? `method 0x${method.toString(16)}`} ${CLASS_NAMES[cls]}`;
}

/** Names a DNS message: query or answer, type and name, answer count (dns-packet, failures caught). */
export function describeDns(data: Uint8Array): string {
  try {
    const packet = dnsPacket.decode(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    const question = packet.questions?.[0];
    const what = question ? `${question.type} ${question.name}` : 'no question';
    if (packet.type === 'response') return `DNS answer ${what}, ${packet.rcode ?? 'NOERROR'}, ${packet.answers?.length ?? 0} records`;
    return `DNS query ${what}`;
  } catch {
    return `DNS, unparsed, ${data.length} bytes`;
  }
}

/** The first label of a DNS question's name, lower case (the probe label), or null when unparsable. */
export function dnsQuestionLabel(data: Uint8Array): string | null {
  try {
    const packet = dnsPacket.decode(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    const name = packet.questions?.[0]?.name;
    return name ? (name.split('.')[0] ?? '').toLowerCase() : null;
  } catch {
    return null;
  }
}
