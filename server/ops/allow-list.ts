/**
 * `ops.allowFrom`: which client addresses may read `/metrics` and `/readyz` (web app and the probe's operations
 * listener). Everybody else is answered 404, as if the paths did not exist, so the public learns nothing about
 * the deployment's traffic or state.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Client addresses in a list of CIDR blocks (validated by lib/config/schema.ts `isCidr`). */
export class AddressAllowList {
  private readonly list = new BlockList();

  /** Builds the list; throws on a block that is not CIDR notation (the configuration check stops those first). */
  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = '', prefix] = cidr.split('/');
      const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
      if (type === null) throw new TypeError(`not an IP address block: ${cidr}`);
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
  }

  /** Whether `address` (any spelling Node or a header gives: `::ffff:127.0.0.1`, `[::1]`) is in the list. */
  allows(address: string | null | undefined): boolean {
    if (!address) return false;
    let ip = address.trim();
    const bracketed = /^\[([^\]]+)\]/.exec(ip);
    if (bracketed) ip = bracketed[1]!;
    ip = ip.split('%')[0]!;
    if (/^::ffff:[\d.]+$/i.test(ip)) ip = ip.slice(7);
    if (isIPv4(ip)) return this.list.check(ip, 'ipv4');
    if (isIPv6(ip)) return this.list.check(ip, 'ipv6');
    return false;
  }
}
