/**
 * Probe "dns-resolver": which resolver looked up this page's fresh names. netready's authoritative DNS server
 * logged the source address (and EDNS Client Subnet, if sent) of every query for the labels the lookup probe
 * used; this probe reads that back, together with the page's own address as the HTTP server sees it, and
 * records where each is (GeoIP, when the server has a database — otherwise "unknown" and why). It compares
 * the resolver with the HTTP address here; the comparison with the STUN server-reflexive address is made by
 * the diagnosis facts (diagnosis/facts-dns.ts), because depending on the STUN probe would skip this one
 * exactly on networks without UDP. Records only; rules decide.
 */
import * as z from 'zod/mini';
import type { Evidence } from '../schema/result';
import { DNS_LOOKUP_PROBE_ID, type DnsLookupData } from './dns-lookup';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type Probe, type ProbeReport } from './types';

/** Id of the resolver-identity probe. */
export const DNS_RESOLVER_PROBE_ID = 'dns-resolver';

const GeoSchema = z.union([
  z.object({
    status: z.literal('known'),
    country: z.optional(z.string()),
    continent: z.optional(z.string()),
    latitude: z.optional(z.number()),
    longitude: z.optional(z.number()),
    asn: z.optional(z.number()),
    asOrganization: z.optional(z.string()),
  }),
  z.object({ status: z.literal('unknown'), reason: z.string() }),
]);
/** Where an address is, as far as the server knows. */
export type GeoInfo = z.infer<typeof GeoSchema>;

/** Response of GET /v1/dns/labels/:label. */
export const LabelReportSchema = z.object({
  label: z.string(),
  queries: z.array(
    z.object({
      atMs: z.number(),
      resolverIp: z.string(),
      resolverPort: z.number(),
      transport: z.enum(['udp', 'tcp']),
      qtype: z.string(),
      clientSubnet: z.optional(z.string()),
      edns: z.boolean(),
      /** Under the GeoDNS name (issue 15): the region the answer named and the rule that chose it. */
      geo: z.optional(z.object({ region: z.string(), rule: z.enum(['client-subnet', 'resolver', 'default']) })),
    }),
  ),
  resolvers: z.array(z.object({ ip: z.string(), geo: GeoSchema })),
  httpClient: z.object({ ip: z.string(), geo: GeoSchema }),
});
/** What the server saw for one label. */
export type LabelReport = z.infer<typeof LabelReportSchema>;

/** `data` of the resolver-identity probe. */
export interface DnsResolverData {
  /** Labels read back, and how many queries the server saw for each. */
  labels: Array<{ label: string; queries: number; qtypes: string[] }>;
  /** Distinct resolver addresses that asked, with location. */
  resolvers: Array<{ ip: string; geo: GeoInfo; transports: string[] }>;
  /** Distinct EDNS Client Subnets the resolvers forwarded. */
  clientSubnets: string[];
  /** The page's address as netready's HTTP server saw it. */
  httpClient: { ip: string; geo: GeoInfo };
  /** Whether some resolver address equals the HTTP client address. */
  resolverIsHttpClient: boolean;
  /** Labels for which the server saw no query at all (e.g. answered from a cache netready cannot see). */
  unseenLabels: string[];
}

/** Creates the resolver-identity probe. */
export function createDnsResolverProbe(): Probe {
  return {
    id: DNS_RESOLVER_PROBE_ID,
    title: 'Which DNS resolver this network uses',
    dependsOn: [SESSION_PROBE_ID, DNS_LOOKUP_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const lookup = ctx.deps[DNS_LOOKUP_PROBE_ID]?.data as Partial<DnsLookupData> | undefined;
      const labels = (lookup?.attempts ?? []).map((a) => a.label);
      if (!session.dns || labels.length === 0) {
        return skippedReport('No fresh names were looked up, so there is no resolver to identify.');
      }
      ctx.progress('Asking the test server which resolver looked the names up');
      const reports: LabelReport[] = [];
      for (const label of labels) {
        const response = await ctx.env.fetch(`${ctx.probeUrl}${session.dns.labelsPath}/${label}`, { method: 'GET', signal: ctx.signal });
        const parsed = LabelReportSchema.safeParse(await response.json().catch(() => null));
        if (response.status !== 200 || !parsed.success) {
          return {
            status: 'inconclusive',
            reason: `The test server did not report what its DNS server saw (HTTP ${response.status}).`,
            data: {},
            evidence: [],
          };
        }
        reports.push(parsed.data);
      }
      const byIp = new Map<string, { ip: string; geo: GeoInfo; transports: Set<string> }>();
      for (const report of reports) {
        for (const r of report.resolvers) if (!byIp.has(r.ip)) byIp.set(r.ip, { ...r, transports: new Set() });
        for (const q of report.queries) byIp.get(q.resolverIp)?.transports.add(q.transport);
      }
      const httpClient = reports[0]!.httpClient;
      const data: DnsResolverData = {
        labels: reports.map((r) => ({ label: r.label, queries: r.queries.length, qtypes: [...new Set(r.queries.map((q) => q.qtype))] })),
        resolvers: [...byIp.values()].map((r) => ({ ip: r.ip, geo: r.geo, transports: [...r.transports] })),
        clientSubnets: [...new Set(reports.flatMap((r) => r.queries.flatMap((q) => (q.clientSubnet ? [q.clientSubnet] : []))))],
        httpClient,
        resolverIsHttpClient: byIp.has(httpClient.ip),
        unseenLabels: reports.filter((r) => r.queries.length === 0).map((r) => r.label),
      };
      const evidence: Evidence[] = data.resolvers.map((r) => ({
        probe: DNS_RESOLVER_PROBE_ID,
        kind: 'dns-resolver',
        summary: `resolver ${r.ip} asked netready's DNS server (${r.transports.join('+')})${
          r.geo.status === 'known' ? `, ${[r.geo.country, r.geo.asOrganization].filter(Boolean).join(', ')}` : ''
        }; this browser reached the HTTP server from ${httpClient.ip}`,
        data: { resolverIp: r.ip, geo: r.geo, httpClientIp: httpClient.ip, clientSubnets: data.clientSubnets },
      }));
      const record = data as unknown as Record<string, unknown>;
      if (data.resolvers.length === 0) {
        // The names were answered by something that did not ask netready's server (a local override, a filtering
        // resolver): the resolver cannot be identified, which says nothing wrong about the network by itself.
        return { status: 'inconclusive', reason: 'netready\'s DNS server saw no query for the names this page looked up, so the resolver could not be identified.', data: record, evidence };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
