/**
 * The MTU of the network interface that holds an address (Linux: /sys/class/net/<name>/mtu). The MTU ladder offers
 * no rung above it: a datagram larger than the test server's own link cannot leave the server with Don't-Fragment
 * set, and blaming the client's network for that would be netready's own mistake (a cloud VM with a 1460-byte MTU).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The interface name holding `ip`, or null (an unspecified address such as 0.0.0.0 has none). */
export function interfaceOf(ip: string): string | null {
  const wanted = ip.toLowerCase();
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    if ((addresses ?? []).some((a) => a.address.toLowerCase() === wanted)) return name;
  }
  return null;
}

/** The link MTU of the interface holding `ip` in bytes, or null when it cannot be known (no such interface, not Linux). */
export function linkMtuOf(ip: string): number | null {
  const name = interfaceOf(ip);
  if (!name || !/^[A-Za-z0-9_.:@-]+$/.test(name)) return null;
  try {
    const mtu = Number(readFileSync(`/sys/class/net/${name}/mtu`, 'utf8').trim());
    return Number.isInteger(mtu) && mtu > 0 ? mtu : null;
  } catch {
    return null;
  }
}
