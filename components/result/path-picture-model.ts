/**
 * The model of the path picture (issue 11 item 6): browser interface → the address netready's servers saw it leave
 * from → which netready server, one line per transport that worked, the path ICE chose for media marked. Built only
 * from the result's probe outcomes through the diagnosis's own path facts (lib/diagnosis/facts-paths.ts), so the
 * picture and the findings never disagree. Pure: no React, no DOM — unit-tested on its own.
 */
import { derivePathFacts, type NetworkPath, type PathFacts } from '../../lib/diagnosis/facts-paths';
import type { ProbeOutcome } from '../../lib/schema/result';

/** A box of the picture: an interface (column 0), an egress address (1), a netready server/transport (2). */
export interface PathNode {
  id: string;
  column: 0 | 1 | 2;
  label: string;
  sublabel?: string;
  /** `vpn`: a likely VPN interface; `muted`: listed but nothing got through it; `chosen`: on the selected path. */
  tone: 'normal' | 'vpn' | 'muted' | 'chosen';
}

/** A line between two boxes. */
export interface PathEdge {
  from: string;
  to: string;
  /** Transports it carried (`UDP`, `TURN/TCP` …), shown on the line's end. */
  label?: string;
  /** On the path ICE selected for media. */
  selected: boolean;
}

/** What the picture draws. */
export interface PathPictureModel {
  nodes: PathNode[];
  edges: PathEdge[];
  /** One line under the picture: what it shows (and the detour, when there is one). */
  caption: string;
  /** The picture in words, for screen readers. */
  summary: string;
  detour: boolean;
  /** Default mode: interfaces hidden behind the default route. */
  masked: boolean;
}

/** The servers (column 2), in drawing order. */
const SERVERS = [
  { id: 'srv:http', label: 'Web / API', sublabel: 'HTTP(S)' },
  { id: 'srv:udp', label: 'STUN · media', sublabel: 'UDP' },
  { id: 'srv:turn-udp', label: 'TURN relay', sublabel: 'UDP' },
  { id: 'srv:turn-tcp', label: 'TURN relay', sublabel: 'TCP' },
  { id: 'srv:turn-tls', label: 'TURN relay', sublabel: 'TLS' },
  { id: 'srv:ice-tcp', label: 'Media over TCP', sublabel: 'ICE-TCP' },
] as const;

type ServerId = (typeof SERVERS)[number]['id'];

const TRANSPORT_LABEL: Record<ServerId, string> = {
  'srv:http': 'HTTP',
  'srv:udp': 'UDP',
  'srv:turn-udp': 'TURN/UDP',
  'srv:turn-tcp': 'TURN/TCP',
  'srv:turn-tls': 'TURN/TLS',
  'srv:ice-tcp': 'ICE-TCP',
};

function interfaceLabel(n: NetworkPath): { label: string; sublabel: string } {
  const address = n.hostAddresses.find((a) => !a.endsWith('.local')) ?? n.hostAddresses[0] ?? `network ${n.networkId ?? n.index + 1}`;
  const kind = n.kind === 'likely-vpn' ? 'likely VPN' : n.networkType && n.networkType !== 'unknown' ? n.networkType : n.kind === 'unknown' ? 'interface' : n.kind;
  return { label: address, sublabel: kind };
}

/** The server the selected pair's media reached. */
function selectedServer(facts: PathFacts): ServerId | null {
  const s = facts.selected;
  if (!s) return null;
  if (s.candidateType === 'relay') return s.relayProtocol === 'tls' ? 'srv:turn-tls' : s.relayProtocol === 'tcp' ? 'srv:turn-tcp' : 'srv:turn-udp';
  return s.protocol === 'tcp' ? 'srv:ice-tcp' : 'srv:udp';
}

function iceTcpFrom(probes: Readonly<Record<string, ProbeOutcome>>): string | undefined {
  const outcome = probes['ice-tcp'];
  if (!outcome || outcome.status !== 'pass') return undefined;
  const saw = outcome.data.serverSaw;
  const address = typeof saw === 'object' && saw !== null ? (saw as Record<string, unknown>).tcpClientAddress : undefined;
  return typeof address === 'string' ? address : undefined;
}

