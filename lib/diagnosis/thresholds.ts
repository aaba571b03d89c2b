/**
 * Diagnosis thresholds as data. Rules read these; nothing else hard-codes a limit.
 */
export const THRESHOLDS = {
  /** A relay "carries data" when at least this share of echo messages came back (0–1). */
  minEchoRatio: 1,
} as const;

/** The thresholds' type. */
export type Thresholds = typeof THRESHOLDS;
