/**
 * ICE-TCP facts (issue 10), derived once from the ice-tcp probe's outcome: did media reach netready's media peer
 * over TCP (RFC 6544), to which endpoint, and which way — straight from this network's NAT, or through the
 * browser's HTTP proxy (the TCP connection arrived from the address the proxied HTTP requests came from).
 */
import { ICE_TCP_PROBE_ID, type IceTcpData } from '../probes/ice-tcp';
import type { Evidence, ProbeOutcome, ProbeStatus } from '../schema/result';
import type { ProxyFacts } from './facts-proxy';
import { PROXY_DECISION } from './facts-proxy';

/** What the ice-tcp probe established. */
export interface IceTcpFacts {
  status: ProbeStatus;
  /** The passive endpoint tried. */
  host: string;
  port: number;
  /** Data flowed over the TCP pair. */
  works: boolean;
  /** The probe ended fail or warn: media could not (fully) reach a TCP-only media server. */
  failed: boolean;
  /** The TCP connection came up but data did not flow over it. */
  connectedWithoutData: boolean;
  /** netready could not tell (its own signalling failed, or the diagnosis set the outcome aside). */
  inconclusive: boolean;
  /**
   * Which way the TCP connection went, from what the server saw: `proxy` — it came from an address the proxied HTTP
   * requests came from while a proxy is detected; `direct` — otherwise, when the server saw it; `unknown` — no
   * server view.
   */
  path: 'direct' | 'proxy' | 'unknown';
  /** The address the server saw the TCP connection from, and the HTTP address of the session. */
  tcpClientAddress?: string;
  httpClientAddress?: string;
  reason?: string;
  evidence: Evidence[];
}

/** Derives the ICE-TCP facts; undefined when the probe did not run (skipped or absent). */
export function deriveIceTcpFacts(probes: Readonly<Record<string, ProbeOutcome>>, proxy: ProxyFacts | undefined): IceTcpFacts | undefined {
  const outcome = probes[ICE_TCP_PROBE_ID];
  if (!outcome || outcome.status === 'skipped') return undefined;
  const data = outcome.data as Partial<IceTcpData>;
  const saw = data.serverSaw;
  const proxyDetected = proxy !== undefined && proxy.score >= PROXY_DECISION.httpProxyMinScore;
  let path: IceTcpFacts['path'] = 'unknown';
  if (saw?.tcpClientAddress) {
    const fromProxy = proxyDetected && (proxy.httpClientAddresses.includes(saw.tcpClientAddress) || saw.tcpClientAddress === saw.httpClientAddress);
    path = fromProxy ? 'proxy' : 'direct';
  }
  const facts: IceTcpFacts = {
    status: outcome.status,
    host: typeof data.host === 'string' ? data.host : '',
    port: typeof data.port === 'number' ? data.port : 0,
    works: outcome.status === 'pass',
    failed: outcome.status === 'fail' || outcome.status === 'warn',
    connectedWithoutData: outcome.status === 'warn',
    inconclusive: outcome.status === 'inconclusive',
    path,
    evidence: outcome.evidence,
  };
  if (saw?.tcpClientAddress) facts.tcpClientAddress = saw.tcpClientAddress;
  if (saw?.httpClientAddress) facts.httpClientAddress = saw.httpClientAddress;
  if (outcome.reason) facts.reason = outcome.reason;
  return facts;
}
