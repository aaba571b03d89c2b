/**
 * The network-touching PAC functions as the CLI answers them inside the client's network (`netready check --pac`):
 * the machine's own resolver (`dns.lookup`, as the browser's PAC engine uses the system resolver) and its own
 * interface address, so a PAC that branches on `isInNet(host, …)` or `myIpAddress()` decides as it does for the
 * browser there. Never used by the server (lib/pac/offline-sandbox.ts is). myIpAddress() reads the interfaces and
 * connects nowhere (pac-resolver's own connects to a public DNS server to learn it).
 */
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { ipv4InNet, ipv4InPrefix, type DnsQuestionListener } from '../../lib/pac/offline-sandbox';

/** Longest one lookup may take before the PAC gets "unresolvable", ms (the whole evaluation has its own budget). */
export const LOCAL_LOOKUP_TIMEOUT_MS = 1500;

/** This machine's first non-internal IPv4 address (what browsers' myIpAddress() answers), else 127.0.0.1. */
export function localIpv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return '127.0.0.1';
}

async function resolve(host: string, family: 4 | 0): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<null>((done) => {
      timer = setTimeout(() => done(null), LOCAL_LOOKUP_TIMEOUT_MS);
    });
    const answer = lookup(host, { family }).then((a) => a.address).catch(() => null);
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The local PAC functions (async: degenerator turns the PAC's calls of them into awaits). */
export function createLocalPacFunctions(onDnsQuestion: DnsQuestionListener, onAlert: (message: string) => void) {
  const myIp = localIpv4();
  return {
    myIp,
    functions: {
      dnsResolve: async (host: unknown) => {
        onDnsQuestion('dnsResolve', String(host));
        return resolve(String(host), 4);
      },
      dnsResolveEx: async (host: unknown) => {
        onDnsQuestion('dnsResolveEx', String(host));
        return (await resolve(String(host), 0)) ?? '';
      },
      isResolvable: async (host: unknown) => {
        onDnsQuestion('isResolvable', String(host));
        return (await resolve(String(host), 4)) !== null;
      },
      isResolvableEx: async (host: unknown) => {
        onDnsQuestion('isResolvableEx', String(host));
        return (await resolve(String(host), 0)) !== null;
      },
      isInNet: async (host: unknown, pattern: unknown, mask: unknown) => {
        onDnsQuestion('isInNet', String(host));
        const ip = await resolve(String(host), 4);
        return ip !== null && ipv4InNet(ip, String(pattern), String(mask));
      },
      isInNetEx: async (host: unknown, prefix: unknown) => {
        onDnsQuestion('isInNetEx', String(host));
        const ip = await resolve(String(host), 4);
        return ip !== null && ipv4InPrefix(ip, String(prefix));
      },
      myIpAddress: () => myIp,
      myIpAddressEx: () => myIp,
      alert: (message?: unknown) => onAlert(String(message ?? '').slice(0, 500)),
    },
  };
}
