/**
 * The floor of any STUN server written on Node's `dgram` (issue 16): a bare UDP responder that turns each Binding
 * request into a success response by rewriting its type in place and sends it back — no parsing, no attributes,
 * nothing a real server must do. `npm run bench` runs it beside netready's server and coturn, pinned to the same
 * core and driven by the same generator: its answers per CPU-second bound what netready's server could reach on this
 * runtime, so the gap to coturn splits into netready's own code (server − floor) and Node's per-datagram cost
 * (floor − coturn). It answers only what the generator sends (a 20-byte Binding request, RFC 8489 §5); it is a
 * measuring stick, never part of netready.
 *
 *   tsx bench/stun-floor.ts <port>      (127.0.0.1 only; prints "ready" once listening)
 */
import dgram from 'node:dgram';
import { pathToFileURL } from 'node:url';

/** Binds the bare responder on 127.0.0.1:`port`; resolves with the socket once listening. */
export function startStunFloor(port: number): Promise<dgram.Socket> {
  // Literal addresses answered at once, as netready's server does (no tick per datagram in dns.lookup).
  const socket = dgram.createSocket({ type: 'udp4', lookup: ((address: string, _family: unknown, callback: (e: null, a: string, f: number) => void) => callback(null, address, 4)) as never });
  socket.on('message', (message, rinfo) => {
    // A Binding request (0x0001) becomes a Binding success response (0x0101); the transaction ID stays.
    if (message.length !== 20 || message[0] !== 0x00 || message[1] !== 0x01) return;
    message[0] = 0x01;
    socket.send(message, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write('usage: tsx bench/stun-floor.ts <port>\n');
    process.exit(2);
  }
  void startStunFloor(port).then((socket) => {
    process.stdout.write('ready\n');
    const stop = (): void => {
      socket.close(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
