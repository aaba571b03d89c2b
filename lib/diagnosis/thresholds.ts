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
   * Round trip above which conversation suffers: ITU-T G.114 puts the limit for most interactive use at
   * 150 ms one way, so 300 ms there and back.
   */
  highRttMs: 300,
  /** Jitter (mean difference of consecutive round trips) above which audio needs large buffers: 30 ms. */
  highJitterMs: 30,
  /**
   * Round-trip packet loss above which audio and video visibly degrade (both directions counted together,
   * measured over 200 packets so one lost packet is 0.5 %): 2 %.
   */
  maxLossRatio: 0.02,
  /**
   * A TURN relay by host name that arrives this much later than the same relay by IP address means the browser's
   * own lookup of the name timed out first (Chromium retries its resolver for ≈ 3 s, then lets a proxy resolve the
   * name via CONNECT — LAB.md): 1000 ms, far above the few ms a working lookup adds.
   */
  dnsTurnLookupLateMs: 1000,
} as const;

/** The thresholds' type. */
export type Thresholds = typeof THRESHOLDS;
