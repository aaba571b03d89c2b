/**
 * Everything a run needs beyond the idle page, as ONE client chunk: the engine and every probe (./start-run.ts),
 * the result view, the actions under a result, and probe titles. The runner imports it dynamically when a run
 * starts (Start or `?autostart=1`), so the first load of `/` and `/embed` carries only the idle page (issue 16).
 */
export { probeTitle } from '../result/probe-title';
export { ResultView } from '../result/result-view';
export { RunActions } from './run-actions';
export { startRun } from './start-run';
