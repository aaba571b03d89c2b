/**
 * Rule `ip-fragments-dropped`: datagrams too large for the path, sent without Don't-Fragment, reach this computer only
 * as IP fragments — and those never arrived, while unfragmented packets did. Firewalls and NATs often drop fragments
 * (non-first fragments carry no port numbers). WebRTC keeps its packets small enough not to need them, so this is
 * information — unless the path also loses packets of media size, when large media packets could only ever arrive
 * fragmented: then a warning.
 */
import { MTU_PROBE_ID } from '../../probes/mtu';
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';
import { MTU_THRESHOLDS } from '../facts-mtu';
import { MTU_PATH_WORDS } from './mtu-blackhole';

/** ip-fragments-dropped */
export const ipFragmentsDropped: Rule = {
  code: 'ip-fragments-dropped',
  explains: [MTU_PROBE_ID],
  evaluate(facts): Finding | null {
    const mtu = facts.mtu;
    if (!mtu || mtu.fragmentsDropped.length === 0) return null;
    const sizes = [...new Set(mtu.paths.flatMap((p) => p.fragmentRungs.filter((r) => r.outcome === 'lost').map((r) => r.sizeBytes)))].sort((a, b) => a - b);
    const mediaNeedsThem = mtu.fragmentsDropped.some((f) => f.largestArrivedBytes < MTU_THRESHOLDS.mediaPacketBytes);
    const where = mtu.fragmentsDropped.map((f) => `${MTU_PATH_WORDS[f.path]} (unfragmented packets of up to ${f.largestArrivedBytes} bytes arrived)`).join(' and ');
    return {
      code: 'ip-fragments-dropped',
      severity: mediaNeedsThem ? 'warning' : 'info',
      title: 'IP fragments do not arrive',
      detail:
        `Test packets of ${sizes.join(' and ')} bytes sent without Don't-Fragment — which can reach this computer only as IP fragments — did not arrive on ${where}. ` +
        'Something on the path (a firewall, NAT or VPN) drops IP fragments. ' +
        (mediaNeedsThem
          ? `Here the path also loses unfragmented packets above ${Math.min(...mtu.fragmentsDropped.map((f) => f.largestArrivedBytes))} bytes, below the ≈ ${MTU_THRESHOLDS.mediaPacketBytes} bytes browsers send, so larger media packets cannot arrive either way.`
          : `Browsers keep WebRTC packets below ≈ ${MTU_THRESHOLDS.mediaPacketBytes} bytes, so calls do not need fragments while the path carries full-size packets; other UDP applications (some VPNs, large DNS answers) may.`),
      remediation:
        'Let IP fragments through the firewall or NAT (or have it reassemble them): rules that match on UDP ports drop non-first fragments, which carry no ports.' +
        (mediaNeedsThem ? ' And fix the small MTU itself (see "MTU black hole").' : ''),
      evidence: mtu.evidence.filter((e) => e.kind === 'mtu-rung' && (e.data as { df?: boolean } | undefined)?.df === false),
    };
  },
};
