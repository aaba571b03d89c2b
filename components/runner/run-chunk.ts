/**
 * Everything a run needs beyond the idle page, as ONE client chunk: the engine and every probe (./start-run.ts),
 * the result view, the actions under a result, probe titles and verdict wording. The runner imports it dynamically when a run
 * starts (Start or `?autostart=1`), so the first load of `/` and `/embed` carries only the idle page (issue 16).
 */
export { VERDICT_COPY } from '../result/labels';
export { probeTitle } from '../result/probe-title';
export { ResultView } from '../result/result-view';
export { RunActions } from './run-actions';
export { startRun } from './start-run';
