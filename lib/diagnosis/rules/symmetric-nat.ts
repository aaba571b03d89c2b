/**
 * Rule `symmetric-nat`: the NAT gives this computer a different public address or port for each destination (RFC 4787
 * address-dependent or address-and-port-dependent mapping, "symmetric NAT"). Information: calls through a media server
 * or a TURN relay work as usual; only a direct peer-to-peer path between two participants behind such NATs cannot be
 * made, so those calls need a relay.
 */
import { NAT_PROBE_ID } from '../../probes/nat';
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';

const MAPPING_WORDS: Record<string, string> = {
  'address-dependent': 'a different public port for each destination address (address-dependent mapping)',
  'address-and-port-dependent': 'a different public port for each destination address and port (address-and-port-dependent mapping)',
  'endpoint-dependent': 'a different public port for another destination (endpoint-dependent mapping)',
};

/** symmetric-nat */
export const symmetricNat: Rule = {
  code: 'symmetric-nat',
  explains: [NAT_PROBE_ID],
  evaluate(facts): Finding | null {
    const nat = facts.nat;
    if (!nat || !nat.endpointDependent) return null;
    const seen = nat.mapped.filter((m) => m.role !== 'ipv6').map((m) => `${m.address}:${m.port}`);
    return {
      code: 'symmetric-nat',
      severity: 'info',
      title: 'The NAT maps each destination separately (symmetric NAT)',
      detail:
        `This network's NAT gives this computer ${MAPPING_WORDS[nat.mapping] ?? nat.mapping}` +
        (seen.length > 1 ? `: netready's STUN endpoints saw it as ${[...new Set(seen)].join(', ')}. ` : '. ') +
        'Calls through a media server (most meeting services) and through a TURN relay work as usual. ' +
        'But a direct peer-to-peer connection between two participants who are both behind such a NAT cannot be made: ' +
        'their calls need a relay (TURN), which adds some delay and uses the provider\'s relay capacity.',
      remediation:
        'If direct peer-to-peer calls matter here, configure the firewall or carrier-grade NAT for endpoint-independent mapping ' +
        '(RFC 4787 REQ-1: the same public address and port for every destination) for UDP from the client networks — on many ' +
        'firewalls "static port", "port preservation" or "full-cone"/"endpoint-independent" NAT for the media ports. Otherwise make sure ' +
        'the conferencing provider\'s TURN relays are reachable (UDP 3478, TCP/TLS 443).',
      evidence: nat.evidence.filter((e) => e.kind === 'nat-mapping' || e.kind === 'nat-mapping-server' || e.kind === 'nat-verdict'),
    };
  },
};
