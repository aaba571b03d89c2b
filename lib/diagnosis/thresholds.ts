/**
 * Diagnosis thresholds as data. Rules read these; nothing else hard-codes a limit.
 */
export const THRESHOLDS = {
  /**
   * A relay "carries data" when at least this many echo messages came back. One is proof enough; losing some
   * on a lossy or slow path is a quality matter, not a blocked transport.
   */
  minEchoes: 1,
  /**
   * Round trip above which conversation suffers: ITU-T G.114 (05/2003) §A: one-way delay up to 150 ms is
   * acceptable for most interactive uses, so 300 ms there and back (one way taken as half the round trip).
   */
  highRttMs: 300,
  /**
   * RFC 3550 interarrival jitter (either direction) above which audio needs large buffers: 30 ms, Microsoft's
   * target for Teams media ("packet inter-arrival jitter < 30 ms during any 15 s interval", client to Microsoft
   * edge — https://learn.microsoft.com/en-us/microsoftteams/prepare-network).
   */
  highJitterMs: 30,
  /**
   * Packet loss of either direction above which audio and video visibly degrade: 1 %, Microsoft's target for Teams
   * media ("packet loss < 1 % during any 15 s interval", same page). Measured on 200 packets each way, so one lost
   * packet is 0.5 %.
   */
  maxLossRatio: 0.01,
  /**
   * When a throughput burst arrived below its target, the path (not the sender) limited it if its packets arrived
   * spaced like a link at capacity — their dispersion rate at most this many times the rate that arrived — or, for
   * the burst from the server (paced by it, stamped as each packet left), if it built a queue — its 90th-percentile
   * one-way delay this much above the quiet stream's — or lost this much more than the stream did. A link at capacity spaces, queues or drops
   * (tc tbf, a shaper, a full uplink); a sender held back by its transport's congestion control on a long or lossy
   * path sends in clumps and does neither, and its rate is only a lower bound.
   */
  bottleneckDispersionRatio: 1.5,
  bottleneckQueueMs: 25,
  bottleneckExtraLoss: 0.05,
  /**
   * netready's own media peer was the limit during the bursts ("never blame the network"): its process used this
   * share of a core or more, its event loop stalled this long, the host dropped UDP for full receive buffers, or it
   * handed its transport this share of the requested rate too little.
   */
  serverCpuBusyRatio: 0.9,
  serverLoopLagMs: 100,
  serverShortfall: 0.2,
  /** What a call needs, per activity (call-estimate.ts; sources in CALL_NEEDS). */
  call: {
    /** One-way delay: ITU-T G.114 — up to 150 ms good for most uses, above 400 ms unacceptable for planning. */
    oneWayGoodMs: 150,
    oneWayMaxMs: 400,
    /** Video loss: < 1 % (Microsoft's target above); above 10 % even Microsoft's burst bound (< 10 % in 200 ms) fails. */
    videoLossGood: 0.01,
    videoLossMax: 0.1,
    /** Video jitter: Microsoft's 30 ms target above. */
    videoJitterGoodMs: 30,
    /**
     * Audio by E-model R (e-model.ts), with ITU-T G.109 Table 1's categories: R ≥ 70 at most "some users
     * dissatisfied"; 50–70 "many" to "nearly all users dissatisfied"; below 50 not recommended (G.107 Annex B).
     */
    audioRGood: 70,
    audioRMin: 50,
  },
  /**
   * A TURN relay by host name that arrives this much later than the same relay by IP address means the browser's
   * own lookup of the name timed out first (Chromium retries its resolver for ≈ 3 s, then lets a proxy resolve the
   * name via CONNECT — LAB.md): 1000 ms, far above the few ms a working lookup adds.
   */
  dnsTurnLookupLateMs: 1000,
  /**
   * GeoDNS sent the browser to the wrong region (issue 15) when the region DNS chose answers this much slower than the
   * nearest one, by both measures: 30 ms more — about 3,000 km of fibre there and back, beyond the spread of one
   * measurement — and at least 1.5 times as long (a 10 ms and a 25 ms region are both near).
   */
  geodnsExtraRttMs: 30,
  geodnsExtraRatio: 1.5,
} as const;

/** The thresholds' type. */
export type Thresholds = typeof THRESHOLDS;
