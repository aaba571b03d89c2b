/**
 * Rules `high-rtt`, `high-jitter`, `packet-loss`: call quality measured on the path a call would take
 * (media-quality probe). One file for the three because they read the same measurement and differ only in the
 * number compared and the words; thresholds are data (thresholds.ts).
 */
import type { Rule } from '../types';
import { describePath } from '../facts-quality';

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
        `Packets took ${q.rttMedianMs} ms to reach the test server and come back ${describePath(q)} (median of ${q.received}). ` +
        `Above about ${facts.thresholds.highRttMs} ms, conversation becomes awkward: pauses, interruptions, people talking at once.`,
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
    return {
      code: 'high-jitter',
      severity: 'warning',
      title: 'Uneven delay: audio may sound choppy',
      detail:
        `The delay of consecutive packets varied by ${q.jitterMs} ms on average ${describePath(q)}. ` +
        `Above about ${facts.thresholds.highJitterMs} ms, calls need large buffers and audio drops out or lags.`,
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
    if (!q || q.lossRatio === undefined || q.lossRatio <= facts.thresholds.maxLossRatio) return null;
    const percent = Math.round(q.lossRatio * 1000) / 10;
    return {
      code: 'packet-loss',
      severity: 'warning',
      title: 'Packets are being lost: expect frozen video and broken audio',
      detail:
        `${q.sent - q.received} of ${q.sent} test packets (${percent} %) were lost on the way to the test server and back ${describePath(q)}. ` +
        `Calls tolerate up to about ${facts.thresholds.maxLossRatio * 100} %; beyond that video freezes and speech breaks up.`,
      remediation:
        'Find where packets are dropped: an overloaded Wi-Fi or uplink, a faulty cable or port, or a firewall or ' +
        'VPN rate-limiting UDP. Packet loss is often worst at busy times, so test again at the time of your meetings.',
      evidence: q.evidence,
    };
  },
};
