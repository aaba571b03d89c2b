/**
 * Rules `high-rtt`, `high-jitter`, `packet-loss`: call quality measured on the path a call would take
 * (media-quality probe), per direction where the measurement has directions. One file for the three because they
 * read the same measurement and differ only in the number compared and the words; thresholds are data
 * (thresholds.ts).
 */
import type { Rule } from '../types';
import { describePath, formatPercent, type QualityFacts } from '../facts-quality';

/** "loss towards the server 5 % (10 of 200), from the server 0 % (0 of 200)". */
function lossWords(q: QualityFacts): string {
  const part = (name: string, d: QualityFacts['up']): string =>
    d && d.lossRatio !== undefined ? `loss ${name} ${formatPercent(d.lossRatio)} (${d.sent - d.received} of ${d.sent} packets)` : `loss ${name} not measured`;
  return `${part('towards the server', q.up)}, ${part('from the server', q.down)}`;
}

/** high-rtt */
export const highRtt: Rule = {
  code: 'high-rtt',
  explains: ['media-quality'],
  evaluate(facts) {
    const q = facts.quality;
    if (!q || q.rttMedianMs === undefined || q.rttMedianMs <= facts.thresholds.highRttMs) return null;
    return {
      code: 'high-rtt',
      severity: 'warning',
      title: 'Long delay: people will talk over each other',
      detail:
        `Packets took ${q.rttMedianMs} ms to reach the test server and come back ${describePath(q)} ` +
        (q.pageDelayMs === undefined
          ? `(median; 95th percentile ${q.rttP95Ms ?? '-'} ms), `
          : `(timed by the browser's own connection checks; this computer was busy and answered the page's pings ${q.pageDelayMs} ms later still), `) +
        `about ${Math.round(q.rttMedianMs / 2)} ms each way. ITU-T G.114 puts the limit for comfortable conversation at 150 ms one way ` +
        `(${facts.thresholds.highRttMs} ms there and back); beyond it, pauses, interruptions and people talking at once.`,
      remediation:
        'Check where this traffic leaves your network: a VPN or security service that sends it through a distant ' +
        'gateway, or a path to a far-away region, adds delay. Let conferencing traffic leave locally (split tunnel) ' +
        'and use the provider\'s nearest region.',
      evidence: q.evidence,
    };
  },
};

/** high-jitter */
export const highJitter: Rule = {
  code: 'high-jitter',
  explains: ['media-quality'],
  evaluate(facts) {
    const q = facts.quality;
    if (!q || q.jitterMs === undefined || q.jitterMs <= facts.thresholds.highJitterMs) return null;
    const part = (name: string, d: QualityFacts['up']): string => (d?.jitterMs !== undefined ? `${name} ${d.jitterMs} ms` : `${name} not measured`);
    return {
      code: 'high-jitter',
      severity: 'warning',
      title: 'Uneven delay: audio may sound choppy',
      detail:
        `The arrival times of evenly sent packets varied ${describePath(q)}: jitter (RFC 3550) ${part('towards the server', q.up)}, ${part('from the server', q.down)}. ` +
        `Above ${facts.thresholds.highJitterMs} ms (Microsoft's target for Teams media), calls need large buffers and audio drops out or lags.`,
      remediation:
        'Look for a congested link (busy Wi-Fi, a saturated uplink) or traffic shaping between this computer and ' +
        'the internet; give conferencing traffic priority (QoS) or move the device to a wired connection.',
      evidence: q.evidence,
    };
  },
};

/** packet-loss */
export const packetLoss: Rule = {
  code: 'packet-loss',
  explains: ['media-quality'],
  evaluate(facts) {
    const q = facts.quality;
    const max = facts.thresholds.maxLossRatio;
    const over = (d: QualityFacts['up']): boolean => d?.lossRatio !== undefined && d.lossRatio > max;
    if (!q || (!over(q.up) && !over(q.down))) return null;
    const where = over(q.up) && over(q.down) ? 'in both directions' : over(q.up) ? 'on the way to the server' : 'on the way from the server';
    return {
      code: 'packet-loss',
      severity: 'warning',
      title: 'Packets are being lost: expect frozen video and broken audio',
      detail:
        `Test packets were lost ${where} ${describePath(q)}: ${lossWords(q)}. ` +
        `Calls need less than ${formatPercent(max)} each way (Microsoft's target for Teams media); beyond that video freezes and speech breaks up.`,
      remediation:
        'Find where packets are dropped: an overloaded Wi-Fi or uplink, a faulty cable or port, or a firewall or ' +
        'VPN rate-limiting UDP. Loss only towards the server points at this site\'s uplink; only from it, at the downlink. ' +
        'Packet loss is often worst at busy times, so test again at the time of your meetings.',
      evidence: q.evidence,
    };
  },
};