/** Builds the picture from the result's outcomes; null when no server saw this client at all (nothing to draw). */
export function buildPathPicture(probes: Readonly<Record<string, ProbeOutcome>>): PathPictureModel | null {
  const facts = derivePathFacts(probes);
  // Which egress reached which server (column 1 → 2).
  const reached = new Map<string, Set<ServerId>>();
  const add = (address: string | undefined, server: ServerId): void => {
    if (!address) return;
    const set = reached.get(address) ?? new Set<ServerId>();
    set.add(server);
    reached.set(address, set);
  };
  add(facts.httpEgress, 'srv:http');
  for (const address of facts.stunEgress) add(address, 'srv:udp');
  for (const t of ['udp', 'tcp', 'tls'] as const) for (const address of facts.turnEgress[t]) add(address, `srv:turn-${t}`);
  add(iceTcpFrom(probes), 'srv:ice-tcp');
  if (reached.size === 0) return null;

  const chosenServer = selectedServer(facts);
  const chosenEgress = facts.selected?.egress;
  const deep = facts.enumeration === 'all' && facts.networks.length > 0;
  const nodes: PathNode[] = [];
  const edges: PathEdge[] = [];

  // Column 0: the interfaces (deep check), or the browser behind its default route.
  const chosenNetwork = deep ? facts.networks.find((n) => n.selected) : undefined;
  if (deep) {
    for (const n of facts.networks) {
      const { label, sublabel } = interfaceLabel(n);
      const works = n.stunWorks || n.turn.udp || n.turn.tcp || n.turn.tls;
      nodes.push({ id: `if:${n.index}`, column: 0, label, sublabel: works ? sublabel : 'nothing got through', tone: n.kind === 'likely-vpn' ? 'vpn' : !works ? 'muted' : n.selected ? 'chosen' : 'normal' });
    }
  } else {
    nodes.push({ id: 'if:browser', column: 0, label: 'This browser', sublabel: facts.enumeration === 'none' ? 'no local address' : 'default route only', tone: 'normal' });
  }

  // Column 1: every egress address, in first-seen order (web first).
  const addresses = [...reached.keys()];
  for (const address of addresses) {
    const servers = reached.get(address)!;
    const roles = [servers.has('srv:http') ? 'web' : null, [...servers].some((s) => s !== 'srv:http') ? 'media' : null].filter(Boolean).join(' + ');
    nodes.push({ id: `eg:${address}`, column: 1, label: address, sublabel: roles, tone: address === chosenEgress ? 'chosen' : 'normal' });
  }

  // Column 0 → 1: which interface left from which address.
  if (deep) {
    for (const n of facts.networks) {
      const via = new Map<string, string[]>();
      const note = (address: string | undefined, what: string): void => {
        if (!address || !reached.has(address)) return;
        via.set(address, [...(via.get(address) ?? []), what]);
      };
      if (n.stunWorks) note(n.egress, 'UDP');
      for (const t of ['udp', 'tcp', 'tls'] as const) {
        if (!n.turn[t]) continue;
        const candidates = facts.turnEgress[t];
        note(n.egress && candidates.includes(n.egress) ? n.egress : candidates.length === 1 ? candidates[0] : undefined, `TURN/${t.toUpperCase()}`);
      }
      for (const [address, what] of via) edges.push({ from: `if:${n.index}`, to: `eg:${address}`, label: what.join(', '), selected: n.selected && address === chosenEgress });
    }
    // The web traffic's own egress: the browser does not say which interface it used; draw it from no interface.
  } else {
    for (const address of addresses) edges.push({ from: 'if:browser', to: `eg:${address}`, selected: address === chosenEgress });
  }

  // Column 1 → 2: one line per transport that worked.
  const usedServers = new Set<ServerId>();
  for (const [address, servers] of reached) {
    for (const server of servers) {
      usedServers.add(server);
      edges.push({ from: `eg:${address}`, to: server, label: TRANSPORT_LABEL[server], selected: address === chosenEgress && server === chosenServer });
    }
  }
  for (const s of SERVERS) if (usedServers.has(s.id)) nodes.push({ id: s.id, column: 2, label: s.label, sublabel: s.sublabel, tone: s.id === chosenServer ? 'chosen' : 'normal' });

  const detour = facts.detour;
  const chosenText = facts.selected
    ? `The call's media path (bold): ${chosenNetwork ? `${interfaceLabel(chosenNetwork).label} → ` : ''}${chosenEgress ?? 'its address'} → ${chosenServer ? TRANSPORT_LABEL[chosenServer] : 'netready'}.`
    : 'No media path was selected.';
  const caption = detour
    ? `Detour: ICE chose ${interfaceLabel(detour.via).label} (likely VPN, leaving from ${detour.via.egress ?? '?'}) although ${detour.direct.map((d) => interfaceLabel(d).label).join(', ')} reaches netready directly from ${detour.direct.map((d) => d.egress ?? '?').join(', ')}.`
    : deep
      ? `Every interface the browser listed, with the address each reached netready from. ${chosenText}`
      : facts.enumeration === 'none'
        ? `The browser offered WebRTC no local address at all (see the findings). ${chosenText}`
        : `Without microphone permission the browser shows only its default route; the interface check lists every interface. ${chosenText}`;
  const summary = [
    deep ? `Interfaces: ${facts.networks.map((n) => `${interfaceLabel(n).label} (${interfaceLabel(n).sublabel})${n.egress ? ` leaves from ${n.egress}` : ', nothing got through'}${n.selected ? ', chosen by ICE' : ''}`).join('; ')}.` : 'Interfaces hidden (default route only).',
    ...[...reached].map(([address, servers]) => `From ${address}: ${[...servers].map((s) => TRANSPORT_LABEL[s]).join(', ')}.`),
    chosenText,
    ...(detour ? [caption] : []),
  ].join(' ');
  return { nodes, edges, caption, summary, detour: Boolean(detour), masked: !deep };
}
