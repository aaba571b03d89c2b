/**
 * The real results of testdata/results/ (see its README) for the capture kit's tests, parsed against ResultSchema, and
 * a probe outcome for hand-made cases. (components/result/testing has the same for the result views; lib/ tests may
 * not import it.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ResultSchema, type Result } from '../../schema/result';

/** Reads one real result by file name. */
export function readRealResult(file: string): Result {
  return ResultSchema.parse(JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', '..', 'testdata', 'results', file), 'utf8')));
}

/** A probe outcome with `data`. */
export function passed(data: Record<string, unknown>, status: Result['probes'][string]['status'] = 'pass'): Result['probes'][string] {
  return { status, durationMs: 1000, data, evidence: [] };
}
