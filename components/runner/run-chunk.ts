/**
 * Everything a run needs beyond the idle page, as ONE client chunk: the engine and every probe (./start-run.ts),
 * the result view, the actions under a result, probe titles and verdict wording — and what the embedded check adds
 * (the media permission request, the host's share link). The runner and the embedded check import
 * this same module dynamically when a run starts (Start or `?autostart=1`), so the first load of `/` and `/embed`
 * carries only the idle page (issue 16). One module for both, and nothing in it that either page also imports
 * statically: a module shared that way is split into a chunk of its own, one more request before the run starts —
 * on the lab's 1 s round-trip row that cost `/` 1.75 s (lib/embed/check-side.ts re-exported here did exactly that).
 */
export { VERDICT_COPY } from '../result/labels';
export { probeTitle } from '../result/probe-title';
export { ResultView } from '../result/result-view';
export { RunActions } from './run-actions';
export { startRun } from './start-run';
export { browserMediaHost, requestMediaAccess } from './media-access';
export { shareForHost } from './share-link';
