/**
 * Rule `low-bandwidth`: a throughput burst hit a bottleneck on the path (it queued or lost at a link at capacity,
 * facts-quality.ts) below what HD video should have, so the measured rate is the path's capacity. Says what that
 * capacity carries and what it does not, in a call's terms (call-estimate.ts). A rate that was only a lower bound
 * (the sender's transport had not reached the target) or that netready's own server limited never fires it.
 */
import type { Rule } from '../types';
import { formatKbps, type CallEstimateRow } from '../call-estimate';
import { describePath, type ThroughputFacts } from '../facts-quality';

function directionWords(name: string, d: ThroughputFacts): string {
  if (d.kbps === undefined) return `${name}: not measured`;
  const how = d.limitedBy === 'path' ? 'at most' : d.limitedBy === 'target' ? 'at least' : 'at least (a lower bound)';
  return `${name}: ${how} ${formatKbps(d.kbps)}`;
}

/** "audio, SD video and screen sharing": labels as words in a sentence (SD/HD keep their capitals). */
function list(rows: CallEstimateRow[]): string {
  const names = rows.map((r) => (/^[A-Z]{2}/.test(r.label) ? r.label : r.label.charAt(0).toLowerCase() + r.label.slice(1)));
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** low-bandwidth */
export const lowBandwidth: Rule = {
  code: 'low-bandwidth',
  explains: ['media-quality'],
  evaluate(facts) {
    const q = facts.quality;
    if (!q || !q.lowBandwidth) return null;
    const can = q.estimate.filter((r) => r.verdict === 'can');
    const marginal = q.estimate.filter((r) => r.verdict === 'marginal');
    const cannot = q.estimate.filter((r) => r.verdict === 'cannot');
    const worst = cannot.find((r) => r.activity === 'hd-video') ?? marginal.find((r) => r.activity === 'hd-video');
    const title = cannot.some((r) => r.activity === 'hd-video') ? 'Limited bandwidth: HD video will not fit' : 'Limited bandwidth: HD video is at its limit';
    const parts = [
      `Throughput ${describePath(q)} — ${directionWords('towards the server', q.throughput.up)}; ${directionWords('from the server', q.throughput.down)}.`,
      can.length > 0 ? `That carries ${list(can)}.` : '',
      marginal.length > 0 ? `${capitalize(list(marginal))}: only just (${marginal.map((r) => `${r.label}: ${r.reasons.join('; ')}`).join(' · ')}).` : '',
      cannot.length > 0 ? `Not ${list(cannot)} (${cannot.map((r) => `${r.label}: ${r.reasons.join('; ')}`).join(' · ')}).` : '',
    ];
    return {
      code: 'low-bandwidth',
      severity: 'warning',
      title,
      detail:
        `${parts.filter(Boolean).join(' ')} The burst queued or was dropped at a link at its capacity, so this is the path's limit, not a slow sender. ` +
        `${worst ? `HD video needs 1.2–2.6 Mbit/s each way (Microsoft Teams, Zoom, Google Meet).` : ''}`,
      remediation:
        'Find the narrow link: a slow uplink or Wi-Fi, a traffic shaper or a per-user bandwidth limit on a firewall or VPN, or ' +
        'other traffic filling the line. Give conferencing traffic priority (QoS) or more bandwidth, or lower the video ' +
        'resolution in the meeting app until it is fixed.',
      evidence: q.evidence,
    };
  },
};
