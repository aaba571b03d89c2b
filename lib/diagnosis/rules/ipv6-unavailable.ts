/**
 * Rule `ipv6-unavailable`: netready offered an IPv6 endpoint and this network reached it with no IPv6 STUN answer —
 * no IPv6 path to netready. Information: calls use IPv4, which works; networks and services moving to IPv6 only will
 * not be reachable from here.
 */
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';

/** ipv6-unavailable */
export const ipv6Unavailable: Rule = {
  code: 'ipv6-unavailable',
  evaluate(facts): Finding | null {
    const nat = facts.nat;
    // Only where the server offered IPv6 and IPv4 itself worked: otherwise the missing answer says nothing about IPv6.
    if (!nat || nat.ipv6.state !== 'unavailable') return null;
    if (!nat.mapped.some((m) => m.role === 'primary') && nat.mapping !== 'no-nat') return null;
    return {
      code: 'ipv6-unavailable',
      severity: 'info',
      title: 'No IPv6 path to the test server',
      detail:
        'netready\'s IPv6 STUN endpoint got no request from this computer, while IPv4 worked: this network has no IPv6 path to netready ' +
        '(or UDP over IPv6 is blocked). Calls will use IPv4 only, which works.',
      remediation:
        'Nothing is needed for calls today. If IPv6 is meant to be available here, check the IPv6 address and default route of this computer, ' +
        'the router\'s IPv6 prefix delegation, and the firewall\'s IPv6 rules for outbound UDP.',
      evidence: nat.evidence.filter((e) => e.kind === 'nat-ipv6'),
    };
  },
};
