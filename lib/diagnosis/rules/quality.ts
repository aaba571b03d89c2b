/**
 * Rules `high-rtt`, `high-jitter`, `packet-loss`: call quality measured on the path a call would take
 * (media-quality probe), per direction where the measurement has directions. One file for the three because they
 * read the same measurement and differ only in the number compared and the words; thresholds are data
 * (thresholds.ts).
 */
import type { CutCheck } from '../facts-slow-link';
import type { Rule } from '../types';
import { describePath, formatPercent, type QualityFacts } from '../facts-quality';

/** "loss towards the server 5 % (10 of 200), from the server 0 % (0 of 200)". */
function lossWords(q: QualityFacts): string {
  const part = (name: string, d: QualityFacts['up']): string =>
    d && d.lossRatio !== undefined ? `loss ${name} ${formatPercent(d.lossRatio)} (${d.sent - d.received} of ${d.sent} packets)` : `loss ${name} not measured`;
  return `${part('towards the server', q.up)}, ${part('from the server', q.down)}`;
}

/** "turn-tls had 7400 ms of the up to 19103 ms it needs here, …" for the checks a slow link cut short. */
function cutWords(cut: readonly CutCheck[]): string {
  return cut.map((c) => `${c.probe} had ${c.ranMs} ms of the up to ${c.needsMs} ms it needs here`).join(', ');
}

/** high-rtt: from the quality measurement, or from the run's first request when the link was too slow to get that far. */
export const highRtt: Rule = {
  code: 'high-rtt',
  explains: ['media-quality'],
  evaluate(facts) {
    const q = facts.quality;
    const slow = facts.slowLink;
    const measured = q?.rttMedianMs !== undefined && q.rttMedianMs > facts.thresholds.highRttMs ? q : undefined;
    if (!measured && !slow) return null;
    const rtt = measured ? measured.rttMedianMs! : slow!.rttMs;
    const how = measured
      ? `Packets took ${rtt} ms to reach the test server and come back ${describePath(measured)} ` +
        (measured.pageDelayMs === undefined
          ? `(median; 95th percentile ${measured.rttP95Ms ?? '-'} ms), `
          : `(timed by the browser's own connection checks; this computer was busy and answered the page's pings ${measured.pageDelayMs} ms later still), `)
      : `The first request to the test server took ${rtt} ms to be answered ` +
        `(${slow!.from === 'request-timing' ? 'request sent to first byte back' : 'half the whole request, a new connection included'}), `;
    const cut = slow && slow.cut.length > 0
      ? ` Some checks could not finish in the test's time on a link this slow, so they are shown as not decided rather than blocked: ${cutWords(slow.cut)}.`
      : '';
    return {
      code: 'high-rtt',
      severity: 'warning',
      title: 'Long delay: people will talk over each other',
      detail:
        how +
        `about ${Math.round(rtt / 2)} ms each way. ITU-T G.114 puts the limit for comfortable conversation at 150 ms one way ` +
        `(${facts.thresholds.highRttMs} ms there and back); beyond it, pauses, interruptions and people talking at once.` +
        cut,
      remediation:
        'Check where this traffic leaves your network: a VPN or security service that sends it through a distant ' +
        'gateway, a satellite link, or a path to a far-away region adds delay. Let conferencing traffic leave locally ' +
        '(split tunnel) and use the provider\'s nearest region.',
      evidence: [...(measured?.evidence ?? []), ...(slow ? slow.evidence : [])],
      probes: ['media-quality', ...(slow?.cut.map((c) => c.probe) ?? [])],
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
