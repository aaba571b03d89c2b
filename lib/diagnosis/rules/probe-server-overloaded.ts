/**
 * Rule `probe-server-overloaded` (a deployment finding): netready's own media peer was the limit while it measured
 * throughput — its process saturated a core, its event loop stalled, its host dropped UDP for full buffers, it sent
 * less than asked, or it refused the burst because too many tests ran at once. The throughput figures then say
 * nothing about the network ("never blame the network for netready"): facts-quality.ts marks them as limited by the
 * server, so `low-bandwidth` cannot fire on them, and this finding says why they are missing.
 */
import type { Rule } from '../types';

/** Finding code of an overloaded netready media peer. */
export const PROBE_SERVER_OVERLOADED_CODE = 'probe-server-overloaded';

/** probe-server-overloaded */
export const probeServerOverloaded: Rule = {
  code: PROBE_SERVER_OVERLOADED_CODE,
  evaluate(facts) {
    const q = facts.quality;
    if (!q || !q.serverLimited) return null;
    const where = facts.probeUrl ?? 'the netready test server';
    return {
      code: PROBE_SERVER_OVERLOADED_CODE,
      severity: 'info',
      category: 'deployment',
      title: 'The netready test server was too busy to measure throughput',
      detail:
        `While it measured throughput, ${where} was the limit itself: ${q.serverReasons.join('; ')}. ` +
        'The throughput figures of this run therefore say nothing about your network and are not used for the call estimate; ' +
        'loss, jitter and delay were measured at a low rate and still hold.',
      remediation:
        `Run the test again in a moment. If it keeps happening, the operator of ${where} should give the probe server more CPU or ` +
        'lower probe.quality.maxConcurrentBursts (see its README, "Configuration").',
      evidence: q.evidence,
      probes: ['media-quality'],
    };
  },
};
