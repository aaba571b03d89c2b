/**
 * The PAC functions that would touch the network, as the netready server answers them: it never resolves a name
 * (a PAC on the server would otherwise make it look up internal names — a DNS leak — or probe addresses of the
 * admin's choosing). A call that needs DNS is recorded and answered as "cannot resolve"; an IP literal needs no
 * lookup and is answered exactly. `myIpAddress()` answers the client's address as the run recorded it (or an
 * assumed one, which the answer says). The pure functions of pac-resolver (shExpMatch, dnsDomainIs …) are used as
 * they are. Pure: the worker (server/pac/pac-worker.ts) installs these into the QuickJS sandbox.
 */

/** Which PAC function asked for DNS. */
export type PacDnsFunction = 'dnsResolve' | 'dnsResolveEx' | 'isResolvable' | 'isResolvableEx' | 'isInNet' | 'isInNetEx';

/** Told of every DNS question the PAC asked (the name as the PAC gave it). */
export type DnsQuestionListener = (fn: PacDnsFunction, name: string) => void;

/** The network-touching PAC functions, all synchronous (nothing here waits for the network). */
export interface OfflinePacFunctions {
  dnsResolve(host: unknown): string | null;
  dnsResolveEx(host: unknown): string;
  isResolvable(host: unknown): boolean;
  isResolvableEx(host: unknown): boolean;
  isInNet(host: unknown, pattern: unknown, mask: unknown): boolean;
  isInNetEx(host: unknown, prefix: unknown): boolean;
  myIpAddress(): string;
  myIpAddressEx(): string;
  alert(message?: unknown): void;
}

/** The 32-bit value of a dotted IPv4 literal, or null when `text` is not one. */
export function ipv4ToNumber(text: string): number | null {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!parts) return null;
  let value = 0;
  for (const part of parts.slice(1)) {
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

/** Whether the IPv4 literal `ip` lies in `pattern`/`mask` (both dotted); false when any is not IPv4. */
export function ipv4InNet(ip: string, pattern: string, mask: string): boolean {
  const [a, p, m] = [ipv4ToNumber(ip), ipv4ToNumber(pattern), ipv4ToNumber(mask)];
  if (a === null || p === null || m === null) return false;
  // >>> 0 keeps the AND unsigned (JavaScript's bitwise operators work on signed 32-bit integers).
  return ((a & m) >>> 0) === ((p & m) >>> 0);
}

/** Whether the IPv4 literal `ip` lies in the CIDR `prefix` (`198.51.100.0/24`); false for anything else. */
export function ipv4InPrefix(ip: string, prefix: string): boolean {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(prefix);
  if (!match?.[1] || Number(match[2]) > 32) return false;
  const bits = Number(match[2]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const maskText = [24, 16, 8, 0].map((shift) => (mask >>> shift) & 255).join('.');
  return ipv4InNet(ip, match[1], maskText);
}

/**
 * The offline PAC functions: DNS questions about names go to `onDnsQuestion` and get the answer "unresolvable";
 * IP literals are answered as a browser would without DNS; `myIpAddress()` returns `myIp`.
 */
export function createOfflinePacFunctions(myIp: string, onDnsQuestion: DnsQuestionListener, onAlert: (message: string) => void = () => undefined): OfflinePacFunctions {
  const literal = (host: unknown): string | null => {
    const text = String(host);
    if (ipv4ToNumber(text) !== null) return text;
    return /^\[?[0-9a-f:.]+\]?$/i.test(text) && text.includes(':') ? text.replace(/^\[|\]$/g, '') : null;
  };
  const ask = (fn: PacDnsFunction, host: unknown): string | null => {
    const ip = literal(host);
    if (ip === null) onDnsQuestion(fn, String(host).slice(0, 253));
    return ip;
  };
  return {
    dnsResolve: (host) => {
      const ip = ask('dnsResolve', host);
      return ip !== null && ipv4ToNumber(ip) !== null ? ip : null;
    },
    dnsResolveEx: (host) => ask('dnsResolveEx', host) ?? '',
    isResolvable: (host) => ask('isResolvable', host) !== null,
    isResolvableEx: (host) => ask('isResolvableEx', host) !== null,
    isInNet: (host, pattern, mask) => {
      const ip = ask('isInNet', host);
      return ip !== null && ipv4InNet(ip, String(pattern), String(mask));
    },
    isInNetEx: (host, prefix) => {
      const ip = ask('isInNetEx', host);
      return ip !== null && ipv4InPrefix(ip, String(prefix));
    },
    myIpAddress: () => myIp,
    myIpAddressEx: () => myIp,
    alert: (message) => onAlert(String(message ?? '').slice(0, 500)),
  };
}
