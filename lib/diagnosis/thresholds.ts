/**
 * Diagnosis thresholds as data. Rules read these; nothing else hard-codes a limit.
 */
export const THRESHOLDS = {
  /**
   * A relay "carries data" when at least this many echo messages came back. One is proof enough; losing some
   * on a lossy or slow path is a quality matter, not a blocked transport.
   */
  minEchoes: 1,
} as const;

/** The thresholds' type. */
export type Thresholds = typeof THRESHOLDS;
