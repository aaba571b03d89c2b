/** The PAC evaluator's one error class (shared/STYLE.md: one typed error per module, with a code and a cause). */
import type { PacFailureCode } from '../../lib/pac/types';

/** Why the evaluator gave no evaluation: the PAC's fault (PacFailureCode), too much work queued, or the worker broke. */
export type PacErrorCode = PacFailureCode | 'pac_busy' | 'pac_worker_failed';

/** A failed PAC evaluation. */
export class PacError extends Error {
  /** What went wrong; the PacFailureCode ones are the PAC file's doing. */
  readonly code: PacErrorCode;
  constructor(code: PacErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PacError';
    this.code = code;
  }
}
