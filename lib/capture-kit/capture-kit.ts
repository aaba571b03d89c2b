/**
 * The troubleshooter's kit for one result (issue 20, "Capture it yourself"): the run's servers as a table, a capture
 * filter and display filters, capture command lines per operating system, and the browser's TLS key log steps.
 * Pure; components/result/capture-kit.tsx renders it on the runner's finished view and the share page.
 */
import type { Result } from '../schema/result';
import { ADDRESS_FILTER_CAVEATS, captureFilterNotes, captureGuides, type OsGuide } from './capture-commands';
import { captureFilter, displayFilter, listenersDisplayFilter } from './capture-filters';
import { readRunServers, type RunServers, type ServerPort, type ServerRole } from './run-servers';
import { keyLogGuide, type KeyLogGuide } from './tls-keys';

/** Where the Wireshark profile is served (app/wireshark-profile.zip/route.ts). */
export const PROFILE_PATH = '/wireshark-profile.zip';

/** What a listener is for, in a few words. */
export const ROLE_LABELS: Record<ServerRole, string> = {
  api: 'netready API (HTTP)',
  'stun-turn': 'STUN/TURN',
  'stun-alternate': 'STUN, alternate port',
  'vendor-media': 'STUN standing for a vendor media port',
  'turn-tls': 'TURN over TLS',
  'tls-mirror': 'HTTPS: TLS inspection check',
  echo: 'HTTP echo: proxy check',
  websocket: 'WebSocket',
  'dns-lookup': 'HTTPS: DNS lookup names',
  'ice-tcp': 'Media peer, ICE over TCP',
  mtu: 'MTU ladder (padded STUN answers)',
  nat: 'NAT behaviour (STUN)',
  relay: 'TURN relay ports (server side)',
  'media-peer': 'Media peer (server side of the call)',
};

/** One row of the "what this run talked to" table: a port (or a run of ports) and what it was for. */
export interface ServerRow {
  /** "UDP", "TCP" or "TLS over TCP". */
  transport: string;
  /** The first and last port of the row (equal for one port). */
  firstPort: number;
  lastPort: number;
  /** The hosts (addresses and names) the run reached it on. */
  hosts: string[];
  /** What it was for, in words, each once (a vendor target named). */
  roles: string[];
}

function transportOf(port: ServerPort): string {
  return port.tls ? 'TLS over TCP' : port.transport.toUpperCase();
}

/**
 * The table, as a capture reader needs it — "I see UDP 28003: what is it?": one row per transport and port with every
 * role and host it had; consecutive ports with the same roles and hosts (the MTU ladder) as one row.
 */
export function serverRows(servers: RunServers): ServerRow[] {
  const byPort = new Map<string, { transport: string; port: number; hosts: Set<string>; roles: Set<string> }>();
  for (const port of servers.ports) {
    const transport = transportOf(port);
    const key = `${transport}|${port.port}`;
    const entry = byPort.get(key) ?? { transport, port: port.port, hosts: new Set<string>(), roles: new Set<string>() };
    entry.hosts.add(port.host);
    entry.roles.add(port.target ? `${ROLE_LABELS[port.role]} (${port.target})` : ROLE_LABELS[port.role]);
    byPort.set(key, entry);
  }
  const order = ['UDP', 'TCP', 'TLS over TCP'];
  const sorted = [...byPort.values()].sort((a, b) => order.indexOf(a.transport) - order.indexOf(b.transport) || a.port - b.port);
  const rows: ServerRow[] = [];
  for (const entry of sorted) {
    const hosts = [...entry.hosts];
    const roles = [...entry.roles];
    const last = rows.at(-1);
    if (last && last.transport === entry.transport && last.lastPort + 1 === entry.port && last.hosts.join() === hosts.join() && last.roles.join() === roles.join()) {
      last.lastPort = entry.port;
    } else {
      rows.push({ transport: entry.transport, firstPort: entry.port, lastPort: entry.port, hosts, roles });
    }
  }
  return rows;
}

/** Everything the kit shows for one result. */
export interface CaptureKit {
  resultId: string;
  servers: RunServers;
  rows: ServerRow[];
  /** Sentences about the table (ports the result records only for this run, names and their addresses). */
  rowNotes: string[];
  captureFilter: string;
  captureFilterNotes: string[];
  /** Why a capture by address can miss the run (proxy, VPN). */
  caveats: string[];
  displayFilter: string;
  /** netready's fixed listeners by address and port; null when none has a known address. */
  listenersFilter: string | null;
  guides: OsGuide[];
  keyLog: KeyLogGuide;
  /** Link to the Wireshark profile. */
  profileHref: string;
}

function rowNotesOf(servers: RunServers): string[] {
  const notes: string[] = [];
  const has = (role: ServerRole): boolean => servers.ports.some((p) => p.role === role);
  if (has('relay') || has('media-peer')) {
    notes.push(
      'Relay and media-peer ports are the ones this run was given; a new run gets others from the server’s ranges, which the result does not record (probe.relayPortMin–relayPortMax and probe.peerPortMin–peerPortMax in its configuration; 49152–59999 and 60000–60999 by default). The filters therefore match the server by address.',
    );
  }
  if (has('relay')) notes.push('A relay port is on the server’s side of TURN: from this computer, relayed media travels inside TURN to the TURN port, not to the relay port.');
  for (const name of servers.names) {
    notes.push(name.address ? `${name.name} is ${name.address} (the run reached the same server by name and by address).` : `${name.name}: the result does not record which address this name resolved to.`);
  }
  if (servers.zone) notes.push(`DNS lookups went to names under ${servers.zone}, through this computer’s resolver (DNS, port 53), not to netready directly.`);
  for (const { target, host } of servers.vendorHosts) notes.push(`Vendor target “${target}”: host name ${host}.`);
  return notes;
}

/** Builds the kit for `result`. `shareId` (the share page's id) narrows the profile's "this netready session" button. */
export function buildCaptureKit(result: Result, shareId?: string): CaptureKit {
  const servers = readRunServers(result);
  const bpf = captureFilter(servers);
  const display = displayFilter(servers);
  const safeShareId = shareId && /^[A-Za-z0-9_-]{1,100}$/.test(shareId) ? shareId : undefined;
  return {
    resultId: result.id,
    servers,
    rows: serverRows(servers),
    rowNotes: rowNotesOf(servers),
    captureFilter: bpf,
    captureFilterNotes: captureFilterNotes(servers),
    caveats: ADDRESS_FILTER_CAVEATS,
    displayFilter: display,
    listenersFilter: listenersDisplayFilter(servers),
    guides: captureGuides(bpf, display, result.id),
    keyLog: keyLogGuide(result.client, result.id),
    profileHref: safeShareId ? `${PROFILE_PATH}?result=${safeShareId}` : PROFILE_PATH,
  };
}
