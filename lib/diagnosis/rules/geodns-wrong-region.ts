/**
 * Rule `geodns-wrong-region` (issue 15): netready's own GeoDNS, choosing the way meeting services' GeoDNS does, sent
 * this browser to a region that answers clearly slower than the nearest one. The cause is where DNS questions leave
 * this network: a resolver in another region that does not forward the client subnet (ECS) — a central corporate
 * resolver, a VPN or cloud security service, a public resolver reached far away. Calls then land on servers on
 * another continent. Compares round trips measured the same way (UDP, else HTTPS); the margin is in thresholds.ts.
 */
import type { Finding } from '../../schema/result';
import { describeGeoChoice } from '../../regions/choose';
import type { Rule } from '../types';

/** geodns-wrong-region */
export const geodnsWrongRegion: Rule = {
  code: 'geodns-wrong-region',
  evaluate(facts): Finding | null {
    const regions = facts.regions;
    const choice = regions?.dnsChoice;
    const nearest = regions?.nearest;
    const t = facts.thresholds;
    if (!regions || !choice || !nearest || choice.rttMs === undefined || choice.region.id === nearest.region.id) return null;
    const extra = choice.rttMs - nearest.rttMs;
    if (extra < t.geodnsExtraRttMs || choice.rttMs < nearest.rttMs * t.geodnsExtraRatio) return null;
    const by = regions.compareBy === 'https' ? 'HTTPS' : 'UDP';
    // Without the client subnet, the resolver's own place decided: say so, it is what the remedy changes.
    const how = describeGeoChoice(choice) + (choice.rule === 'resolver' ? ', which forwarded no client subnet' : '');
    return {
      code: 'geodns-wrong-region',
      severity: 'warning',
      title: `DNS sends this network to ${choice.region.label}, but ${nearest.region.label} is nearer`,
      detail:
        `netready's DNS server chose the region the way meeting services' GeoDNS does, and gave this browser ${choice.region.label} (${choice.region.id}) ${how}. ` +
        `Measured from here over ${by}: ${choice.region.label} answers in ${Math.round(choice.rttMs)} ms, ${nearest.region.label} (${nearest.region.id}) in ${Math.round(nearest.rttMs)} ms — ` +
        `${Math.round(extra)} ms more on every round trip. Meeting services that pick servers by DNS will likely send this network's calls to a distant region too.`,
      remediation:
        'Make DNS questions leave this network near its users: use a resolver in the users\' region (on site or at the local Internet provider), or one that ' +
        'forwards the EDNS Client Subnet; with a VPN or cloud security service that resolves names centrally, resolve the meeting service\'s domains locally ' +
        '(split DNS, local breakout). Meeting vendors: choose media servers by measured round trip rather than by GeoDNS alone.',
      evidence: regions.evidence,
    };
  },
};
